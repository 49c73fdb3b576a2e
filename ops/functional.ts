// The functional API: every op as a plain function (torch.* / torch.nn.functional.*).
import { Tensor } from '../core/tensor.js';
import type { DType } from '../core/dtype.js';
import { elementwise, type Operand } from './elementwise.js';
import { UNARY } from './unary.js';
import { BINARY, where } from './binary.js';
import { reduce, variance, std, logsumexp, norm, type Dims } from './reduce.js';
import { gather } from './indexing.js';
import { isGradEnabled } from '../core/autograd.js';

const u = (name: keyof typeof UNARY) => (x: Tensor): Tensor => elementwise(UNARY[name], [x]);
const b = (name: keyof typeof BINARY) => (x: Operand, y: Operand): Tensor => elementwise(BINARY[name], [x, y]);

export const neg = u('neg'), abs = u('abs'), sign = u('sign'), exp = u('exp'), log = u('log'), log1p = u('log1p'),
  expm1 = u('expm1'), sqrt = u('sqrt'), rsqrt = u('rsqrt'), square = u('square'), reciprocal = u('reciprocal'),
  sin = u('sin'), cos = u('cos'), tanh = u('tanh'), sigmoid = u('sigmoid'), relu = u('relu'), erf = u('erf'),
  silu = u('silu'), floor = u('floor'), ceil = u('ceil'), round = u('round'), isnan = u('isnan'),
  isfinite = u('isfinite'), logicalNot = u('logicalNot');

export const add = b('add'), sub = b('sub'), mul = b('mul'), div = b('div'), pow = b('pow'), maximum = b('maximum'),
  minimum = b('minimum'), remainder = b('remainder'), eq = b('eq'), ne = b('ne'), lt = b('lt'), le = b('le'),
  gt = b('gt'), ge = b('ge'), logicalAnd = b('logicalAnd'), logicalOr = b('logicalOr'), logicalXor = b('logicalXor');

export { where };

export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => elementwise(UNARY.leakyRelu, [x], [negativeSlope]);
/** GELU; approximate 'tanh' selects the tanh form (torch's approximate='tanh'). */
export const gelu = (x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor =>
  elementwise(opts.approximate === 'tanh' ? UNARY.geluTanh : UNARY.gelu, [x]);
export const softplus = (x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor =>
  elementwise(UNARY.softplus, [x], [opts.beta ?? 1, opts.threshold ?? 20]);
export const elu = (x: Tensor, alpha = 1): Tensor => elementwise(UNARY.elu, [x], [alpha]);
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
  const big = x.dtype === 'f16' ? 65504 : x.dtype === 'f64' ? Number.MAX_VALUE : 3.4028234663852886e38;
  return elementwise(UNARY.nanToNum, [x], [opts.nan ?? 0, opts.posinf ?? big, opts.neginf ?? -big]);
}
export const cast = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : elementwise(UNARY.cast, [x], [], { dtype }));

export const sum = (x: Tensor, dim?: Dims, keepdim = false) => reduce('sum', x, dim, keepdim);
export const mean = (x: Tensor, dim?: Dims, keepdim = false) => reduce('mean', x, dim, keepdim);
export const prod = (x: Tensor, dim?: Dims, keepdim = false) => reduce('prod', x, dim, keepdim);
export const amax = (x: Tensor, dim?: Dims, keepdim = false) => reduce('amax', x, dim, keepdim);
export const amin = (x: Tensor, dim?: Dims, keepdim = false) => reduce('amin', x, dim, keepdim);
export const argmax = (x: Tensor, dim?: number, keepdim = false) => reduce('argmax', x, dim, keepdim);
export const argmin = (x: Tensor, dim?: number, keepdim = false) => reduce('argmin', x, dim, keepdim);
export const all = (x: Tensor, dim?: Dims, keepdim = false) => reduce('all', x, dim, keepdim);
export const any = (x: Tensor, dim?: Dims, keepdim = false) => reduce('any', x, dim, keepdim);
export { variance as var_, std, logsumexp, norm };

/** max(x): the largest element; max(x, dim): { values, indices } along dim (as torch.max). */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
  if (dim === undefined) return reduce('amax', x);
  return valuesAndIndices('amax', 'argmax', x, dim, keepdim);
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
  if (dim === undefined) return reduce('amin', x);
  return valuesAndIndices('amin', 'argmin', x, dim, keepdim);
}

/**
 * max/min along dim as torch returns them. When x needs a gradient the values are read at the returned indices,
 * so the whole gradient goes to that one element, as in torch (amax/amin split it among ties instead).
 */
function valuesAndIndices(value: 'amax' | 'amin', index: 'argmax' | 'argmin', x: Tensor, dim: number, keepdim: boolean) {
  if (!(x.requiresGrad && isGradEnabled())) return { values: reduce(value, x, dim, keepdim), indices: reduce(index, x, dim, keepdim) };
  const at = reduce(index, x, dim, true);
  const values = gather(x, dim, at);
  return keepdim ? { values, indices: at } : { values: values.squeeze(dim), indices: at.squeeze(dim) };
}
