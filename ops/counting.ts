// Search and counting: isclose/allclose, searchsorted/bucketize, histc, bincount, triuIndices/trilIndices.
// searchsorted runs a binary search per value (shaders/searchsorted.ts). histc and bincount add one
// per element into their bins with the scatter-add kernel; elements outside histc's range go to a spare bin that
// is cut off. bincount's length is max(input) + 1, known only after a readback, so bincount is async on every
// device (`await bincount(x)`), as every readback is; allclose returns a Promise<boolean> for the same reason.
import { Tensor, assertTensor } from '../core/tensor.js';
import { isFloat } from '../core/dtype.js';
import { tidy } from '../core/scope.js';
import { where } from './binary.js';
import { reduce } from './reduce.js';
import { gather, scatterAdd } from './indexing.js';
import { full, tensor, zeros } from './creation.js';
import { apply, describe, type OpSpec } from './op.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { SEARCH_WG, searchsortedKernel, searchsortedKey, searchsortedSource } from '../shaders/searchsorted.js';

/**
 * Where |a - b| <= atol + rtol * |b| elementwise, or a == b (equal infinities); NaNs are equal only with equalNan
 * (torch.isclose, positional arguments in torch's order).
 */
export function isclose(a: Tensor, b: Tensor | number, rtol = 1e-5, atol = 1e-8, equalNan = false): Tensor {
  assertTensor(a, 'isclose');
  if (b instanceof Tensor && a.dtype !== b.dtype) {
    throw new Error(`isclose: the inputs must have one dtype, got ${describe(a)} and ${describe(b)}`);
  }
  if (!(rtol >= 0) || !(atol >= 0))
    throw new Error(`isclose: rtol and atol must be non-negative, got ${rtol}, ${atol}`);
  const equal = a.eq(b);
  if (!isFloat(a.dtype)) return equal;
  const bothNan = () => a.isnan().logicalAnd(b instanceof Tensor ? b.isnan() : Number(Number.isNaN(b)));
  if (typeof b === 'number' && !Number.isFinite(b)) return equalNan ? equal.logicalOr(bothNan()) : equal;
  // a == b covers equal infinities; the distance test needs both finite (|1 - inf| <= rtol * inf would hold)
  const tolerance = b instanceof Tensor ? b.abs().mul(rtol).add(atol) : Math.abs(b) * rtol + atol;
  const finite = b instanceof Tensor ? a.isfinite().logicalAnd(b.isfinite()) : a.isfinite();
  const close = equal.logicalOr(a.sub(b).abs().le(tolerance).logicalAnd(finite));
  return equalNan ? close.logicalOr(bothNan()) : close;
}

/** Whether every element is close (torch.allclose); async, as every readback is. */
export async function allclose(
  a: Tensor,
  b: Tensor | number,
  rtol = 1e-5,
  atol = 1e-8,
  equalNan = false,
): Promise<boolean> {
  const all = tidy(() => reduce('all', isclose(a, b, rtol, atol, equalNan))); // no caller's tidy spans the await
  try {
    return (await all.item()) !== 0;
  } finally {
    all.dispose();
  }
}

export interface SearchsortedOptions {
  /** the last index where the value could go (elements equal to it come before it) */
  right?: boolean;
  side?: 'left' | 'right';
  /** the positions that sort sortedSequence along its last dim, when it is not sorted itself */
  sorter?: Tensor;
}

