// Reductions composed from existing kernels: nansum, countNonzero, varMean, and the order statistics median,
// kthvalue, mode and quantile. The order statistics sort along the dim (the bitonic sort kernel) and read the
// answer back with gather, so their gradient flows through gather to the element picked, as torch's does.
import { Tensor, assertTensor } from '../core/tensor.js';
import { isFloat } from '../core/dtype.js';
import { normDim } from '../core/shape.js';
import { where } from './binary.js';
import { reduce, variance, varianceArgs, type Dims, type VarianceOptions } from './reduce.js';
import { gather } from './indexing.js';
import { sort } from './sort.js';
import { arange, full, tensor } from './creation.js';
import { cummax } from './scans-extra.js';
import { cat } from './shape-ops.js';
import { describe, valuesOf } from './op.js';
import { valuesIndices, type ValuesIndices } from './result.js';

/** values and indices before they take their final shape */
interface Picked {
  values: Tensor;
  indices: Tensor;
}

/** The sum with NaN counted as zero (torch.nansum). */
export function nansum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  assertTensor(x, 'nansum');
  return reduce('sum', isFloat(x.dtype) ? where(x.isnan(), 0, x) : x, dim, keepdim);
}

/** The number of nonzero elements, over all dims or the given ones (torch.count_nonzero; i32 here, int64 there). */
export function countNonzero(x: Tensor, dim?: Dims): Tensor {
  assertTensor(x, 'countNonzero');
  return reduce('sum', x.ne(0), dim, false);
}

/** [variance, mean] over the same dims, with var's call forms (torch.var_mean). */
export function varMean(
  x: Tensor,
  dim?: Dims | boolean,
  unbiased?: boolean | VarianceOptions,
  keepdim?: boolean,
): [Tensor, Tensor] {
  assertTensor(x, 'varMean');
  const a = varianceArgs('varMean', x, dim, unbiased, keepdim);
  return [variance(x, a.dims, { correction: a.correction, keepdim: a.keepdim }), reduce('mean', x, a.dims, a.keepdim)];
}

/** The dim a selecting reduction runs along, with the error for an empty one. */
function selectionDim(op: string, x: Tensor, dim: number): number {
  assertTensor(x, op);
  const d = normDim(op, dim, x.ndim);
  if ((x.shape[d] ?? 1) === 0)
    throw new Error(`${op}: dim ${dim} of ${describe(x)} is empty; there is no element to pick`);
  return d;
}

/** The element at `position` of the sorted dim and where it was, with the dim kept (size 1). */
function pickSorted(x: Tensor, d: number, position: number): Picked {
  const sorted = sort(x, d);
  const at = full(
    x.shape.map((s, i) => (i === d ? 1 : s)),
    position,
    { dtype: 'i32', device: x.device },
  );
  return { values: gather(sorted.values, d, at), indices: gather(sorted.indices, d, at) };
}

/** A selection along d of `x` as 1-D when x is 0-d, shaped as torch returns it: 0-d for 0-d x, d kept with keepdim. */
function shaped(r: Picked, x: Tensor, d: number, keepdim: boolean): ValuesIndices {
  if (x.ndim === 0) return valuesIndices(r.values.reshape([]), r.indices.reshape([]));
  return keepdim ? valuesIndices(r.values, r.indices) : valuesIndices(r.values.squeeze(d), r.indices.squeeze(d));
}

/** x, or x as a 1-element 1-D tensor when it is 0-d (torch lets a 0-d tensor reduce along dim 0 or -1). */
const atLeast1d = (x: Tensor): Tensor => (x.ndim === 0 ? x.reshape([1]) : x);

/** The k-th smallest element along dim (k counts from 1) and its position (torch.kthvalue). NaN counts as largest. */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  const view = atLeast1d(x);
  const d = selectionDim('kthvalue', view, dim);
  const size = view.shape[d];
  if (!Number.isInteger(k) || k < 1 || k > size) {
    throw new Error(
      `kthvalue: k = ${k} is out of range for dim ${dim} of size ${size} in ${describe(x)} (valid: 1..${size})`,
    );
  }
  return shaped(pickSorted(view, d, k - 1), x, d, keepdim);
}

/**
 * The median: the lower of the two middle values for an even count, as torch.median. Without dim, the median of
 * every element (a 0-d tensor); with dim, { values, indices } along it. A NaN in a row makes its median NaN, at the
 * index of the first NaN (sorting alone would put NaN last and hide it).
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  assertTensor(x, 'median');
  if (dim === undefined) {
    if (x.numel === 0) throw new Error(`median: ${describe(x)} is empty; there is no median`);
    return median(x.reshape([-1]), 0).values;
  }
  const view = atLeast1d(x);
  const d = selectionDim('median', view, dim);
  let { values, indices } = pickSorted(view, d, Math.floor((view.shape[d] - 1) / 2));
  if (isFloat(x.dtype)) {
    const nan = view.isnan();
    const hasNan = reduce('any', nan, d, true);
    values = where(hasNan, NaN, values);
    indices = where(hasNan, reduce('argmax', nan, d, true), indices);
  }
  return shaped({ values, indices }, x, d, keepdim);
}

/**
 * The most frequent value along dim and the index of its last occurrence (torch.mode); among equally frequent
 * values the smallest wins, as torch's cpu kernel picks. After sorting, each run of equal values ends at the
 * position where the run length (position - start of run + 1, the start carried forward by cummax) is the longest.
 */
