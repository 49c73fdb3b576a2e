// The op registry: every Tensor method in one table. An entry names the functional form (tensor first) or, where the
// method differs from it (argument order, overloads, in-place), the method itself; its tolerance (webgpu against
// the cpu reference, used by the generated suite and by TESSERA_VALIDATE); its test cases; and whether it has a
// gradient (checked in float64). ops/methods.ts installs the methods and derives their typings from this table,
// test/ops/registry.test.ts generates the tests from it.
//
// The table is checked (the `satisfies` statement after it) against a mapped type over the names of the elementwise
// and reduction kernels (UNARY, BINARY, REDUCE): a new kernel definition without its entry here (and so without a
// method, tests or tolerance) does not compile, as a missing rule does not in jax-js's rule tables.
// Entries marked functionOnly (cat, the norms, losses, attention...) have no Tensor method, as in torch; random
// sampling and creation ops are not entries (their own suites test them).
import { Tensor } from '../core/tensor.js';
import type { DType } from '../core/dtype.js';
import { elementwise, type ElementwiseDef, type Operand } from './elementwise.js';
import { UNARY, type UnaryName } from './unary.js';
import { BINARY, type BinaryName } from './binary.js';
import { lerp, addcmul, type TernaryName } from './ternary.js';
import type { ReduceName } from './reduce.js';
import * as F from './functional.js';
import * as V from './views.js';
import * as S from './shape-ops.js';
import * as X from './shape-extra.js';
import * as L from './linalg.js';
import { einsum } from './einsum.js';
import { solve, inverse } from './solve.js';
import * as I from './indexing.js';
import { sort, argsort, topk } from './sort.js';
import { cumsum, cumprod } from './scan.js';
import { softmax, logSoftmax } from './softmax.js';
import { softmin, glu } from './activations.js';
import { normalize, cosineSimilarity } from './similarity.js';
import { matmul, bmm, outer, linear } from './matmul.js';
import { layerNorm, rmsNorm } from './norms.js';
import {
  crossEntropy,
  nllLoss,
  mseLoss,
  klDiv,
  binaryCrossEntropyWithLogits,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
} from './losses.js';
import { scaledDotProductAttention } from './attention.js';
import { rope } from './rope.js';
import { linearAttention } from './linear-attention.js';
import { conv1d, conv2d, unfold, fold } from './conv.js';
import { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d } from './pool.js';
import { batchNorm, groupNorm } from './batch-norm.js';
import { interpolate } from './interpolate.js';
import { setValidationTolerance, type Tolerance } from './debug.js';
import type { ValuesIndices } from './result.js';
import * as R from './reductions-extra.js';
import { cummax, cummin, logcumsumexp } from './scans-extra.js';
import * as C from './counting.js';
import * as IX from './indexing-extra.js';
import { nonzero, maskedSelect, unique, type UniqueOptions } from './selection.js';

/** A tensor argument of a test case: its shape, and its values (uniform in `domain`, or integers in [0, below)). */
export interface TensorArg {
  readonly tensor: readonly number[];
  readonly domain?: readonly [number, number];
  /** an index tensor (i32) with values in [0, below) */
  readonly below?: number;
  readonly dtype?: 'bool';
  /** added to the main diagonal of the last two dims (a well-conditioned matrix for solve and inverse) */
  readonly diagonal?: number;
}

/** The arguments of one call: args[0] is the tensor the method is called on (or fn's first argument). */
export type OpCase = readonly unknown[];

type AnyFunction = (...args: never[]) => unknown;
type AnyMethod = (this: Tensor, ...args: never[]) => unknown;

export interface OpEntry {
  /** the functional form, tensor first; the method passes `this` as that tensor */
  fn?: AnyFunction;
  /** a function with no Tensor method (torch.cat, F.layer_norm...): the suite calls fn */
  functionOnly?: true;
  /** the method where it is not fn with `this` first (a different argument order, overloads, in-place) */
  method?: AnyMethod;
  /** how close webgpu f32 must be to the cpu reference (default DEFAULT_TOLERANCE) */
  tol?: Tolerance;
  /** kernels (OpSpec names) this op runs whose TESSERA_VALIDATE check takes tol (default: the op's own name) */
  kernels?: readonly string[];
  /** generated cases: webgpu (contiguous and non-contiguous inputs) against the cpu reference */
  cases: readonly OpCase[];
  /** why an entry has no cases (it is then tested elsewhere, named here) */
  untested?: string;
  /** whether the generated suite checks the gradient of case 0 in float64 against finite differences */
  grad: boolean;
  /** the op returns a Promise (its output shape is read back: nonzero, unique...); the suite awaits it */
  async?: true;
  /** the suite gives every input contiguous only (view needs viewable strides, as torch's does) */
  contiguousOnly?: boolean;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 2e-5, rtol: 2e-4 };

const t = (shape: readonly number[], opts: Omit<TensorArg, 'tensor'> = {}): TensorArg => ({ tensor: shape, ...opts });
export const isTensorArg = (a: unknown): a is TensorArg =>
  typeof a === 'object' && a !== null && Array.isArray((a as TensorArg).tensor);

/** Odd, empty, 0-d and multi-workgroup inputs of a unary op, in its test domain. */
function unaryCases(def: ElementwiseDef, ...extra: unknown[]): OpCase[] {
  const domain = def.test?.domain?.[0];
  return [
    [t([2, 3], { domain }), ...extra],
    [t([37, 29], { domain }), ...extra],
    [t([0, 3]), ...extra],
    [t([], { domain }), ...extra],
  ];
}

/**
 * Same-shape, broadcast, empty and tensor-with-number calls of a binary op, in its test domains; with `ties`, also
 * small integers, so that equal operands and zeros occur (random floats never tie: a < for <= would pass).
 */
function binaryCases(def: ElementwiseDef, ties: boolean): OpCase[] {
  const [a, b] = def.test?.domain ?? [];
  const number = b ? (b[0] + b[1]) / 2 : 0.75;
  return [
    [t([2, 3], { domain: a }), t([2, 3], { domain: b })],
    [t([4, 1, 5], { domain: a }), t([3, 1], { domain: b })],
    [t([0, 3], { domain: a }), t([3], { domain: b })],
    [t([33, 7], { domain: a }), number],
    ...(ties
      ? [
          [t([4, 5], { below: 3 }), t([4, 5], { below: 3 })],
          [t([4, 5], { below: 3 }), 1],
        ]
      : []),
  ];
}

// The helpers below take op names as plain strings and annotate what they return: the Tensor method typings derive
// from OPS's type, so that type must not depend on UNARY's or BINARY's (whose backward rules use those methods).
interface Tests {
  cases: OpCase[];
  grad: boolean;
}
function definition<D>(table: Record<string, D>, name: string): D {
  const def = table[name];
  if (!def) throw new Error(`internal: the registry names ${name}, which has no kernel definition`);
  return def;
}
function unary(name: string, ...extra: unknown[]): Tests {
  const def = definition<ElementwiseDef>(UNARY, name);
  return { cases: unaryCases(def, ...extra), grad: def.backward !== null };
}
function binary(name: string, ties = false): Tests {
  const def = definition<ElementwiseDef>(BINARY, name);
  return { cases: binaryCases(def, ties), grad: def.backward !== null };
}

/** fmod and floorDivide: the float cases, and an i32 tensor by a nonzero integer (integer division by 0 is undefined). */
function integerDivision(name: string): Tests {
  const { cases, grad } = binary(name);
  return { cases: [...cases, [t([4, 5], { below: 9 }), 4], [t([4, 5], { below: 9 }), -3]], grad };
}