/**
 * For each value, the index where it would be inserted into the sorted last dim of sortedSequence to keep it
 * sorted (torch.searchsorted): the count of elements below it (left) or not above it (right). sortedSequence is
 * 1-D, or has the leading dims of values. i32 indices (torch's out_int32).
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, opts: SearchsortedOptions = {}): Tensor {
  assertTensor(sortedSequence, 'searchsorted');
  if (opts.side !== undefined && opts.side !== 'left' && opts.side !== 'right') {
    throw new Error(`searchsorted: side must be 'left' or 'right', got '${String(opts.side)}'`);
  }
  if (opts.right === true && opts.side === 'left') {
    throw new Error("searchsorted: right=true and side='left' contradict each other; give one of them");
  }
  const right = opts.right === true || opts.side === 'right';
  const v =
    values instanceof Tensor
      ? values
      : tensor([values], { dtype: sortedSequence.dtype, device: sortedSequence.device }).reshape([]);
  if (sortedSequence.ndim === 0)
    throw new Error(`searchsorted: sortedSequence must have at least 1 dim, got ${describe(sortedSequence)}`);
  const lead = sortedSequence.shape.slice(0, -1);
  if (lead.length > 0 && (v.ndim !== sortedSequence.ndim || lead.some((s, i) => s !== v.shape[i]))) {
    throw new Error(
      `searchsorted: sortedSequence ${describe(sortedSequence)} must be 1-D or have the leading dims of values ` +
        `${describe(v)} (all but the last)`,
    );
  }
  let seq = sortedSequence;
  if (opts.sorter !== undefined) {
    if (opts.sorter.ndim !== seq.ndim || opts.sorter.shape.some((s, i) => s !== seq.shape[i])) {
      throw new Error(
        `searchsorted: sorter ${describe(opts.sorter)} must have the shape of sortedSequence ${describe(seq)}`,
      );
    }
    seq = gather(seq, -1, opts.sorter);
  }
  if (v.dtype !== seq.dtype)
    throw new Error(`searchsorted: values ${describe(v)} must have the dtype of sortedSequence ${describe(seq)}`);
  // both contiguous for the kernel (copies of strided views are freed with the scope; the op has no gradient)
  return tidy(() => apply(SEARCHSORTED, [seq.contiguous(), v.contiguous()], { right }));
}

const SEARCHSORTED: OpSpec<{ right: boolean }> = {
  name: 'searchsorted',
  infer([, v]) {
    return { shape: v.shape, dtype: 'i32' };
  },
  cpu(out, [seq, v], { right }) {
    const s = seq.storage.cpu!;
    const x = v.storage.cpu!;
    const dst = out.storage.cpu!;
    const L = seq.shape[seq.ndim - 1];
    const per = seq.ndim > 1 ? (v.shape[v.ndim - 1] ?? 1) : 0;
    for (let i = 0; i < v.numel; i++) {
      const base = seq.offset + (per > 0 ? Math.floor(i / per) * L : 0);
      const value = x[v.offset + i];
      let lo = 0;
      let hi = L;
      // the first position whose element is >= value (left) or > value (right), as the kernel's binary search
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const e = s[base + mid];
        if (e < value || (right && e === value)) lo = mid + 1;
        else hi = mid;
      }
      dst[i] = lo;
    }
  },
  webgpu(out, [seq, v], { right }) {
    const L = seq.shape[seq.ndim - 1];
    const per = seq.ndim > 1 ? (v.shape[v.ndim - 1] ?? 1) : 0;
    const kernel = searchsortedKernel(seq.dtype);
    const meta = kernel
      .meta()
      .u32('n', v.numel)
      .u32('length', L)
      .u32('perRow', per)
      .u32('right', Number(right))
      .u32('seqOffset', seq.offset)
      .u32('valueOffset', v.offset);
    const pipe = pipeline(searchsortedKey(seq.dtype), () => searchsortedSource(seq.dtype));
    const buffers = { seq: seq.storage.buffer!, vals: v.storage.buffer!, out: out.storage.buffer! };
    kernel.dispatch(pipe, buffers, meta, grid(Math.ceil(v.numel / SEARCH_WG)));
  },
  backward: null,
  packedHalf: true,
};

/** The bucket of each element between sorted 1-D boundaries (torch.bucketize; right as torch's). */
export function bucketize(input: Tensor | number, boundaries: Tensor, opts: { right?: boolean } = {}): Tensor {
  assertTensor(boundaries, 'bucketize');
  if (boundaries.ndim !== 1) throw new Error(`bucketize: boundaries must be 1-D, got ${describe(boundaries)}`);
  return searchsorted(boundaries, input, { right: opts.right ?? false });
}

/**
 * A histogram of `bins` equal-width bins over [min, max] (torch.histc); elements outside are ignored, max goes in
 * the last bin. min = max = 0 takes the range from the data (min and max stay tensors: no readback); a range of
 * width zero widens to [min - 1, max + 1], as torch's does. Float input; the counts have its dtype.
 */
