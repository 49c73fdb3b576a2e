// Reductions over any set of dims (negative dims, lists, keepdim), with one kernel template (shaders/reduce.ts)
// and one cpu fold per op. Composite reductions (var, std, logsumexp, norm) are written with these.
import { assertTensor } from '../core/tensor.js';
import type { Tensor } from '../core/tensor.js';
import { castScalar, isFloat, type DType } from '../core/dtype.js';
import { coalesce, normDims, numel, type Shape } from '../core/shape.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { truthy } from '../shaders/elementwise.js';
import { declaration, valueType } from '../shaders/kernel.js';
import { reduceKernel, reduceKey, reduceSource, reduceWorkgroups, REDUCE_MAX_RANK, type ReduceKernel } from '../shaders/reduce.js';
import { apply, describe, offsetsOf, type OpSpec } from './op.js';
import { where } from './binary.js';

export type Dims = number | readonly number[] | undefined;

interface ReduceDef {
  name: string;
  /** accumulator and output dtypes from the input dtype */
  types(input: DType): { acc: DType; out: DType };
  init(T: string): string;
  combine(T: string): string;
  finish(T: string, out: DType): string;
  /** the JS fold over the reduced values in order; returns the result */
  cpu(values: Float64Array): number;
  backward: ((g: Tensor, x: Tensor, out: Tensor, p: Params) => Tensor) | null;
}

interface Params { dims: number[]; keepdim: boolean }

const storeAs = (out: DType, expr: string) => (out === 'bool' ? `select(0u, 1u, ${expr} != 0u)` : `${valueType(out)}(${expr})`);
const nanAware = (T: string, x: string) => (T === 'f32' ? `is_nan(${x})` : 'false');

function sumTypes(input: DType) {
  if (isFloat(input)) return { acc: input, out: input };
  return { acc: 'i32' as DType, out: 'i32' as DType };
}

const lowest = (T: string) => (T === 'f32' ? '-inf_f32()' : T === 'i32' ? 'i32(-2147483647 - 1)' : '0u');
const highest = (T: string) => (T === 'f32' ? 'inf_f32()' : T === 'i32' ? '2147483647i' : '0xffffffffu');

function extremum(name: string, better: '>' | '<', withIndex: boolean): Omit<ReduceDef, 'backward' | 'cpu'> {
  // NaN wins (propagates), ties keep the first index, as torch does.
  return {
    name,
    types: (input) => ({ acc: input === 'bool' ? 'u32' : input, out: withIndex ? 'i32' : input }),
    init: better === '>' ? lowest : highest,
    combine: (T) => `if (xi != 0xffffffffu && (ai == 0xffffffffu || (${nanAware(T, 'x')} && !${nanAware(T, 'acc')}) ||
      (!${nanAware(T, 'acc')} && x ${better} acc) || (xi < ai && (x == acc || (${nanAware(T, 'x')} && ${nanAware(T, 'acc')}))))) { acc = x; ai = xi; }`,
    finish: (T, out) => (withIndex ? 'i32(ai)' : storeAs(out, 'acc')),
  };
}

function foldExtremum(values: Float64Array, better: (a: number, b: number) => boolean): [number, number] {
  let best = NaN;
  let at = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (at < 0 || (Number.isNaN(v) && !Number.isNaN(best)) || (!Number.isNaN(best) && better(v, best))) {
      best = v;
      at = i;
    }
  }
  return [best, at];
}

/** Gradient of amax/amin: shared equally among the elements equal to the result. */
function extremumBackward(g: Tensor, x: Tensor, out: Tensor, p: Params): Tensor {
  const o = p.keepdim ? out : unsqueezeAll(out, p.dims);
  const gk = p.keepdim ? g : unsqueezeAll(g, p.dims);
  const hits = x.eq(o);
  return gk.mul(hits).div(hits.sum(p.dims, true));
}

const unsqueezeAll = (t: Tensor, dims: number[]) => dims.reduce((acc, d) => acc.unsqueeze(d), t);
const expandBack = (g: Tensor, x: Tensor, p: Params) => (p.keepdim ? g : unsqueezeAll(g, p.dims)).expand(x.shape);

