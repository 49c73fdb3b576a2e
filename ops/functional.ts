// The functional API: every op as a plain function (torch.* / torch.nn.functional.*).
import { Tensor } from '../core/tensor.js';
import type { DType } from '../core/dtype.js';
import { elementwise, type Operand } from './elementwise.js';
import { UNARY } from './unary.js';
import { BINARY, where } from './binary.js';
import { reduce, variance, std, logsumexp, norm, type Dims } from './reduce.js';
import { gather } from './indexing.js';
import { isGradEnabled } from '../core/autograd.js';
import { valuesIndices, type ValuesIndices } from './result.js';

// The signatures are annotated (not inferred from UNARY/BINARY) because the Tensor method typings derive from them
// (ops/registry.ts), and the definitions' backward rules use those methods: inferring would be circular.
type UnaryFn = (x: Tensor) => Tensor;
type BinaryFn = (x: Operand, y: Operand) => Tensor;
type ReductionFn = (x: Tensor, dim?: Dims, keepdim?: boolean) => Tensor;
type IndexReductionFn = (x: Tensor, dim?: number, keepdim?: boolean) => Tensor;
const u = (name: keyof typeof UNARY): UnaryFn => (x) => elementwise(UNARY[name], [x]);
const b = (name: keyof typeof BINARY): BinaryFn => (x, y) => elementwise(BINARY[name], [x, y]);

export const neg: UnaryFn = u('neg'), abs: UnaryFn = u('abs'), sign: UnaryFn = u('sign'), exp: UnaryFn = u('exp'),
  log: UnaryFn = u('log'), log1p: UnaryFn = u('log1p'), expm1: UnaryFn = u('expm1'), sqrt: UnaryFn = u('sqrt'),
  rsqrt: UnaryFn = u('rsqrt'), square: UnaryFn = u('square'), reciprocal: UnaryFn = u('reciprocal'),
  sin: UnaryFn = u('sin'), cos: UnaryFn = u('cos'), tanh: UnaryFn = u('tanh'), sigmoid: UnaryFn = u('sigmoid'),
  relu: UnaryFn = u('relu'), erf: UnaryFn = u('erf'), silu: UnaryFn = u('silu'), floor: UnaryFn = u('floor'),
  ceil: UnaryFn = u('ceil'), round: UnaryFn = u('round'), isnan: UnaryFn = u('isnan'),
  isfinite: UnaryFn = u('isfinite'), logicalNot: UnaryFn = u('logicalNot'), tan: UnaryFn = u('tan'),
  asin: UnaryFn = u('asin'), acos: UnaryFn = u('acos'), atan: UnaryFn = u('atan'), sinh: UnaryFn = u('sinh'),
  cosh: UnaryFn = u('cosh'), log2: UnaryFn = u('log2'), log10: UnaryFn = u('log10'), exp2: UnaryFn = u('exp2'),
  trunc: UnaryFn = u('trunc'), frac: UnaryFn = u('frac');

export const add: BinaryFn = b('add'), sub: BinaryFn = b('sub'), mul: BinaryFn = b('mul'), div: BinaryFn = b('div'),
  pow: BinaryFn = b('pow'), maximum: BinaryFn = b('maximum'), minimum: BinaryFn = b('minimum'),
  remainder: BinaryFn = b('remainder'), eq: BinaryFn = b('eq'), ne: BinaryFn = b('ne'), lt: BinaryFn = b('lt'),
  le: BinaryFn = b('le'), gt: BinaryFn = b('gt'), ge: BinaryFn = b('ge'), logicalAnd: BinaryFn = b('logicalAnd'),
  logicalOr: BinaryFn = b('logicalOr'), logicalXor: BinaryFn = b('logicalXor'), fmod: BinaryFn = b('fmod'),
  floorDivide: BinaryFn = b('floorDivide'), atan2: BinaryFn = b('atan2'), hypot: BinaryFn = b('hypot'),
  logaddexp: BinaryFn = b('logaddexp'), xlogy: BinaryFn = b('xlogy');

export { where };