export function histc(input: Tensor, bins = 100, min = 0, max = 0): Tensor {
  assertTensor(input, 'histc');
  if (!isFloat(input.dtype)) throw new Error(`histc: input must be a float tensor, got ${describe(input)}`);
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histc: bins must be a positive integer, got ${bins}`);
  if (min > max) throw new Error(`histc: min ${min} must not exceed max ${max}`);
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new Error(`histc: the range [${min}, ${max}] must be finite`);
  const x = input.detach().reshape([-1]);
  const counts = zeros([bins + 1], { dtype: input.dtype, device: input.device });
  if (x.numel === 0) return counts.narrow(0, 0, bins);
  let lo: Tensor | number = min;
  let hi: Tensor | number = max;
  if (min === 0 && max === 0) {
    lo = reduce('amin', x);
    hi = reduce('amax', x);
  }
  if (lo instanceof Tensor && hi instanceof Tensor) {
    const flat = lo.eq(hi);
    [lo, hi] = [where(flat, lo.sub(1), lo), where(flat, hi.add(1), hi)];
  } else if (lo === hi) {
    [lo, hi] = [(lo as number) - 1, (hi as number) + 1];
  }
  // bin = floor((x - lo) * bins / (hi - lo)), with x = hi in the last bin; outside [lo, hi] (or NaN) the spare bin
  const width = typeof hi === 'number' && typeof lo === 'number' ? hi - lo : (hi as Tensor).sub(lo);
  const bin = x
    .sub(lo)
    .mul(bins)
    .div(width)
    .floor()
    .clamp(0, bins - 1)
    .int();
  const inside = x.ge(lo).logicalAnd(x.le(hi));
  const at = where(inside, bin, bins);
  const one = full([], 1, { dtype: input.dtype, device: input.device }).expand([x.numel]);
  return scatterAdd(counts, 0, at, one).narrow(0, 0, bins);
}

/**
 * How often each non-negative integer occurs in a 1-D i32 tensor, or the sum of its weights (torch.bincount): a
 * tensor of max(max(input) + 1, minlength) counts (i32, or the weights' dtype). Async on every device: its length
 * is read back from the data.
 */
export async function bincount(input: Tensor, weights?: Tensor | null, minlength = 0): Promise<Tensor> {
  assertTensor(input, 'bincount');
  if (input.ndim !== 1 || (input.dtype !== 'i32' && input.dtype !== 'u32')) {
    throw new Error(`bincount: input must be a 1-D integer tensor, got ${describe(input)}`);
  }
  if (!Number.isInteger(minlength) || minlength < 0)
    throw new Error(`bincount: minlength must be a non-negative integer, got ${minlength}`);
  if (weights != null) {
    assertTensor(weights, 'bincount');
    if (weights.ndim !== 1 || weights.shape[0] !== input.shape[0]) {
      throw new Error(
        `bincount: weights ${describe(weights)} must be 1-D with one weight per input element (${input.shape[0]})`,
      );
    }
    if (weights.device !== input.device)
      throw new Error(`bincount: weights are on ${weights.device} and the input on ${input.device}`);
  }
  let length = minlength;
  if (input.numel > 0) {
    const extremes = tidy(() => [reduce('amin', input), reduce('amax', input)]);
    const [lowest, highest] = await Promise.all(extremes.map((e) => e.item()));
    extremes.forEach((e) => e.dispose());
    if (input.dtype === 'i32' && lowest < 0) throw new Error(`bincount: input must be non-negative, got ${lowest}`);
    length = Math.max(length, highest + 1);
  }
  // float weights keep their dtype; integer weights sum in f32 (torch: float64, which webgpu lacks)
  const dtype = weights == null ? 'i32' : isFloat(weights.dtype) ? weights.dtype : 'f32';
  // after the await: freed here, since no caller's tidy scope spans it
  return tidy(() => {
    const counts = zeros([length], { dtype, device: input.device });
    if (input.numel === 0) return counts;
    const src =
      weights == null ? full([], 1, { dtype, device: input.device }).expand(input.shape) : weights.cast(dtype);
    return scatterAdd(counts, 0, input, src);
  });
}

/** The coordinates (a [2, N] i32 tensor, row-major order) of a row x col matrix's upper triangle (torch.triu_indices). */
export function triuIndices(row: number, col: number, offset = 0, opts: { device?: Tensor['device'] } = {}): Tensor {
  return triangleIndices('triuIndices', row, col, offset, (i, j) => j - i >= offset, opts.device);
}

/** The coordinates (a [2, N] i32 tensor, row-major order) of a row x col matrix's lower triangle (torch.tril_indices). */
export function trilIndices(row: number, col: number, offset = 0, opts: { device?: Tensor['device'] } = {}): Tensor {
  return triangleIndices('trilIndices', row, col, offset, (i, j) => j - i <= offset, opts.device);
}

function triangleIndices(
  op: string,
  row: number,
  col: number,
  offset: number,
  inside: (i: number, j: number) => boolean,
  device?: Tensor['device'],
): Tensor {
  for (const [name, v] of [
    ['row', row],
    ['col', col],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: ${name} must be a non-negative integer, got ${v}`);
  }
  if (!Number.isInteger(offset)) throw new Error(`${op}: offset must be an integer, got ${offset}`);
  // the coordinates depend only on the sizes: computed on the host and uploaded once
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < row; i++) {
    for (let j = 0; j < col; j++) {
      if (inside(i, j)) {
        rows.push(i);
        cols.push(j);
      }
    }
  }
  return tensor([...rows, ...cols], { shape: [2, rows.length], dtype: 'i32', device });
}