export const REDUCE = {
  sum: {
    name: 'sum', types: sumTypes, init: (T: string) => `${T}(0)`, combine: () => 'acc = acc + x;',
    finish: (_T: string, out: DType) => storeAs(out, 'acc'),
    cpu: (v: Float64Array) => v.reduce((a, b) => a + b, 0),
    backward: (g: Tensor, x: Tensor, _o: Tensor, p: Params) => expandBack(g, x, p),
  },
  mean: {
    name: 'mean', types: (d: DType) => ({ acc: isFloat(d) ? d : 'f32', out: isFloat(d) ? d : 'f32' }) as { acc: DType; out: DType },
    init: (T: string) => `${T}(0)`, combine: () => 'acc = acc + x;',
    finish: (_T: string, out: DType) => storeAs(out, 'acc * p0'),
    cpu: (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length,
    backward: (g: Tensor, x: Tensor, _o: Tensor, p: Params) => expandBack(g, x, p).div(countOf(x.shape, p.dims)),
  },
  prod: {
    name: 'prod', types: sumTypes, init: (T: string) => `${T}(1)`, combine: () => 'acc = acc * x;',
    finish: (_T: string, out: DType) => storeAs(out, 'acc'),
    cpu: (v: Float64Array) => v.reduce((a, b) => a * b, 1),
    // d prod / d x_i = product of the others; where x_i = 0 that is not out / x_i, so recompute it there.
    backward: (g: Tensor, x: Tensor, out: Tensor, p: Params) => {
      const o = p.keepdim ? out : unsqueezeAll(out, p.dims);
      const zero = x.eq(0);
      const others = where(zero, where(zero, 1, x).prod(p.dims, true), o.div(where(zero, 1, x)));
      const onlyZero = zero.sum(p.dims, true).le(1);
      return expandBack(g, x, p).mul(where(onlyZero, others, 0));
    },
  },
  amax: { ...extremum('amax', '>', false), cpu: (v: Float64Array) => foldExtremum(v, (a, b) => a > b)[0], backward: extremumBackward },
  amin: { ...extremum('amin', '<', false), cpu: (v: Float64Array) => foldExtremum(v, (a, b) => a < b)[0], backward: extremumBackward },
  argmax: { ...extremum('argmax', '>', true), cpu: (v: Float64Array) => foldExtremum(v, (a, b) => a > b)[1], backward: null },
  argmin: { ...extremum('argmin', '<', true), cpu: (v: Float64Array) => foldExtremum(v, (a, b) => a < b)[1], backward: null },
  all: {
    name: 'all', types: (d: DType) => ({ acc: d === 'f16' ? 'f32' : d, out: 'bool' }) as { acc: DType; out: DType },
    init: (T: string) => `${T}(1)`, combine: (T: string) => `acc = select(${T}(0), ${T}(1), acc != ${T}(0) && ${truthy(T, 'x')});`,
    finish: (T: string) => `select(0u, 1u, acc != ${T}(0))`, cpu: (v: Float64Array) => Number(v.every((x) => x !== 0)), backward: null,
  },
  any: {
    name: 'any', types: (d: DType) => ({ acc: d === 'f16' ? 'f32' : d, out: 'bool' }) as { acc: DType; out: DType },
    init: (T: string) => `${T}(0)`, combine: (T: string) => `acc = select(${T}(0), ${T}(1), acc != ${T}(0) || ${truthy(T, 'x')});`,
    finish: (T: string) => `select(0u, 1u, acc != ${T}(0))`, cpu: (v: Float64Array) => Number(v.some((x) => x !== 0)), backward: null,
  },
} satisfies Record<string, ReduceDef>;

export type ReduceName = keyof typeof REDUCE;

function countOf(shape: Shape, dims: number[]): number {
  return dims.reduce((a, d) => a * shape[d], 1);
}

function specOf(def: ReduceDef): OpSpec<Params> {
  return {
    name: def.name,
    infer([x], { dims, keepdim }) {
      if ((def.name.startsWith('arg') || def.name.startsWith('am')) && countOf(x.shape, dims) === 0 && x.ndim > 0) {
        throw new Error(`${def.name}: cannot reduce over zero elements of ${describe(x)} along dims [${dims}] ` +
          '(there is no identity); reduce along non-empty dims');
      }
      if (x.dtype === 'f64' && x.device !== 'cpu') throw new Error(`${def.name}: f64 is cpu-only`);
      const shape = keepdim ? x.shape.map((s, i) => (dims.includes(i) ? 1 : s)) : x.shape.filter((_, i) => !dims.includes(i));
      return { shape, dtype: def.types(x.dtype).out };
    },
    cpu(out, [x], { dims }) {
      const src = x.storage.cpu!;
      const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
      // visit x with reduced dims innermost: permute view, then row-major offsets
      const perm = x.permute([...kept, ...dims]);
      const offs = offsetsOf(perm);
      perm.dispose();
      const R = countOf(x.shape, dims);
      const rows = R === 0 ? numel(kept.map((d) => x.shape[d])) : offs.length / R;
      const { acc } = def.types(x.dtype);
      const dst = out.storage.cpu!;
      const vals = new Float64Array(R);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < R; j++) vals[j] = castScalar(acc === 'f16' ? 'f32' : acc, src[offs[r * R + j]]);
        dst[r] = castScalar(out.dtype, def.cpu(vals));
      }
    },
    webgpu(out, [x], { dims }) {
      const { acc } = def.types(x.dtype);
      const T = valueType(acc);
      const kernel: ReduceKernel = {
        name: def.name, input: x.dtype, acc, out: out.dtype,
        init: def.init(T), combine: def.combine(T), finish: def.finish(T, out.dtype),
      };
      const keptDims = merge(x, x.shape.map((_, i) => i).filter((i) => !dims.includes(i)));
      const redDims = merge(x, dims);
      const R = countOf(x.shape, dims);
      // the column form when neighbouring outputs are neighbours in memory and there are enough of them to share
      // the work (a long reduction into few outputs keeps the row form's parallelism)
      kernel.perThread = keptDims.strides.at(-1) === 1 && out.numel >= 64 && R <= 64 * out.numel;
      if (keptDims.shape.length > REDUCE_MAX_RANK || redDims.shape.length > REDUCE_MAX_RANK) {
        throw new Error(`${def.name}: tensors of rank > ${REDUCE_MAX_RANK} are not supported on webgpu`);
      }
      const decl = declaration(reduceKey(kernel), () => reduceKernel(kernel));
      const m = decl.meta().u32('outputs', out.numel).u32('count', R)
        .space('kept', keptDims.shape).view('inp', x.offset, keptDims.strides)
        .space('reduced', redDims.shape).view('red', 0, redDims.strides)
        .f32('params', 1 / R); // mean's 1/R: Infinity for R = 0 makes an empty mean NaN
      decl.dispatch(pipeline(reduceKey(kernel), () => reduceSource(kernel)), { inp: x.storage.buffer!, out: out.storage.buffer! }, m, grid(reduceWorkgroups(kernel, out.numel)));
    },
    backward: def.backward && ((g, { inputs: [x], out, params }) => [def.backward!(g, x, out, params)]),
    saves: ({ inputs, out }) => [...inputs, out],
    packedHalf: true,
  };
}