export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => elementwise(UNARY.leakyRelu, [x], [negativeSlope]);
/** GELU; approximate 'tanh' selects the tanh form (torch's approximate='tanh'). */
export const gelu = (x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor =>
  elementwise(opts.approximate === 'tanh' ? UNARY.geluTanh : UNARY.gelu, [x]);
export const softplus = (x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor =>
  elementwise(UNARY.softplus, [x], [opts.beta ?? 1, opts.threshold ?? 20]);
export const elu = (x: Tensor, alpha = 1): Tensor => elementwise(UNARY.elu, [x], [alpha]);
export const logsigmoid: UnaryFn = u('logsigmoid'), mish: UnaryFn = u('mish'), selu: UnaryFn = u('selu'),
  hardswish: UnaryFn = u('hardswish'), hardsigmoid: UnaryFn = u('hardsigmoid');
export const celu = (x: Tensor, alpha = 1): Tensor => {
  if (alpha === 0) throw new Error('celu: alpha must not be 0 (it divides x)');
  return elementwise(UNARY.celu, [x], [alpha]);
};
/** x clamped to [minVal, maxVal], with gradient 0 at the bounds (torch.nn.functional.hardtanh). */
export const hardtanh = (x: Tensor, minVal = -1, maxVal = 1): Tensor => {
  if (minVal > maxVal) throw new Error(`hardtanh: minVal ${minVal} is greater than maxVal ${maxVal}`);
  return elementwise(UNARY.hardtanh, [x], [minVal, maxVal]);
};
/** min(max(x, 0), 6): hardtanh(x, 0, 6), as torch.nn.functional.relu6. */
export const relu6 = (x: Tensor): Tensor => elementwise(UNARY.hardtanh, [x], [0, 6]);
/**
 * Clamps x into [min, max]; either bound may be a number, a tensor (broadcast against x, as torch.clamp) or absent.
 * With tensor bounds the gradient goes to x inside the bounds and to the bound where it was taken, as in torch.
 */
export function clamp(x: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
  if (min == null && max == null) throw new Error('clamp: at least one of min and max must be given');
  for (const [name, v] of [['min', min], ['max', max]] as const) {
    if (v != null && typeof v !== 'number' && !(v instanceof Tensor)) {
      throw new Error(`clamp: ${name} must be a number, a Tensor or null, got ${Array.isArray(v) ? 'a JS array' : typeof v}`);
    }
  }
  if (min instanceof Tensor || max instanceof Tensor) {
    const low = min == null ? x : where(x.lt(min), min, x);
    return max == null ? low : where(low.gt(max), max, low);
  }
  if (min != null && max != null && min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
  return elementwise(UNARY.clamp, [x], [min ?? -Infinity, max ?? Infinity]);
}
/** Replaces NaN and infinities; infinities become the dtype's largest finite values by default (as torch.nan_to_num). */
export function nanToNum(x: Tensor, opts: { nan?: number; posinf?: number; neginf?: number } = {}): Tensor {
  const big = x.dtype === 'f16' ? 65504 : x.dtype === 'bf16' ? 3.3895313892515355e38 : x.dtype === 'f64' ? Number.MAX_VALUE : 3.4028234663852886e38;
  return elementwise(UNARY.nanToNum, [x], [opts.nan ?? 0, opts.posinf ?? big, opts.neginf ?? -big]);
}
export const cast = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : elementwise(UNARY.cast, [x], [], { dtype }));

export const sum: ReductionFn = (x, dim, keepdim = false) => reduce('sum', x, dim, keepdim);
export const mean: ReductionFn = (x, dim, keepdim = false) => reduce('mean', x, dim, keepdim);
export const prod: ReductionFn = (x, dim, keepdim = false) => reduce('prod', x, dim, keepdim);
export const amax: ReductionFn = (x, dim, keepdim = false) => reduce('amax', x, dim, keepdim);
export const amin: ReductionFn = (x, dim, keepdim = false) => reduce('amin', x, dim, keepdim);
export const argmax: IndexReductionFn = (x, dim, keepdim = false) => reduce('argmax', x, dim, keepdim);
export const argmin: IndexReductionFn = (x, dim, keepdim = false) => reduce('argmin', x, dim, keepdim);
export const all: ReductionFn = (x, dim, keepdim = false) => reduce('all', x, dim, keepdim);
export const any: ReductionFn = (x, dim, keepdim = false) => reduce('any', x, dim, keepdim);
export { variance as var_, std, logsumexp, norm };

/**
 * max(x): the largest element; max(x, dim, keepdim?): { values, indices } along dim (also destructured as
 * [values, indices]); max(x, other): the elementwise maximum (torch.max's three forms).
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dimOrOther instanceof Tensor) return binaryForm('max', 'maximum', x, dimOrOther, keepdim);
  if (dimOrOther === undefined) return reduce('amax', x);
  return valuesAndIndices('amax', 'argmax', x, dimOrOther, keepdim);
}
/** min(x), min(x, dim, keepdim?) as { values, indices }, min(x, other) elementwise (torch.min's three forms). */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dimOrOther instanceof Tensor) return binaryForm('min', 'minimum', x, dimOrOther, keepdim);
  if (dimOrOther === undefined) return reduce('amin', x);
  return valuesAndIndices('amin', 'argmin', x, dimOrOther, keepdim);
}

function binaryForm(op: string, name: 'maximum' | 'minimum', x: Tensor, other: Tensor, keepdim: unknown): Tensor {
  if (keepdim !== false) throw new Error(`${op}: with a tensor second argument (the elementwise ${name}) keepdim does not apply`);
  return elementwise(BINARY[name], [x, other]);
}

/**
 * max/min along dim as torch returns them. When x needs a gradient the values are read at the returned indices,
 * so the whole gradient goes to that one element, as in torch (amax/amin split it among ties instead).
 */
function valuesAndIndices(value: 'amax' | 'amin', index: 'argmax' | 'argmin', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  if (!(x.requiresGrad && isGradEnabled())) return valuesIndices(reduce(value, x, dim, keepdim), reduce(index, x, dim, keepdim));
  const at = reduce(index, x, dim, true);
  const values = gather(x, dim, at);
  return keepdim ? valuesIndices(values, at) : valuesIndices(values.squeeze(dim), at.squeeze(dim));
}