/** sum, mean, ... over all dims, one dim, several dims with keepdim, and a negative dim. */
const reductionCases = (empty: boolean): OpCase[] => [
  [t([3, 4]), 1],
  [t([37, 29])],
  [t([2, 3, 5]), [0, 2], true],
  [t([4, 33]), -1],
  ...(empty ? [[t([0, 3]), 0]] : []),
];
const booleanReductionCases: OpCase[] = [
  [t([3, 4], { dtype: 'bool' }), 1],
  [t([37, 29], { dtype: 'bool' })],
  [t([2, 3, 5], { dtype: 'bool' }), [0, 2], true],
  [t([0, 3], { dtype: 'bool' }), 0],
];
/** ops that accumulate (reductions, scans, composites): f32 rounding grows with the length summed */
const LOOSE: Tolerance = { atol: 1e-4, rtol: 1e-3 };
/** matmul: TESSERA_VALIDATE checks it at any K, where f32 accumulation error grows as sqrt(K) */
const ACCUMULATING: Tolerance = { atol: 1e-3, rtol: 1e-3 };
const inPlace = (name: string): ((this: Tensor, other: Operand) => Tensor) =>
  function (this: Tensor, other: Operand): Tensor {
    const def = definition<ElementwiseDef>(BINARY, name);
    return elementwise(def, [this, other], [], { out: this });
  };