/** Shape and strides of x's dims `ds` (in order), size-1 dims dropped and contiguous neighbours merged. */
function merge(x: Tensor, ds: number[]): { shape: number[]; strides: number[] } {
  const { shape, strides } = coalesce(ds.map((d) => x.shape[d]), [ds.map((d) => x.strides[d])]);
  return { shape, strides: strides[0] };
}

const specs = new Map<string, OpSpec<Params>>();

/** The dims a reduction runs over: none given, or an empty list, means all of them (as torch.sum(x, [])). */
const reductionDims = (op: string, dim: Dims, rank: number): number[] =>
  normDims(op, Array.isArray(dim) && dim.length === 0 ? undefined : dim, rank);

export function reduce(name: ReduceName, x: Tensor, dim?: Dims, keepdim = false): Tensor {
  let spec = specs.get(name);
  if (!spec) specs.set(name, (spec = specOf(REDUCE[name] as ReduceDef)));
  assertTensor(x, name);
  const dims = reductionDims(name, dim, x.ndim);
  return apply(spec, [x], { dims, keepdim });
}

// ---- composites ---------------------------------------------------------------------------------------------------

export interface VarianceOptions { correction?: number; keepdim?: boolean }

/**
 * torch's two call forms of var/std: (dim, unbiased, keepdim) positionally, or (dim, { correction, keepdim }); and
 * var(unbiased) with no dim. Returns the dims, the correction and keepdim.
 */