export function mode(x: Tensor, dim = -1, keepdim = false): ValuesIndices {
  const view = atLeast1d(x);
  const d = selectionDim('mode', view, dim);
  const L = view.shape[d];
  const sorted = sort(view, d);
  const s = sorted.values.detach();
  const along = view.shape.map((_, i) => (i === d ? L : 1));
  const position = arange(L, undefined, 1, { device: x.device }).reshape(along);
  // a run starts where the value differs from the one before it; ends where it differs from the one after
  const differs = s.narrow(d, 1, L - 1).ne(s.narrow(d, 0, L - 1));
  const edge = full(
    s.shape.map((v, i) => (i === d ? 1 : v)),
    1,
    { dtype: 'bool', device: x.device },
  );
  const starts = cat([edge, differs], d);
  const ends = cat([differs, edge], d);
  const runStart = cummax(where(starts, position, 0), d).values;
  const runLength = where(ends, position.sub(runStart).add(1), 0);
  const best = reduce('argmax', runLength, d, true);
  return shaped({ values: gather(sorted.values, d, best), indices: gather(sorted.indices, d, best) }, x, d, keepdim);
}

export type QuantileInterpolation = 'linear' | 'lower' | 'higher' | 'nearest' | 'midpoint';

/**
 * The q-th quantiles along dim (all elements when dim is null), as torch.quantile: the sorted values are read at
 * rank q * (n - 1) and interpolated between the neighbouring ranks. A row holding NaN gives NaN (its rank is moved
 * to the last sorted place, where NaN sorts). A scalar q reduces the dim; a 1-D q adds a first dim of its length.
 */
export function quantile(
  x: Tensor,
  q: number | readonly number[] | Tensor,
  dim: number | null = null,
  keepdim = false,
  opts: { interpolation?: QuantileInterpolation } = {},
): Tensor {
  assertTensor(x, 'quantile');
  if (!isFloat(x.dtype)) throw new Error(`quantile: input must be a float tensor, got ${describe(x)}`);
  const interpolation = opts.interpolation ?? 'linear';
  if (!['linear', 'lower', 'higher', 'nearest', 'midpoint'].includes(interpolation)) {
    throw new Error(
      `quantile: interpolation '${interpolation}' is not one of linear, lower, higher, nearest, midpoint`,
    );
  }
  const qs = quantileTensor(q, x);
  const flat = dim === null;
  const src = flat ? x.reshape([-1]) : x;
  const rows = atLeast1d(src);
  const d = selectionDim('quantile', rows, flat ? 0 : dim);
  const L = rows.shape[d];
  // the reduced dim last: [...others, L]
  const order = [...rows.shape.keys()].filter((i) => i !== d).concat(d);
  const sorted = sort(rows.permute(order), -1).values;
  const Q = qs.numel;
  const lead = sorted.shape.slice(0, -1);
  const hasNan = reduce('any', sorted.isnan(), -1, true);
  const rank = where(hasNan, L - 1, qs.reshape([Q]).mul(L - 1)).expand([...lead, Q]);
  const below = rank.floor();
  const above = rank.ceil();
  const pick = (r: Tensor) => gather(sorted, -1, r.int());
  let out: Tensor;
  if (interpolation === 'lower') out = pick(below);
  else if (interpolation === 'higher') out = pick(above);
  else if (interpolation === 'nearest') out = pick(rank.round());
  else {
    const lo = pick(below);
    const weight = interpolation === 'midpoint' ? where(above.eq(below), 0, 0.5) : rank.sub(below);
    out = lo.add(pick(above).sub(lo).mul(weight));
  }
  // [...others, Q] -> [Q, ...others], with the reduced dim back as size 1 under keepdim
  out = out.permute([lead.length, ...lead.keys()]);
  if (keepdim && x.ndim > 0) out = flat ? out.reshape([Q, ...x.shape.map(() => 1)]) : out.unsqueeze(d + 1);
  return typeof q === 'number' || (q instanceof Tensor && q.ndim === 0) ? out.squeeze(0) : out;
}

/** q as a 1-D tensor on x's device and dtype, checked to lie in [0, 1] where its values are on the host. */
function quantileTensor(q: number | readonly number[] | Tensor, x: Tensor): Tensor {
  if (q instanceof Tensor) {
    if (q.ndim > 1) throw new Error(`quantile: q must be a number, a list or a 0-D/1-D tensor, got ${describe(q)}`);
    if (q.device !== x.device) throw new Error(`quantile: q is on ${q.device} and the input on ${x.device}`);
    if (q.dtype !== x.dtype) throw new Error(`quantile: q ${describe(q)} must have the input's dtype ${x.dtype}`);
    if (q.device === 'cpu') checkQuantiles([...valuesOf(q)]);
    return q.reshape([-1]);
  }
  const values = typeof q === 'number' ? [q] : [...q];
  checkQuantiles(values);
  return tensor(values, { dtype: x.dtype, device: x.device });
}

function checkQuantiles(values: number[]): void {
  for (const v of values) {
    if (!(v >= 0 && v <= 1)) throw new Error(`quantile: q = ${v} is outside [0, 1]`);
  }
}