/** max(): the largest element; max(dim, keepdim?): { values, indices } along dim; max(other): the elementwise maximum. */
function maxMethod(this: Tensor): Tensor;
function maxMethod(this: Tensor, other: Tensor): Tensor;
function maxMethod(this: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
function maxMethod(this: Tensor, dimOrOther?: number | Tensor, keepdim?: boolean) {
  return (F.max as AnyForm)(this, dimOrOther, keepdim);
}
function minMethod(this: Tensor): Tensor;
function minMethod(this: Tensor, other: Tensor): Tensor;
function minMethod(this: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
function minMethod(this: Tensor, dimOrOther?: number | Tensor, keepdim?: boolean) {
  return (F.min as AnyForm)(this, dimOrOther, keepdim);
}
/** max/min's implementation signature (overloads hide it): the function picks the form from the arguments */
type AnyForm = (x: Tensor, dimOrOther?: number | Tensor, keepdim?: boolean) => Tensor | ValuesIndices;

/** median(): the median of every element; median(dim, keepdim?): { values, indices } along dim (torch.Tensor.median). */
function medianMethod(this: Tensor): Tensor;
function medianMethod(this: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
function medianMethod(this: Tensor, dim?: number, keepdim?: boolean) {
  return dim === undefined ? R.median(this) : R.median(this, dim, keepdim);
}

/** nonzero(): the [N, ndim] coordinates; nonzero({ asTuple: true }): one 1-D tensor per dim (async: N is read back). */
function nonzeroMethod(this: Tensor, opts?: { asTuple?: false }): Promise<Tensor>;
function nonzeroMethod(this: Tensor, opts: { asTuple: true }): Promise<Tensor[]>;
function nonzeroMethod(this: Tensor, opts: { asTuple?: boolean } = {}) {
  return opts.asTuple ? nonzero(this, { asTuple: true }) : nonzero(this);
}
/** unique(): the sorted distinct values; with returnInverse/returnCounts, [values, inverse?, counts?] (async). */
function uniqueMethod(
  this: Tensor,
  opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false },
): Promise<Tensor>;
function uniqueMethod(this: Tensor, opts: UniqueOptions): Promise<Tensor | Tensor[]>;
function uniqueMethod(this: Tensor, opts: UniqueOptions = {}) {
  return unique(this, opts);
}

type KernelOpName = Exclude<UnaryName, 'cast' | 'geluTanh'> | BinaryName | TernaryName | ReduceName;

export const OPS = {
  // ---- elementwise, unary ----
  neg: { fn: F.neg, ...unary('neg') },
  abs: { fn: F.abs, ...unary('abs') },
  sign: { fn: F.sign, ...unary('sign') },
  exp: { fn: F.exp, ...unary('exp') },
  log: { fn: F.log, ...unary('log') },
  log1p: { fn: F.log1p, ...unary('log1p') },
  expm1: { fn: F.expm1, ...unary('expm1') },
  sqrt: { fn: F.sqrt, ...unary('sqrt') },
  rsqrt: { fn: F.rsqrt, ...unary('rsqrt') },
  square: { fn: F.square, ...unary('square') },
  reciprocal: { fn: F.reciprocal, ...unary('reciprocal') },
  sin: { fn: F.sin, ...unary('sin') },
  cos: { fn: F.cos, ...unary('cos') },
  tanh: { fn: F.tanh, ...unary('tanh') },
  sigmoid: { fn: F.sigmoid, ...unary('sigmoid') },
  relu: { fn: F.relu, ...unary('relu') },
  erf: { fn: F.erf, ...unary('erf') },
  silu: { fn: F.silu, ...unary('silu') },
  floor: { fn: F.floor, ...unary('floor') },
  ceil: { fn: F.ceil, ...unary('ceil') },
  round: { fn: F.round, ...unary('round') },
  isnan: { fn: F.isnan, ...unary('isnan') },
  isfinite: { fn: F.isfinite, ...unary('isfinite') },
  logicalNot: { fn: F.logicalNot, ...unary('logicalNot') },
  tan: { fn: F.tan, ...unary('tan') },
  asin: { fn: F.asin, ...unary('asin') },
  acos: { fn: F.acos, ...unary('acos') },
  atan: { fn: F.atan, ...unary('atan') },
  sinh: { fn: F.sinh, ...unary('sinh') },
  cosh: { fn: F.cosh, ...unary('cosh') },
  log2: { fn: F.log2, ...unary('log2') },
  log10: { fn: F.log10, ...unary('log10') },
  exp2: { fn: F.exp2, ...unary('exp2') },
  trunc: { fn: F.trunc, ...unary('trunc') },
  frac: { fn: F.frac, ...unary('frac') },
  leakyRelu: { fn: F.leakyRelu, ...unary('leakyRelu', 0.1) },
  gelu: {
    fn: F.gelu,
    kernels: ['gelu', 'gelu(tanh)'],
    cases: [...unary('gelu').cases, ...unary('geluTanh', { approximate: 'tanh' }).cases],
    grad: true,
  },
  softplus: { fn: F.softplus, ...unary('softplus', { beta: 2, threshold: 4 }) },
  elu: { fn: F.elu, ...unary('elu', 0.7) },
  logsigmoid: { fn: F.logsigmoid, ...unary('logsigmoid') },
  hardtanh: { fn: F.hardtanh, ...unary('hardtanh', -1, 1.5) },
  relu6: {
    fn: F.relu6,
    kernels: [],
    cases: [[t([2, 3], { domain: [-2, 8] })], [t([37, 29], { domain: [-2, 8] })], [t([0, 3])]],
    grad: true,
  },
  mish: { fn: F.mish, ...unary('mish') },
  selu: { fn: F.selu, ...unary('selu') },
  celu: { fn: F.celu, ...unary('celu', 0.7) },
  hardswish: { fn: F.hardswish, ...unary('hardswish') },
  hardsigmoid: { fn: F.hardsigmoid, ...unary('hardsigmoid') },
  clamp: { fn: F.clamp, ...unary('clamp', -1, 1.5) },
  nanToNum: { fn: F.nanToNum, ...unary('nanToNum', { nan: 0, posinf: 100, neginf: -100 }) },
  // ---- elementwise, binary and where ----
  add: { fn: F.add, ...binary('add') },
  sub: { fn: F.sub, ...binary('sub') },
  mul: { fn: F.mul, ...binary('mul') },
  div: { fn: F.div, ...binary('div') },
  pow: { fn: F.pow, ...binary('pow') },
  maximum: { fn: F.maximum, ...binary('maximum', true) },
  minimum: { fn: F.minimum, ...binary('minimum', true) },
  remainder: { fn: F.remainder, ...binary('remainder') },
  fmod: { fn: F.fmod, ...integerDivision('fmod') },
  floorDivide: { fn: F.floorDivide, ...integerDivision('floorDivide') },
  atan2: { fn: F.atan2, ...binary('atan2') },
  hypot: { fn: F.hypot, ...binary('hypot') },
  logaddexp: { fn: F.logaddexp, ...binary('logaddexp') },
  xlogy: { fn: F.xlogy, ...binary('xlogy') },
  eq: { fn: F.eq, ...binary('eq', true) },
  ne: { fn: F.ne, ...binary('ne', true) },
  lt: { fn: F.lt, ...binary('lt', true) },
  le: { fn: F.le, ...binary('le', true) },
  gt: { fn: F.gt, ...binary('gt', true) },
  ge: { fn: F.ge, ...binary('ge', true) },
  logicalAnd: { fn: F.logicalAnd, ...binary('logicalAnd', true) },
  logicalOr: { fn: F.logicalOr, ...binary('logicalOr', true) },
  logicalXor: { fn: F.logicalXor, ...binary('logicalXor', true) },
  lerp: {
    fn: lerp,
    cases: [
      [t([2, 3]), t([2, 3]), t([2, 3], { domain: [-0.5, 1.5] })],
      [t([4, 1, 5]), t([3, 1]), t([5], { domain: [0, 1] })],
      [t([0, 3]), t([3]), 0.3],
      [t([33, 7]), t([33, 7]), 0.8],
    ],
    grad: true,
  },
  addcmul: {
    fn: addcmul,
    cases: [
      [t([2, 3]), t([2, 3]), t([2, 3]), { value: 0.5 }],
      [t([4, 1, 5]), t([3, 1]), t([5])],
      [t([0, 3]), t([3]), t([0, 1])],
      [t([33, 7]), t([33, 7]), 2, { value: -1.5 }],
    ],
    grad: true,
  },
  where: {
    /** this where cond is true, else other (torch's Tensor.where) */
    method: function (this: Tensor, cond: Operand, other: Operand): Tensor {
      return F.where(cond, this, other);
    },
    cases: [
      [t([2, 3]), t([2, 3], { dtype: 'bool' }), t([2, 3])],
      [t([4, 1, 5]), t([3, 1], { dtype: 'bool' }), t([5])],
      [t([33, 7]), t([33, 7], { dtype: 'bool' }), 0.5],
    ],
    grad: true,
  },
  // ---- reductions ----
  sum: { fn: F.sum, tol: LOOSE, cases: reductionCases(true), grad: true },
  mean: { fn: F.mean, tol: LOOSE, cases: reductionCases(true), grad: true },
  prod: {
    fn: F.prod,
    tol: LOOSE,
    cases: reductionCases(true).map(([x, ...rest]) => [t((x as TensorArg).tensor, { domain: [0.8, 1.2] }), ...rest]),
    grad: true,
  },
  amax: { fn: F.amax, cases: reductionCases(false), grad: true },
  amin: { fn: F.amin, cases: reductionCases(false), grad: true },
  argmax: { fn: F.argmax, cases: [[t([3, 4]), 1], [t([37, 29])], [t([4, 33]), -1, true]], grad: false },
  argmin: { fn: F.argmin, cases: [[t([3, 4]), 1], [t([37, 29])], [t([4, 33]), -1, true]], grad: false },
  all: { fn: F.all, cases: booleanReductionCases, grad: false },
  any: { fn: F.any, cases: booleanReductionCases, grad: false },
  max: {
    method: maxMethod,
    kernels: ['amax', 'argmax'],
    cases: [[t([37, 29])], [t([3, 4]), 1], [t([3, 4]), 0, true], [t([3, 4]), t([4])]],
    grad: true,
  },
  min: {
    method: minMethod,
    kernels: ['amin', 'argmin'],
    cases: [[t([37, 29])], [t([3, 4]), 1], [t([3, 4]), 0, true], [t([3, 4]), t([4])]],
    grad: true,
  },
  var: {
    fn: F.var_,
    tol: LOOSE,
    cases: [[t([3, 4]), 1], [t([37, 29])], [t([2, 3, 5]), [0, 2], false, true], [t([3, 4]), 1, { correction: 0 }]],
    grad: true,
  },
  std: {
    fn: F.std,
    tol: LOOSE,
    cases: [[t([3, 4]), 1], [t([37, 29])], [t([2, 3, 5]), [0, 2], false, true]],
    grad: true,
  },
  logsumexp: {
    fn: F.logsumexp,
    tol: LOOSE,
    cases: [[t([3, 4]), 1], [t([37, 29])], [t([2, 3, 5]), [0, 2], true]],
    grad: true,
  },
  norm: {
    fn: F.norm,
    tol: LOOSE,
    cases: [[t([3, 4]), 2, 1], [t([37, 29])], [t([3, 4]), 1, 0, true], [t([3, 4]), Infinity, 1], [t([3, 4]), 3, 1]],
    grad: true,
  },
  // ---- fused rows, scans, sorting ----
  softmax: {
    fn: softmax,
    cases: [
      [t([3, 5]), 1],
      [t([4, 300]), -1],
      [t([6, 4]), 0],
    ],
    grad: true,
  },
  logSoftmax: {
    fn: logSoftmax,
    cases: [
      [t([3, 5]), 1],
      [t([4, 300]), -1],
      [t([6, 4]), 0],
    ],
    grad: true,
  },
  softmin: {
    fn: softmin,
    functionOnly: true as const,
    kernels: [],
    cases: [
      [t([3, 5]), 1],
      [t([6, 4]), 0],
    ],
    grad: true,
  },
  glu: {
    fn: glu,
    functionOnly: true as const,
    kernels: [],
    cases: [[t([3, 6])], [t([4, 3, 5]), 0], [t([33, 8]), 1]],
    grad: true,
  },
  normalize: {
    fn: normalize,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [[t([3, 5])], [t([4, 70]), 2, -1], [t([2, 3, 4]), 1, 0]],
    grad: true,
  },
  cosineSimilarity: {
    fn: cosineSimilarity,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([3, 5]), t([3, 5])],
      [t([4, 70]), t([70]), -1],
      [t([2, 3, 4]), t([3, 1]), 1],
    ],
    grad: true,
  },
  cumsum: {
    fn: cumsum,
    tol: LOOSE,
    cases: [
      [t([3, 5]), 1],
      [t([4, 300]), -1],
      [t([6, 4]), 0],
    ],
    grad: true,
  },
  cumprod: {
    fn: cumprod,
    tol: LOOSE,
    cases: [
      [t([3, 5], { domain: [0.5, 1.5] }), 1],
      [t([6, 4], { domain: [0.5, 1.5] }), 0],
    ],
    grad: true,
  },
  sort: {
    fn: sort,
    cases: [
      [t([3, 5]), 1],
      [t([4, 70]), -1, true],
      [t([6, 4]), 0],
    ],
    grad: true,
  },
  argsort: {
    fn: argsort,
    cases: [
      [t([3, 5]), 1],
      [t([4, 70]), -1, true],
    ],
    grad: false,
  },
  topk: {
    fn: topk,
    cases: [
      [t([3, 5]), 2, 1],
      [t([4, 70]), 5],
      [t([6, 4]), 3, 0, false],
    ],
    grad: true,
  },
  matmul: {
    method: function (this: Tensor, other: Tensor): Tensor {
      return matmul(this, other);
    },
    tol: ACCUMULATING,
    cases: [
      [t([3, 4]), t([4, 5])],
      [t([2, 33, 17]), t([17, 9])],
      [t([5]), t([5, 3])],
    ],
    grad: true,
  },
  // ---- reductions, scans, indexing, search and counting added for issue 10 (ops/reductions-extra.ts,
  // ops/scans-extra.ts, ops/indexing-extra.ts, ops/counting.ts) ----
  nansum: {
    fn: R.nansum,
    kernels: [],
    tol: LOOSE,
    cases: [[t([3, 4]), 1], [t([37, 29])], [t([2, 3, 5]), [0, 2], true], [t([0, 3]), 0]],
    grad: true,
  },
  countNonzero: {
    fn: R.countNonzero,
    kernels: [],
    cases: [[t([3, 4], { below: 3 }), 1], [t([37, 29], { below: 2 })], [t([0, 3], { below: 2 }), 0]],
    grad: false,
  },
  varMean: {
    fn: R.varMean,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [[t([3, 4]), 1], [t([37, 29])], [t([2, 3, 5]), [0, 2], { correction: 0, keepdim: true }]],
    grad: true,
  },
  median: {
    method: medianMethod,
    kernels: [],
    cases: [[t([3, 5]), 1], [t([37, 29])], [t([4, 6]), 0, true], [t([5, 4], { below: 3 }), 1], [t([0, 3]), 1]],
    grad: true,
  },
  kthvalue: {
    fn: R.kthvalue,
    kernels: [],
    cases: [
      [t([3, 5]), 2, 1],
      [t([4, 33]), 7],
      [t([6, 4]), 6, 0, true],
      [t([0, 3]), 1, 1],
    ],
    grad: true,
  },
  mode: {
    fn: R.mode,
    kernels: [],
    cases: [[t([3, 5]), 1], [t([6, 9], { below: 3 })], [t([7, 4], { below: 4 }), 0, true], [t([0, 3]), 1]],
    grad: true,
  },
  quantile: {
    fn: R.quantile,
    kernels: [],
    cases: [
      [t([3, 5]), 0.3, 1],
      [t([37, 29]), [0, 0.25, 0.9, 1]],
      [t([4, 6]), 0.5, 0, true, { interpolation: 'lower' }],
      [t([4, 6]), [0.1, 0.7], 1, false, { interpolation: 'nearest' }],
      [t([4, 6]), 0.45, -1, false, { interpolation: 'midpoint' }],
      [t([4, 6]), 0.45, null, true, { interpolation: 'higher' }],
      [t([0, 3]), 0.2, 1],
    ],
    grad: true,
  },
  cummax: {
    fn: cummax,
    kernels: ['cummax'],
    cases: [
      [t([3, 5]), 1],
      [t([4, 300]), -1],
      [t([9, 4], { below: 3 }), 0],
      [t([0, 3]), 1],
    ],
    grad: true,
  },
  cummin: {
    fn: cummin,
    kernels: ['cummin', 'cummax'],
    cases: [
      [t([3, 5]), 1],
      [t([4, 300]), -1],
      [t([9, 4], { below: 3 }), 0],
    ],
    grad: true,
  },
  logcumsumexp: {
    fn: logcumsumexp,
    tol: LOOSE,
    cases: [
      [t([3, 5], { domain: [-5, 5] }), 1],
      [t([4, 300]), -1],
      [t([6, 4]), 0],
      [t([0, 3]), 1],
    ],
    grad: true,
  },
  isclose: {
    fn: C.isclose,
    kernels: [],
    cases: [
      [t([3, 4]), t([3, 4]), 0.5, 0.5],
      [t([4, 1, 5]), t([3, 1]), 0.2, 0.5],
      [t([0, 3]), t([3])],
      [t([33, 7]), 0.5, 0.1, 0.2],
      [t([4, 5], { below: 3 }), t([4, 5], { below: 3 })],
    ],
    grad: false,
  },
  allclose: {
    fn: C.allclose,
    cases: [],
    untested: 'it returns a Promise<boolean>, not tensors; test/ops/counting.test.ts checks it on both backends',
    grad: false,
  },
  searchsorted: {
    fn: C.searchsorted,
    functionOnly: true as const,
    cases: [
      [t([7]), t([3, 4])],
      [t([3, 6]), t([3, 5]), { right: true }],
      [t([5]), 0.3, { side: 'right' }],
      [t([0]), t([4])],
      [t([6], { below: 3 }), t([2, 6], { below: 4 })],
      [t([6], { below: 3 }), t([2, 6], { below: 4 }), { side: 'right' }],
    ],
    grad: false,
  },
  bucketize: {
    fn: C.bucketize,
    functionOnly: true as const,
    kernels: ['searchsorted'],
    cases: [
      [t([3, 4]), t([6])],
      [t([5], { below: 4 }), t([3], { below: 4 }), { right: true }],
    ],
    grad: false,
  },
  histc: {
    fn: C.histc,
    kernels: [],
    cases: [
      [t([50]), 10, -1, 1],
      [t([37, 29]), 7],
      [t([3, 4], { domain: [0, 1] }), 4, 0.25, 0.75],
      [t([0]), 5, 0, 1],
    ],
    grad: false,
  },
  bincount: {
    fn: C.bincount,
    async: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [[t([20], { below: 6 })], [t([20], { below: 6 }), t([20]), 9], [t([0], { below: 1 }), null, 3]],
    grad: false,
  },
  triuIndices: {
    fn: C.triuIndices,
    functionOnly: true as const,
    cases: [],
    untested: 'it takes no tensor (the coordinates are built on the host); test/ops/counting.test.ts checks them',
    grad: false,
  },
  trilIndices: {
    fn: C.trilIndices,
    functionOnly: true as const,
    cases: [],
    untested: 'it takes no tensor (the coordinates are built on the host); test/ops/counting.test.ts checks them',
    grad: false,
  },
  scatter: {
    fn: IX.scatter,
    kernels: ['scatterReduce'],
    cases: [
      [t([3, 4]), 1, t([3, 1], { below: 4 }), t([3, 2])],
      [t([3, 4]), 0, t([2, 4], { below: 3 }), t([2, 5])],
      [t([3, 4]), 1, t([3, 2], { below: 4 }), 2.5],
      [t([37, 29]), 1, t([37, 5], { below: 29 }), t([37, 5])],
      [t([3, 4]), 1, t([3, 0], { below: 4 }), t([3, 0])],
    ],
    grad: true,
  },
  scatterReduce: {
    fn: IX.scatterReduce,
    cases: [
      [t([3, 4]), 1, t([3, 6], { below: 4 }), t([3, 6]), 'prod'],
      [t([3, 4]), 1, t([3, 6], { below: 4 }), t([3, 7]), 'sum', { includeSelf: false }],
      [t([3, 4]), 0, t([5, 4], { below: 3 }), t([5, 4]), 'mean'],
      [t([3, 4]), 0, t([5, 4], { below: 3 }), t([5, 4]), 'mean', { includeSelf: false }],
      [t([3, 4]), 1, t([3, 6], { below: 4 }), t([3, 6]), 'amax'],
      [t([37, 29]), 1, t([37, 40], { below: 29 }), t([37, 40]), 'amin', { includeSelf: false }],
      [t([4, 5], { below: 9 }), 0, t([3, 5], { below: 4 }), t([3, 5], { below: 9 }), 'amax'],
    ],
    grad: true,
  },
  indexFill: {
    fn: IX.indexFill,
    kernels: [],
    cases: [
      [t([3, 4]), 1, t([2], { below: 4 }), -1.5],
      [t([3, 4]), 0, t([5], { below: 3 }), 2],
      [t([3, 4]), 1, t([0], { below: 1 }), 1],
    ],
    grad: true,
  },
  indexAdd: {
    fn: IX.indexAdd,
    kernels: [],
    cases: [
      [t([3, 4]), 1, t([5], { below: 4 }), t([3, 5])],
      [t([3, 4]), 0, t([2], { below: 3 }), t([2, 4]), { alpha: -2 }],
      [t([37, 29]), 1, t([40], { below: 29 }), t([37, 40])],
    ],
    grad: true,
  },
  indexCopy: {
    fn: IX.indexCopy,
    kernels: [],
    cases: [
      [t([3, 4]), 1, t([1], { below: 4 }), t([3, 1])],
      [t([3, 4]), 0, t([4], { below: 3 }), t([4, 4])],
    ],
    grad: true,
  },
  indexPut: {
    fn: IX.indexPut,
    kernels: [],
    cases: [
      [t([3, 4]), [t([5], { below: 3 }), t([5], { below: 4 })], t([5]), true],
      [t([3, 4]), [t([2], { below: 3 })], t([4])],
      [t([3, 4, 2]), [t([2, 1], { below: 3 }), t([3], { below: 4 })], 1.5, true],
    ],
    grad: true,
  },
  take: {
    fn: IX.take,
    kernels: [],
    cases: [
      [t([3, 4]), t([5], { below: 12 })],
      [t([3, 4]), t([2, 3], { below: 12 })],
      [t([3, 4]), t([0], { below: 1 })],
    ],
    grad: true,
  },
  nonzero: {
    method: nonzeroMethod,
    async: true as const,
    kernels: [],
    cases: [
      [t([3, 4], { below: 2 })],
      [t([2, 3, 5], { dtype: 'bool' })],
      [t([37, 29], { below: 3 }), { asTuple: true }],
      [t([0, 3])],
      [t([], { below: 2 })],
    ],
    grad: false,
  },
  maskedSelect: {
    fn: maskedSelect,
    async: true as const,
    kernels: [],
    cases: [
      [t([3, 4]), t([3, 4], { dtype: 'bool' })],
      [t([3, 4]), t([4], { dtype: 'bool' })],
      [t([2, 1, 3], { below: 5 }), t([4, 1], { dtype: 'bool' })],
      [t([0, 3]), t([3], { dtype: 'bool' })],
    ],
    // differentiable; the generated gradcheck runs synchronous ops only, test/ops/selection.test.ts checks it
    grad: false,
  },
  unique: {
    method: uniqueMethod,
    async: true as const,
    kernels: [],
    cases: [
      [t([5, 6], { below: 4 })],
      [t([5, 6], { below: 4 }), { returnInverse: true, returnCounts: true }],
      [t([37, 29]), { returnCounts: true }],
      [t([4, 5], { dtype: 'bool' }), { returnInverse: true }],
      [t([0])],
    ],
    grad: false,
  },
  // ---- end of the issue 10 block ----
  // ---- dtype conversions ----
  cast: {
    fn: F.cast,
    cases: [
      [t([3, 4]), 'i32'],
      [t([3, 4]), 'bool'],
    ],
    grad: false,
  },
  float: { method: castTo('f32'), cases: [[t([3, 4], { below: 5 })]], grad: false },
  half: {
    method: castTo('f16'),
    cases: [],
    untested: 'test/ops/half-storage.test.ts casts to and from f16, stored natively and packed, with exact rounding',
    grad: false,
  },
  bfloat16: {
    method: castTo('bf16'),
    cases: [],
    untested: 'test/ops/half-storage.test.ts casts to and from bf16 with exact rounding',
    grad: false,
  },
  int: { method: castTo('i32'), cases: [[t([3, 4])]], grad: false },
  bool: { method: castTo('bool'), cases: [[t([3, 4])]], grad: false },
  // ---- views and copies ----
  reshape: {
    fn: V.reshape,
    cases: [
      [t([3, 4]), [2, 6]],
      [t([3, 4]), [-1]],
    ],
    grad: true,
  },
  view: { fn: V.viewAs, cases: [[t([3, 4]), [4, 3]]], grad: true, contiguousOnly: true },
  permute: { fn: V.permute, cases: [[t([2, 3, 4]), [2, 0, 1]]], grad: true },
  transpose: { fn: V.transpose, cases: [[t([2, 3, 4]), 0, 2], [t([3, 4])]], grad: true },
  expand: { fn: V.expand, cases: [[t([3, 1]), [2, 3, 4]]], grad: true },
  expandAs: {
    method: function (this: Tensor, other: Tensor): Tensor {
      return V.expand(this, other.shape);
    },
    cases: [[t([3, 1]), t([3, 4])]],
    grad: true,
  },
  squeeze: { fn: V.squeeze, cases: [[t([3, 1, 4, 1])], [t([3, 1, 4, 1]), 1], [t([3, 1, 4, 1]), [1, 3]]], grad: true },
  unsqueeze: {
    fn: V.unsqueeze,
    cases: [
      [t([3, 4]), 1],
      [t([3, 4]), -1],
    ],
    grad: true,
  },
  flatten: { fn: V.flatten, cases: [[t([2, 3, 4])], [t([2, 3, 4]), 1]], grad: true },
  unflatten: { fn: V.unflatten, cases: [[t([2, 12]), 1, [3, 4]]], grad: true },
  slice: {
    fn: V.slice,
    cases: [
      [t([5, 6]), 1, 1, 5, 2],
      [t([5, 6]), 0, -3],
    ],
    grad: true,
  },
  narrow: { fn: V.narrow, cases: [[t([5, 6]), 1, 2, 3]], grad: true },
  select: {
    fn: V.select,
    cases: [
      [t([5, 6]), 1, 2],
      [t([5, 6]), 0, -1],
    ],
    grad: true,
  },
  contiguous: { fn: V.contiguous, cases: [[t([3, 4])]], grad: true },
  clone: { fn: V.clone, cases: [[t([3, 4])]], grad: true },
  detach: { fn: V.detach, cases: [[t([3, 4])]], grad: false },
  // ---- shape ops ----
  flip: {
    fn: S.flip,
    cases: [
      [t([3, 4]), 1],
      [t([2, 3, 4]), [0, 2]],
    ],
    grad: true,
  },
  repeat: { fn: S.repeat, cases: [[t([2, 3]), [2, 1, 2]]], grad: true },
  tril: { fn: S.tril, cases: [[t([4, 5])], [t([2, 4, 5]), -1]], grad: true },
  triu: { fn: S.triu, cases: [[t([4, 5])], [t([2, 4, 5]), 1]], grad: true },
  split: {
    fn: S.split,
    cases: [
      [t([5, 4]), 2],
      [t([5, 4]), [1, 3], 1],
    ],
    grad: true,
  },
  chunk: {
    fn: S.chunk,
    cases: [
      [t([5, 4]), 2],
      [t([5, 4]), 3, 1],
    ],
    grad: true,
  },
  // ---- indexing ----
  gather: {
    fn: I.gather,
    cases: [
      [t([3, 4]), 1, t([3, 2], { below: 4 })],
      [t([3, 4]), 0, t([5, 4], { below: 3 })],
    ],
    grad: true,
  },
  scatterAdd: { fn: I.scatterAdd, cases: [[t([3, 4]), 1, t([3, 6], { below: 4 }), t([3, 6])]], grad: true },
  indexSelect: {
    fn: I.indexSelect,
    cases: [
      [t([3, 4]), 1, t([5], { below: 4 })],
      [t([3, 4]), 0, t([2], { below: 3 })],
    ],
    grad: true,
  },
  maskedFill: {
    fn: I.maskedFill,
    cases: [
      [t([3, 4]), t([3, 4], { dtype: 'bool' }), 2.5],
      [t([3, 4]), t([4], { dtype: 'bool' }), -1],
    ],
    grad: true,
  },
  maskedFill_: { fn: I.maskedFill_, cases: [[t([3, 4]), t([3, 4], { dtype: 'bool' }), 2.5]], grad: false },
  // ---- in place (on tensors that do not require grad, or inside noGrad) ----
  copy_: {
    method: function (this: Tensor, src: Operand): Tensor {
      return elementwise(UNARY.cast, [src], [], { out: this });
    },
    cases: [
      [t([3, 4]), t([4])],
      [t([3, 4]), 2],
    ],
    grad: false,
  },
  fill_: {
    method: function (this: Tensor, value: number): Tensor {
      return elementwise(UNARY.cast, [value], [], { out: this });
    },
    cases: [[t([3, 4]), 1.5]],
    grad: false,
  },
  zero_: {
    method: function (this: Tensor): Tensor {
      return elementwise(UNARY.cast, [0], [], { out: this });
    },
    cases: [[t([3, 4])]],
    grad: false,
  },
  add_: {
    method: inPlace('add'),
    cases: [
      [t([3, 4]), t([4])],
      [t([3, 4]), 2],
    ],
    grad: false,
  },
  sub_: {
    method: inPlace('sub'),
    cases: [
      [t([3, 4]), t([4])],
      [t([3, 4]), 2],
    ],
    grad: false,
  },
  mul_: {
    method: inPlace('mul'),
    cases: [
      [t([3, 4]), t([4])],
      [t([3, 4]), 2],
    ],
    grad: false,
  },
  div_: {
    method: inPlace('div'),
    cases: [
      [t([3, 4]), t([4], { domain: [0.5, 2] })],
      [t([3, 4]), 2],
    ],
    grad: false,
  },
  clamp_: {
    method: function (this: Tensor, min?: number | null, max?: number | null): Tensor {
      if ((min as unknown) instanceof Tensor || (max as unknown) instanceof Tensor) {
        throw new Error(
          'clamp_: tensor bounds are supported by clamp (out of place) only; use x.copy_(x.clamp(min, max))',
        );
      }
      return elementwise(UNARY.clamp, [this], [min ?? -Infinity, max ?? Infinity], { out: this });
    },
    cases: [
      [t([3, 4]), -1, 1],
      [t([3, 4]), null, 0.5],
    ],
    grad: false,
  },
  // ---- functions without a Tensor method ----
  cat: {
    fn: S.cat,
    functionOnly: true as const,
    cases: [[[t([2, 3]), t([4, 3])]], [[t([2, 3]), t([2, 1]), t([2, 5])], 1]],
    grad: true,
  },
  stack: {
    fn: S.stack,
    functionOnly: true as const,
    cases: [[[t([2, 3]), t([2, 3])]], [[t([2, 3]), t([2, 3])], -1]],
    grad: true,
  },
  pad: {
    fn: S.pad,
    functionOnly: true as const,
    cases: [
      [t([3, 4]), [1, 2]],
      [t([2, 3, 4]), [0, 1, 2, 0], 1.5],
    ],
    grad: true,
  },
  bmm: { fn: bmm, functionOnly: true as const, tol: ACCUMULATING, cases: [[t([2, 3, 4]), t([2, 4, 5])]], grad: true },
  outer: { fn: outer, functionOnly: true as const, cases: [[t([3]), t([4])]], grad: true },
  linear: {
    fn: linear,
    functionOnly: true as const,
    tol: ACCUMULATING,
    cases: [
      [t([3, 4]), t([5, 4]), t([5])],
      [t([2, 3, 4]), t([5, 4])],
    ],
    grad: true,
  },
  layerNorm: {
    fn: layerNorm,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [
      [t([3, 8]), 8, t([8]), t([8])],
      [t([2, 3, 70]), [70]],
    ],
    grad: true,
  },
  rmsNorm: {
    fn: rmsNorm,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [
      [t([3, 8]), 8, t([8])],
      [t([2, 3, 70]), [70]],
    ],
    grad: true,
  },
  crossEntropy: {
    fn: crossEntropy,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [
      [t([4, 5]), t([4], { below: 5 })],
      [t([6, 7]), t([6], { below: 7 }), { labelSmoothing: 0.1 }],
    ],
    grad: true,
  },
  nllLoss: { fn: nllLoss, functionOnly: true as const, cases: [[t([4, 5]), t([4], { below: 5 })]], grad: true },
  mseLoss: {
    fn: mseLoss,
    functionOnly: true as const,
    cases: [
      [t([4, 5]), t([4, 5])],
      [t([4, 5]), t([4, 5]), { reduction: 'sum' }],
    ],
    grad: true,
  },
  klDiv: { fn: klDiv, functionOnly: true as const, cases: [[t([4, 5]), t([4, 5], { domain: [0.1, 1] })]], grad: true },
  binaryCrossEntropyWithLogits: {
    fn: binaryCrossEntropyWithLogits,
    functionOnly: true as const,
    cases: [[t([4, 5]), t([4, 5], { domain: [0, 1] })]],
    grad: true,
  },
  embedding: {
    fn: I.embedding,
    functionOnly: true as const,
    cases: [[t([6, 4]), t([2, 3], { below: 6 })]],
    grad: true,
  },
  oneHot: { fn: I.oneHot, functionOnly: true as const, cases: [[t([5], { below: 4 }), 4]], grad: false },
  scaledDotProductAttention: {
    fn: scaledDotProductAttention,
    functionOnly: true as const,
    kernels: ['attention'],
    tol: LOOSE,
    cases: [
      [t([1, 2, 5, 4]), t([1, 2, 5, 4]), t([1, 2, 5, 4])],
      [t([1, 2, 5, 4]), t([1, 2, 5, 4]), t([1, 2, 5, 4]), { causal: true }],
    ],
    grad: true,
  },
  rope: { fn: rope, functionOnly: true as const, cases: [[t([1, 2, 5, 4]), t([5], { below: 9 })]], grad: true },
  linearAttention: {
    fn: linearAttention,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [[t([1, 2, 5, 4], { domain: [0.1, 1] }), t([1, 2, 5, 4], { domain: [0.1, 1] }), t([1, 2, 5, 3])]],
    grad: true,
  },
  // ---- shape ops, linear algebra and conversions (ops/shape-extra.ts, ops/linalg.ts, ops/einsum.ts) ----
  roll: {
    fn: X.roll,
    cases: [
      [t([3, 5]), 2, 1],
      [t([2, 3, 4]), [1, -4], [0, 2]],
      [t([7]), -3],
      [t([0, 3]), 1, 1],
      [t([2, 3]), 4],
    ],
    grad: true,
  },
  diag: { fn: X.diag, cases: [[t([4]), 1], [t([3, 5]), -1], [t([5])], [t([4, 4])], [t([0])]], grad: true },
  diagonal: {
    fn: X.diagonal,
    cases: [[t([3, 5]), 1], [t([2, 3, 4]), 0, 1, 2], [t([4, 3]), -2], [t([0, 3])], [t([2, 5]), 7]],
    grad: true,
  },
  trace: { fn: X.trace, cases: [[t([3, 5])], [t([4, 4])], [t([0, 3])]], grad: true },
  movedim: {
    fn: X.movedim,
    cases: [
      [t([2, 3, 4]), 0, 2],
      [t([2, 3, 4, 5]), [0, 1], [3, 0]],
    ],
    grad: true,
  },
  swapaxes: { fn: X.swapaxes, cases: [[t([2, 3, 4]), 0, 2]], grad: true },
  t: { fn: X.matrixT, cases: [[t([3, 5])], [t([4])]], grad: true },
  tile: {
    fn: X.tile,
    cases: [
      [t([2, 3]), [2]],
      [t([2, 3]), [2, 1, 2]],
      [t([0, 3]), [2, 2]],
    ],
    grad: true,
  },
  repeatInterleave: {
    fn: X.repeatInterleave,
    cases: [
      [t([2, 3]), 2, 1],
      [t([2, 3]), [1, 0, 3], 1],
      [t([5]), 3],
      [t([0, 3]), 2, 0],
      [t([2, 3]), 2],
    ],
    grad: true,
  },
  unbind: { fn: X.unbind, cases: [[t([3, 4]), 1], [t([2, 3])], [t([0, 3]), 1]], grad: true },
  meshgrid: {
    fn: X.meshgrid,
    functionOnly: true as const,
    cases: [
      [t([3]), t([4])],
      [[t([3]), t([4]), t([2])], { indexing: 'xy' }],
      [t([0]), t([2]), { indexing: 'ij' }],
    ],
    grad: true,
  },
  dot: {
    fn: L.dot,
    cases: [
      [t([5]), t([5])],
      [t([70]), t([70])],
      [t([0]), t([0])],
    ],
    grad: true,
  },
  mv: {
    fn: L.mv,
    tol: LOOSE,
    cases: [
      [t([3, 4]), t([4])],
      [t([33, 70]), t([70])],
      [t([0, 3]), t([3])],
    ],
    grad: true,
  },
  tensordot: {
    fn: L.tensordot,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [
      [t([2, 3, 4]), t([3, 4, 5])],
      [
        t([2, 3, 4]),
        t([4, 2]),
        [
          [0, 2],
          [1, 0],
        ],
      ],
      [t([3, 2]), t([4]), 0],
    ],
    grad: true,
  },
  einsum: {
    fn: einsum,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [
      ['ij,jk->ik', t([3, 4]), t([4, 5])],
      ['bij,bjk', t([2, 3, 4]), t([2, 4, 5])],
      ['ii', t([4, 4])],
      ['...ij,...jk->...ik', t([2, 1, 3, 4]), t([5, 4, 2])],
      ['i,i->', t([6]), t([6])],
      ['ij->ji', t([3, 5])],
      ['bi,bj,bk->bijk', t([2, 3]), t([2, 4]), t([2, 2])],
      ['iij->j', t([3, 3, 2])],
      ['ij,jk', t([0, 4]), t([4, 3])],
    ],
    grad: true,
  },
  addmm: {
    fn: L.addmm,
    tol: LOOSE,
    cases: [
      [t([3, 5]), t([3, 4]), t([4, 5])],
      [t([5]), t([3, 4]), t([4, 5]), { beta: 0.5, alpha: 2 }],
      [t([3, 1]), t([3, 4]), t([4, 5]), { beta: 0 }],
    ],
    grad: true,
  },
  baddbmm: {
    fn: L.baddbmm,
    tol: LOOSE,
    cases: [
      [t([2, 3, 5]), t([2, 3, 4]), t([2, 4, 5])],
      [t([5]), t([2, 3, 4]), t([2, 4, 5]), { beta: -1, alpha: 0.5 }],
    ],
    grad: true,
  },
  cross: {
    fn: L.cross,
    cases: [
      [t([4, 3]), t([4, 3])],
      [t([3, 5]), t([3, 1]), 0],
      [t([2, 1, 3]), t([4, 3])],
      [t([0, 3]), t([0, 3])],
    ],
    grad: true,
  },
  kron: {
    fn: L.kron,
    cases: [
      [t([2, 3]), t([3, 2])],
      [t([3]), t([2, 2])],
      [t([2, 0]), t([2, 2])],
    ],
    grad: true,
  },
  cdist: {
    fn: L.cdist,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [
      [t([4, 3]), t([5, 3])],
      [t([2, 4, 3]), t([5, 3]), 1],
      [t([3, 2]), t([6, 2]), Infinity],
      [t([3, 2]), t([0, 2])],
    ],
    grad: true,
  },
  // the matrices get `diagonal` added to their diagonal: well conditioned, so f32 and f64 solutions agree
  solve: {
    fn: solve,
    functionOnly: true as const,
    tol: LOOSE,
    cases: [
      [t([4, 4], { diagonal: 3 }), t([4, 3])],
      [t([3, 5, 5], { diagonal: 4 }), t([5, 2])],
      [t([2, 3, 3], { diagonal: 3 }), t([2, 3])],
      [t([70, 70], { diagonal: 40 }), t([70, 2])],
      [t([0, 3, 3]), t([3, 1])],
    ],
    grad: true,
  },
  inverse: {
    fn: inverse,
    tol: LOOSE,
    kernels: [],
    cases: [[t([4, 4], { diagonal: 3 })], [t([2, 3, 3], { diagonal: 3 })], [t([70, 70], { diagonal: 40 })]],
    grad: true,
  },
  long: { method: castTo('i32'), cases: [[t([3, 4])]], grad: false },
  double: {
    method: castTo('f64'),
    cases: [],
    untested: 'f64 is cpu-only: test/ops/linalg.test.ts checks double() on the cpu and its error on webgpu',
    grad: false,
  },
  // ---- layers (issue 10): convolution, pooling, batch/group norm, interpolation, regression losses ----
  // conv runs the unfold/fold window kernels (ops/conv.ts) and matmul, max pooling its argmax kernel and gather,
  // average pooling its own pair of kernels; composites (kernels []) take the tolerance of the kernels they call
  unfold: {
    fn: unfold,
    functionOnly: true as const,
    cases: [
      [t([2, 2, 5, 4]), [2, 3], 1, 1, 1],
      [t([1, 3, 9, 8]), 3, [2, 1], [1, 2], [2, 3]],
      [t([3, 6, 5]), 2],
      [t([0, 2, 4, 4]), 2],
      [t([2, 3, 17, 13]), [3, 2], 1, 1, 2],
    ],
    grad: true,
  },
  fold: {
    fn: fold,
    functionOnly: true as const,
    cases: [
      [t([2, 12, 24]), [5, 4], [2, 3], 1, 1, 1],
      [t([1, 27, 16]), [9, 8], 3, [2, 1], [1, 2], [2, 3]],
      [t([8, 20]), [6, 5], 2],
      [t([2, 6, 63]), [17, 13], [3, 2], 1, 1, 2],
    ],
    grad: true,
  },
  conv2d: {
    fn: conv2d,
    functionOnly: true as const,
    kernels: [],
    tol: ACCUMULATING,
    cases: [
      [t([2, 2, 5, 4]), t([3, 2, 3, 2]), t([3])],
      [t([2, 4, 9, 8]), t([6, 2, 3, 3]), t([6]), [2, 1], [1, 2], [2, 1], 2],
      [t([1, 3, 6, 5]), t([2, 3, 4, 3]), null, 1, 'same', [1, 2]],
      [t([0, 3, 5, 5]), t([2, 3, 3, 3]), null, 1, 'valid'],
      [t([3, 5, 17, 13]), t([8, 5, 3, 3]), t([8]), 2, 1],
      [t([2, 4, 6, 6]), t([4, 1, 3, 3]), t([4]), 1, 1, 1, 4],
      [t([3, 7, 6]), t([2, 3, 2, 2])],
    ],
    grad: true,
  },
  conv1d: {
    fn: conv1d,
    functionOnly: true as const,
    kernels: [],
    tol: ACCUMULATING,
    cases: [
      [t([2, 3, 7]), t([4, 3, 3]), t([4])],
      [t([2, 4, 33]), t([6, 2, 5]), t([6]), 3, 2, 2, 2],
      [t([1, 3, 10]), t([2, 3, 4]), null, 1, 'same', 3],
      [t([0, 3, 8]), t([2, 3, 3])],
      [t([3, 9]), t([5, 3, 2]), t([5]), 2, 'valid'],
    ],
    grad: true,
  },
  maxPool2d: {
    fn: maxPool2d,
    functionOnly: true as const,
    kernels: ['maxPoolIndices'],
    cases: [
      [t([2, 2, 5, 4]), 2],
      [t([2, 3, 9, 8]), [3, 2], [2, 1], [1, 1], 1, false, true],
      [t([1, 2, 7, 7]), 3, 2, 1, 2, true, true],
      [t([0, 2, 4, 4]), 2],
      [t([3, 5, 17, 13]), 3, 2, 1],
      [t([3, 6, 5]), 2, 1, 0, 1, true],
    ],
    grad: true,
  },
  maxPool1d: {
    fn: maxPool1d,
    functionOnly: true as const,
    kernels: [],
    cases: [
      [t([2, 3, 9]), 3],
      [t([2, 3, 33]), 4, 3, 2, 2, true, true],
      [t([3, 8]), 2, 1],
    ],
    grad: true,
  },
  avgPool2d: {
    fn: avgPool2d,
    functionOnly: true as const,
    kernels: ['avgPool', 'avgPoolBackward'],
    tol: LOOSE,
    cases: [
      [t([2, 2, 5, 4]), 2],
      [t([2, 3, 9, 8]), [3, 2], [2, 1], [1, 1]],
      [t([1, 2, 7, 8]), 3, 2, 1, true, false],
      [t([1, 2, 7, 8]), 3, 2, 1, true, true],
      [t([2, 2, 6, 6]), 3, 1, 1, false, true, 4],
      [t([0, 2, 4, 4]), 2],
      [t([3, 17, 13]), 3, 2, 1],
    ],
    grad: true,
  },
  avgPool1d: {
    fn: avgPool1d,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([2, 3, 9]), 3],
      [t([2, 3, 33]), 4, 3, 2, true, false],
      [t([3, 8]), 2, 1],
    ],
    grad: true,
  },
  adaptiveAvgPool2d: {
    fn: adaptiveAvgPool2d,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([2, 2, 5, 7]), [3, 4]],
      [t([2, 3, 9, 8]), 1],
      [t([3, 17, 13]), [null, 5]],
      [t([0, 2, 4, 4]), 2],
    ],
    grad: true,
  },
  adaptiveAvgPool1d: {
    fn: adaptiveAvgPool1d,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([2, 3, 10]), 4],
      [t([3, 7]), 7],
    ],
    grad: true,
  },
  batchNorm: {
    fn: batchNorm,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([4, 3, 5]), null, null, t([3]), t([3]), true],
      [t([4, 3, 5]), t([3]), t([3], { domain: [0.5, 2] }), t([3]), t([3])],
      [t([2, 3, 4, 5]), t([3]), t([3], { domain: [0.5, 2] }), null, null, true, 0.3],
      [t([6, 4]), null, null, null, null, true],
      [t([0, 3, 4]), t([3]), t([3], { domain: [0.5, 2] })],
      [t([33, 8, 9]), null, null, t([8]), t([8]), true, 0.1, 1e-3],
    ],
    grad: true,
  },
  groupNorm: {
    fn: groupNorm,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([2, 6, 5]), 3, t([6]), t([6])],
      [t([2, 4, 3, 3]), 2],
      [t([3, 6]), 6, null, t([6])],
      [t([0, 4, 3]), 2],
      [t([4, 8, 70]), 4, t([8]), t([8]), 1e-3],
    ],
    grad: true,
  },
  interpolate: {
    fn: interpolate,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([1, 2, 5, 4]), { size: [8, 7], mode: 'bilinear' }],
      [t([2, 3, 5, 4]), { size: [7, 3] }],
      [t([2, 3, 4]), { scaleFactor: 2 }],
      [t([1, 2, 5, 4]), { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }],
      [t([2, 3, 9]), { size: 4, mode: 'linear' }],
      [t([0, 2, 3, 3]), { scaleFactor: 2, mode: 'bilinear' }],
      [t([1, 2, 5, 4]), { scaleFactor: [0.5, 1.7], mode: 'bilinear', recomputeScaleFactor: true }],
      [t([2, 3, 17, 13]), { scaleFactor: [1.3, 0.6] }],
    ],
    grad: true,
  },
  l1Loss: {
    fn: l1Loss,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([4, 5]), t([4, 5])],
      [t([37, 29]), t([37, 29]), { reduction: 'sum' }],
      [t([3, 7]), t([3, 7]), { reduction: 'none' }],
      [t([0, 3]), t([0, 3]), { reduction: 'sum' }],
    ],
    grad: true,
  },
  smoothL1Loss: {
    fn: smoothL1Loss,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([4, 5]), t([4, 5]), { beta: 0.5 }],
      [t([37, 29]), t([37, 29]), { reduction: 'sum' }],
      [t([3, 7]), t([3, 7]), { reduction: 'none', beta: 0 }],
    ],
    grad: true,
  },
  huberLoss: {
    fn: huberLoss,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([4, 5]), t([4, 5]), { delta: 0.7 }],
      [t([37, 29]), t([37, 29]), { reduction: 'sum', delta: 2 }],
      [t([3, 7]), t([3, 7]), { reduction: 'none' }],
    ],
    grad: true,
  },
  binaryCrossEntropy: {
    fn: binaryCrossEntropy,
    functionOnly: true as const,
    kernels: [],
    tol: LOOSE,
    cases: [
      [t([4, 5], { domain: [0.05, 0.95] }), t([4, 5], { domain: [0, 1] })],
      [t([37, 29], { domain: [0, 1] }), t([37, 29], { domain: [0, 1] }), { reduction: 'sum' }],
      [t([3, 7], { domain: [0, 1] }), t([3, 7], { domain: [0, 1] }), { reduction: 'none' }],
    ],
    grad: true,
  },
  // ---- end of the layers block ----
};

// every elementwise and reduction kernel has its entry (a separate statement, so that OPS's type stays independent)
OPS satisfies Record<string, OpEntry> & { [K in KernelOpName]: OpEntry };

function castTo(dtype: DType): (this: Tensor) => Tensor {
  return function (this: Tensor): Tensor {
    return F.cast(this, dtype);
  };
}

export type OpName = keyof typeof OPS;

for (const [name, entry] of Object.entries(OPS) as [string, OpEntry][]) {
  for (const kernel of entry.kernels ?? [name]) setValidationTolerance(kernel, entry.tol ?? DEFAULT_TOLERANCE);
}