export function varianceArgs(op: string, x: Tensor, dim: Dims | boolean, second?: boolean | VarianceOptions, keepdim?: boolean) {
  if (typeof dim === 'boolean') {
    if (second !== undefined) throw new Error(`${op}: var(unbiased) takes no further arguments; use ${op}(dim, unbiased, keepdim)`);
    return { dims: reductionDims(op, undefined, x.ndim), correction: dim ? 1 : 0, keepdim: false };
  }
  if (typeof second === 'boolean' || second === undefined) {
    return { dims: reductionDims(op, dim, x.ndim), correction: second === false ? 0 : 1, keepdim: keepdim ?? false };
  }
  if (keepdim !== undefined) throw new Error(`${op}: give keepdim either in the options or positionally after unbiased, not both`);
  if (second === null || typeof second !== 'object') {
    throw new Error(`${op}: the argument after dim is unbiased (a boolean) or { correction, keepdim }, got ${typeof second}`);
  }
  return { dims: reductionDims(op, dim, x.ndim), correction: second.correction ?? 1, keepdim: second.keepdim ?? false };
}

/** Variance with Bessel-style correction (torch.var: correction=1, i.e. unbiased, by default). */
export function variance(x: Tensor, dim?: Dims | boolean, unbiased?: boolean | VarianceOptions, keepdim?: boolean): Tensor {
  assertTensor(x, 'var');
  const a = varianceArgs('var', x, dim, unbiased, keepdim);
  const n = countOf(x.shape, a.dims);
  const centred = x.sub(x.mean(a.dims, true));
  return centred.square().sum(a.dims, a.keepdim).div(Math.max(0, n - a.correction));
}

/**
 * The standard deviation, sqrt(var). Where it is 0 the gradient is 0, as torch's std_backward gives (the chain
 * rule through sqrt would give 0 / 0).
 */
export function std(x: Tensor, dim?: Dims | boolean, unbiased?: boolean | VarianceOptions, keepdim?: boolean): Tensor {
  return safeSqrt(variance(x, dim, unbiased, keepdim));
}

/** sqrt(v) whose gradient is 0 (not NaN) where v = 0: torch's std and norm backward mask those entries. */
function safeSqrt(v: Tensor): Tensor {
  const zero = v.eq(0);
  return where(zero, 0, where(zero, 1, v).sqrt());
}

/** log(sum(exp(x))) computed stably: the max is subtracted first (it is treated as a constant). */
export function logsumexp(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = reductionDims('logsumexp', dim, x.ndim);
  const m = x.detach().amax(dims, true);
  const safeM = where(m.isfinite(), m, 0);
  const r = x.sub(safeM).exp().sum(dims, true).log().add(safeM);
  return keepdim ? r : r.squeeze(dims);
}

/** The p-norm (p = 2 by default; 1, Infinity and other p > 0 too). */
export function norm(x: Tensor, p = 2, dim?: Dims, keepdim = false): Tensor {
  if (p === Infinity) return x.abs().amax(dim, keepdim);
  if (p === 1) return x.abs().sum(dim, keepdim);
  if (p === 2) return safeSqrt(x.square().sum(dim, keepdim)); // a zero vector's gradient is 0, as in torch
  if (!(p > 0)) throw new Error(`norm: p must be positive or Infinity, got ${p}`);
  return x.abs().pow(p).sum(dim, keepdim).pow(1 / p);
}
