// Resampling with torch.nn.functional.interpolate's semantics for modes 'nearest' (3-D and 4-D inputs), 'linear'
// (3-D) and 'bilinear' (4-D). Both modes are separable, one spatial dim at a time:
//   nearest:  out[i] = x[min(floor(i scale), in - 1)], an indexSelect along the dim (exact, and its gradient is the
//             index-add of indexSelect);
//   linear:   out[i] = (1 - l) x[i0] + l x[i1], with torch's source coordinate
//             src = scale (i + 0.5) - 0.5 clamped at 0 (alignCorners false), or src = i (in - 1) / (out - 1) (true),
//             i0 = floor(src), i1 = min(i0 + 1, in - 1), l = src - i0. The weights form a matrix A [out, in] with two
//             nonzeros a row, so a dim is resampled by one matmul (the tuned kernel; its gradient A^T g for free).
// scale is in / out, or 1 / scaleFactor when a scaleFactor is given and recomputeScaleFactor is not set (torch).
// A NaN or Inf in the input spreads along a whole row under linear modes (0 times Inf in the matmul), where
// torch's kernel would spread it to the neighbours only.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { isFloat } from '../core/dtype.js';
import { describe } from './op.js';
import { tensor } from './creation.js';
import { indexSelect } from './indexing.js';
import { matmul } from './matmul.js';

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear';

export interface InterpolateOptions {
  /** the output's spatial size (one number for every spatial dim, or one per dim) */
  size?: number | readonly number[] | null;
  /** multiplies each spatial size (floored); give size or scaleFactor, not both */
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  /** linear modes only: map the corner pixels' centres onto each other (default false) */
  alignCorners?: boolean | null;
  /** compute the coordinate scale from the floored output size instead of from scaleFactor (default false) */
  recomputeScaleFactor?: boolean | null;
}

const OPTION_NAMES = ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'];

const SPATIAL_RANK: Record<InterpolateMode, number[]> = { nearest: [1, 2], linear: [1], bilinear: [2] };

/** A per-spatial-dim option as a list of `rank` numbers. */
function perDim(op: string, name: string, v: number | readonly number[], rank: number): number[] {
  const list = typeof v === 'number' ? Array<number>(rank).fill(v) : [...v];
  if (list.length !== rank || list.some((k) => !(k > 0) || !Number.isFinite(k))) {
    throw new Error(
      `${op}: ${name} must be a positive number or a list of ${rank} (one per spatial dim), got ${JSON.stringify(v)}`,
    );
  }
  return list;
}

/** The source position of output index i along a dim (linear modes). */
function sourceOf(i: number, inSize: number, outSize: number, scale: number, alignCorners: boolean): number {
  if (alignCorners) return outSize > 1 ? (i * (inSize - 1)) / (outSize - 1) : 0;
  return Math.max(scale * (i + 0.5) - 0.5, 0);
}

/** The [out, in] matrix of linear-interpolation weights along one dim. */
function linearWeights(x: Tensor, inSize: number, outSize: number, scale: number, alignCorners: boolean): Tensor {
  const a = new Array<number>(outSize * inSize).fill(0);
  for (let i = 0; i < outSize; i++) {
    const src = sourceOf(i, inSize, outSize, scale, alignCorners);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const l = src - i0;
    a[i * inSize + i0] += 1 - l;
    a[i * inSize + i1] += l;
  }
  return tensor(a, { shape: [outSize, inSize], dtype: x.dtype, device: x.device });
}

/** Nearest source indices along one dim, computed in f32 as torch's kernel does (so boundaries round alike). */
function nearestIndices(x: Tensor, inSize: number, outSize: number, scale: number): Tensor {
  const s = Math.fround(scale);
  const idx = Array.from({ length: outSize }, (_, i) => Math.min(Math.floor(Math.fround(i * s)), inSize - 1));
  return tensor(idx, { dtype: 'i32', device: x.device });
}

/** torch.nn.functional.interpolate for 'nearest', 'linear' and 'bilinear': x [N, C, L] or [N, C, H, W]. */
export function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  const op = 'interpolate';
  const { size = null, scaleFactor = null, mode = 'nearest', alignCorners = null, recomputeScaleFactor = null } = opts;
  assertTensor(x, op);
  const unknown = Object.keys(opts).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length) {
    throw new Error(
      `${op}: unsupported option ${unknown.join(', ')} (valid: ${OPTION_NAMES.join(', ')}; antialias is not implemented)`,
    );
  }
  if (!(mode in SPATIAL_RANK)) {
    throw new Error(
      `${op}: mode '${String(mode)}' is not supported (valid: 'nearest', 'linear' for 3-D input, 'bilinear' for 4-D)`,
    );
  }
  const rank = x.ndim - 2;
  if (!SPATIAL_RANK[mode].includes(rank)) {
    throw new Error(
      `${op}: mode '${mode}' takes a ${SPATIAL_RANK[mode].map((r) => `${r + 2}-D`).join(' or ')} input [N, C, spatial...], got ${describe(x)}`,
    );
  }
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a floating-point input, got ${describe(x)}`);
  if (alignCorners !== null && mode === 'nearest') {
    throw new Error(
      `${op}: alignCorners can only be set with the interpolating modes 'linear' and 'bilinear', not '${mode}'`,
    );
  }
  if ((size === null) === (scaleFactor === null)) throw new Error(`${op}: give exactly one of size and scaleFactor`);
  const inSizes = x.shape.slice(2);
  let outSizes: number[];
  let scales: number[];
  if (size !== null) {
    outSizes = perDim(op, 'size', size, rank);
    if (outSizes.some((s) => !Number.isInteger(s)))
      throw new Error(`${op}: size must hold integers, got ${JSON.stringify(size)}`);
    scales = inSizes.map((n, d) => n / outSizes[d]);
  } else {
    const factors = perDim(op, 'scaleFactor', scaleFactor!, rank);
    outSizes = inSizes.map((n, d) => Math.floor(n * factors[d]));
    if (outSizes.some((s) => s < 1))
      throw new Error(
        `${op}: scaleFactor ${JSON.stringify(scaleFactor)} gives an empty output for input ${describe(x)}`,
      );
    scales = recomputeScaleFactor ? inSizes.map((n, d) => n / outSizes[d]) : factors.map((f) => 1 / f);
  }
  if (inSizes.some((n) => n === 0)) throw new Error(`${op}: input ${describe(x)} has an empty spatial dim`);
  let y = x;
  for (let d = 0; d < rank; d++) {
    const dim = 2 + d;
    if (mode === 'nearest') {
      y = indexSelect(y, dim, nearestIndices(x, inSizes[d], outSizes[d], scales[d]));
      continue;
    }
    const a = linearWeights(x, inSizes[d], outSizes[d], scales[d], alignCorners ?? false);
    // the last dim: y [.., in] @ A^T [in, out]; the one before it: A [out, in] @ y [.., in, W]
    y = dim === x.ndim - 1 ? matmul(y, a.transpose(0, 1)) : matmul(a, y);
  }
  return y;
}
