// Pooling with torch.nn.functional's semantics, on the sliding-window kernels (shaders/conv.ts):
//   max pooling: one kernel finds each window's argmax (reading the input through its strides, nothing
//   materialised; these are torch's returned indices), and the values are a gather of the input at them, so the
//   gradient is gather's (an index-add of the output gradient at the winners) and can be differentiated again;
//   average pooling: one kernel averages each window (torch's divisor rules), and its gradient is a second kernel,
//   the adjoint, in which each input pixel gathers g / divisor from the windows covering it (no atomics); the two
//   are each other's backward, so both differentiate again.
//   Adaptive average pooling is two small matmuls with averaging matrices, out = P_h x P_w^T, P_h [OH, H] holding
//   1 / window length over torch's windows [floor(i H / OH), ceil((i + 1) H / OH)).
// The 1-D forms are the 2-D ones on an image of height 1.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { castScalar, isFloat } from '../core/dtype.js';
import { apply, describe, valuesOf, type OpSpec } from './op.js';
import { tensor } from './creation.js';
import { gather } from './indexing.js';
import { matmul } from './matmul.js';
import { launch, pair, sweepLength, tapOffsets, writeWindow, type Pair, type Window } from './conv.js';
import {
  avgPoolBackwardKernel,
  avgPoolBackwardKey,
  avgPoolBackwardSource,
  avgPoolKernel,
  avgPoolKey,
  avgPoolSource,
  maxPoolIndicesKernel,
  maxPoolIndicesKey,
  maxPoolIndicesSource,
} from '../shaders/conv.js';
import type { Kernel, Meta } from '../shaders/kernel.js';
import { noGrad } from '../core/autograd.js';
import { contiguous } from './views.js';

interface PoolArgs {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

/** Output length of a pooling sweep; with ceilMode the last window may start in the input or the leading padding only. */
function poolLength(size: number, pad: number, k: number, s: number, d: number, ceilMode: boolean): number {
  if (!ceilMode) return sweepLength(size, 2 * pad, k, s, d);
  const n = Math.ceil((size + 2 * pad - d * (k - 1) - 1) / s) + 1;
  return (n - 1) * s >= size + pad ? n - 1 : n;
}

/** The window of a pooling call on x [N, C, H, W], with torch's checks (padding at most half the dilated kernel). */
function poolWindow(op: string, x: Tensor, a: PoolArgs): Window {
  const [H, W] = x.shape.slice(2);
  for (let d = 0; d < 2; d++) {
    const effective = a.dilation[d] * (a.kernel[d] - 1) + 1;
    if (a.padding[d] > effective / 2) {
      throw new Error(
        `${op}: padding ${a.padding[d]} must be at most half of the effective kernel size ${effective} ` +
          `(kernel ${a.kernel[d]}, dilation ${a.dilation[d]})`,
      );
    }
  }
  const [OH, OW] = [0, 1].map((d) =>
    poolLength([H, W][d], a.padding[d], a.kernel[d], a.stride[d], a.dilation[d], a.ceilMode),
  );
  if (OH < 1 || OW < 1)
    throw new Error(`${op}: the kernel ${a.kernel.join('x')} is larger than the padded input ${describe(x)}`);
  return {
    H,
    W,
    OH,
    OW,
    kh: a.kernel[0],
    kw: a.kernel[1],
    sh: a.stride[0],
    sw: a.stride[1],
    ph: a.padding[0],
    pw: a.padding[1],
    dh: a.dilation[0],
    dw: a.dilation[1],
  };
}

function checkInput(op: string, x: Tensor, rank: number): void {
  assertTensor(x, op);
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a floating-point input, got ${describe(x)}`);
  if (x.ndim !== rank + 1 && x.ndim !== rank + 2) {
    throw new Error(`${op}: expected a ${rank + 1}-D (unbatched) or ${rank + 2}-D (batched) input, got ${describe(x)}`);
  }
}

/** Runs a 2-D pooling body on x of rank 1 or 2 spatial dims, batched or not, and restores the caller's layout. */
function asImage<R extends Tensor | [Tensor, Tensor]>(x: Tensor, rank: number, body: (img: Tensor) => R): R {
  let img = x.ndim === rank + 1 ? x.unsqueeze(0) : x;
  if (rank === 1) img = img.unsqueeze(2);
  const back = (t: Tensor) => {
    const y = rank === 1 ? t.squeeze(2) : t;
    return x.ndim === rank + 1 ? y.squeeze(0) : y;
  };
  const r = body(img);
  return (Array.isArray(r) ? [back(r[0]), back(r[1])] : back(r)) as R;
}

/** The argmax of each window of x [N, C, H, W] as a flat position y W + x of its plane: i32 [N, C, OH, OW]. */
const MAX_POOL_INDICES: OpSpec<Window> = {
  name: 'maxPoolIndices',
  infer: ([x], w) => ({ shape: [x.shape[0], x.shape[1], w.OH, w.OW], dtype: 'i32' }),
  cpu(out, [x], w) {
    const v = valuesOf(x);
    const taps = tapOffsets(w);
    const L = w.OH * w.OW;
    const dst = out.storage.cpu!;
    for (let plane = 0; plane < x.shape[0] * x.shape[1]; plane++) {
      const base = plane * w.H * w.W;
      for (let l = 0; l < L; l++) {
        // as torch: start at the first tap inside the image with -inf; a larger value or a NaN takes over
        let [best, at] = [-Infinity, -1];
        for (let k = l; k < taps.length; k += L) {
          const p = taps[k];
          if (p < 0) continue;
          if (at < 0) at = p;
          const val = v[base + p];
          if (Number.isNaN(val) || (!Number.isNaN(best) && val > best)) [best, at] = [val, p];
        }
        dst[plane * L + l] = at;
      }
    }
  },
  webgpu(out, [x], w) {
    const k = maxPoolIndicesKernel(x.dtype);
    const m = writeWindow(k, w, out.numel, x.shape[1]).u32('offset', x.offset).list('strides', x.strides);
    launch(k, maxPoolIndicesKey(x.dtype), () => maxPoolIndicesSource(x.dtype), x, out, m);
  },
  backward: null,
  packedHalf: true,
};

function maxPool(op: string, x: Tensor, rank: number, a: PoolArgs, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  checkInput(op, x, rank);
  return asImage(x, rank, (img) => {
    const [N, C, H, W] = img.shape;
    const w = poolWindow(op, img, a);
    const indices = apply(MAX_POOL_INDICES, [img], w);
    const L = w.OH * w.OW;
    const out = gather(img.reshape([N, C, H * W]), 2, indices.reshape([N, C, L])).reshape([N, C, w.OH, w.OW]);
    return returnIndices ? [out, indices] : out;
  });
}

/**
 * torch.nn.functional.max_pool2d: x [N, C, H, W] (or [C, H, W]); stride defaults to kernelSize. With
 * returnIndices, [output, indices], the indices being flat positions y W + x within each input plane.
 */
export function maxPool2d(
  x: Tensor,
  kernelSize: Pair,
  stride?: Pair | null,
  padding?: Pair,
  dilation?: Pair,
  ceilMode?: boolean,
  returnIndices?: false,
): Tensor;
export function maxPool2d(
  x: Tensor,
  kernelSize: Pair,
  stride: Pair | null | undefined,
  padding: Pair,
  dilation: Pair,
  ceilMode: boolean,
  returnIndices: true,
): [Tensor, Tensor];
export function maxPool2d(
  x: Tensor,
  kernelSize: Pair,
  stride?: Pair | null,
  padding: Pair = 0,
  dilation: Pair = 1,
  ceilMode = false,
  returnIndices = false,
): Tensor | [Tensor, Tensor] {
  return maxPool(
    'maxPool2d',
    x,
    2,
    poolArgs('maxPool2d', kernelSize, stride, padding, dilation, ceilMode),
    returnIndices,
  );
}

/** torch.nn.functional.max_pool1d: x [N, C, L] (or [C, L]); indices are positions along L. */
export function maxPool1d(
  x: Tensor,
  kernelSize: number,
  stride?: number | null,
  padding?: number,
  dilation?: number,
  ceilMode?: boolean,
  returnIndices?: false,
): Tensor;
export function maxPool1d(
  x: Tensor,
  kernelSize: number,
  stride: number | null | undefined,
  padding: number,
  dilation: number,
  ceilMode: boolean,
  returnIndices: true,
): [Tensor, Tensor];
export function maxPool1d(
  x: Tensor,
  kernelSize: number,
  stride?: number | null,
  padding = 0,
  dilation = 1,
  ceilMode = false,
  returnIndices = false,
): Tensor | [Tensor, Tensor] {
  const a = poolArgs(
    'maxPool1d',
    [1, kernelSize],
    stride == null ? null : [1, stride],
    [0, padding],
    [1, dilation],
    ceilMode,
  );
  return maxPool('maxPool1d', x, 1, a, returnIndices);
}

function poolArgs(
  op: string,
  kernelSize: Pair,
  stride: Pair | null | undefined,
  padding: Pair,
  dilation: Pair,
  ceilMode: boolean,
): PoolArgs {
  const kernel = pair(op, 'kernelSize', kernelSize, 1);
  return {
    kernel,
    stride: stride == null ? kernel : pair(op, 'stride', stride, 1),
    padding: pair(op, 'padding', padding, 0),
    dilation: pair(op, 'dilation', dilation, 1),
    ceilMode,
  };
}

interface AvgParams {
  w: Window;
  countIncludePad: boolean;
  /** 0: none */
  divisorOverride: number;
}

/** The divisor of each window position (row-major over OH x OW), as torch's avg_pool2d computes it. */
function divisors({ w, countIncludePad, divisorOverride }: AvgParams): number[] {
  const out: number[] = [];
  const extent = (o: number, s: number, p: number, k: number, size: number) => {
    const start = o * s - p;
    const end = Math.min(start + k, size + p); // a window may reach into the trailing padding, not past it
    return countIncludePad ? end - start : Math.min(end, size) - Math.max(start, 0);
  };
  for (let oy = 0; oy < w.OH; oy++) {
    for (let ox = 0; ox < w.OW; ox++) {
      out.push(divisorOverride || extent(oy, w.sh, w.ph, w.kh, w.H) * extent(ox, w.sw, w.pw, w.kw, w.W));
    }
  }
  return out;
}

function writeAvg(k: Kernel, p: AvgParams, total: number, C: number): Meta {
  return writeWindow(k, p.w, total, C)
    .u32('countIncludePad', Number(p.countIncludePad))
    .u32('divisorOverride', p.divisorOverride);
}

/** x [N, C, H, W] -> the average of each window [N, C, OH, OW]. */
const AVG_POOL: OpSpec<AvgParams> = {
  name: 'avgPool',
  infer: ([x], { w }) => ({ shape: [x.shape[0], x.shape[1], w.OH, w.OW], dtype: x.dtype }),
  cpu(out, [x], p) {
    const v = valuesOf(x);
    const taps = tapOffsets(p.w);
    const div = divisors(p);
    const L = div.length;
    const dst = out.storage.cpu!;
    for (let plane = 0; plane < x.shape[0] * x.shape[1]; plane++) {
      const base = plane * p.w.H * p.w.W;
      for (let l = 0; l < L; l++) {
        let sum = 0;
        for (let k = l; k < taps.length; k += L) if (taps[k] >= 0) sum += v[base + taps[k]];
        dst[plane * L + l] = castScalar(out.dtype, sum / div[l]);
      }
    }
  },
  webgpu(out, [x], p) {
    const k = avgPoolKernel(x.dtype);
    const m = writeAvg(k, p, out.numel, x.shape[1]).u32('offset', x.offset).list('strides', x.strides);
    launch(k, avgPoolKey(x.dtype), () => avgPoolSource(x.dtype), x, out, m);
  },
  backward: (g, { params }) => [apply(AVG_POOL_BACKWARD, [g], params)],
  saves: () => [],
  packedHalf: true,
};

/** The adjoint of AVG_POOL: g [N, C, OH, OW] -> [N, C, H, W]; its own adjoint is AVG_POOL again. */
const AVG_POOL_BACKWARD: OpSpec<AvgParams> = {
  name: 'avgPoolBackward',
  infer: ([g], { w }) => ({ shape: [g.shape[0], g.shape[1], w.H, w.W], dtype: g.dtype }),
  cpu(out, [g], p) {
    const v = valuesOf(g);
    const taps = tapOffsets(p.w);
    const div = divisors(p);
    const L = div.length;
    const acc = new Float64Array(out.numel);
    for (let plane = 0; plane < g.shape[0] * g.shape[1]; plane++) {
      const base = plane * p.w.H * p.w.W;
      for (let k = 0; k < taps.length; k++)
        if (taps[k] >= 0) acc[base + taps[k]] += v[plane * L + (k % L)] / div[k % L];
    }
    const dst = out.storage.cpu!;
    acc.forEach((a, k) => (dst[k] = castScalar(out.dtype, a)));
  },
  webgpu(out, [g], p) {
    const src = noGrad(() => contiguous(g));
    const k = avgPoolBackwardKernel(g.dtype);
    const m = writeAvg(k, p, out.numel, out.shape[1]);
    launch(k, avgPoolBackwardKey(g.dtype), () => avgPoolBackwardSource(g.dtype), src, out, m);
    if (src !== g) src.dispose();
  },
  backward: (gg, { params }) => [apply(AVG_POOL, [gg], params)],
  saves: () => [],
  packedHalf: true,
};

function avgPool(
  op: string,
  x: Tensor,
  rank: number,
  a: PoolArgs,
  countIncludePad: boolean,
  divisorOverride: number | null,
): Tensor {
  checkInput(op, x, rank);
  if (divisorOverride !== null && !(Number.isInteger(divisorOverride) && divisorOverride > 0)) {
    throw new Error(`${op}: divisorOverride must be a positive integer or null, got ${divisorOverride}`);
  }
  if (a.dilation[0] !== 1 || a.dilation[1] !== 1) throw new Error(`internal: ${op} has no dilation`);
  return asImage(x, rank, (img) =>
    apply(AVG_POOL, [img], { w: poolWindow(op, img, a), countIncludePad, divisorOverride: divisorOverride ?? 0 }),
  );
}

/** torch.nn.functional.avg_pool2d(input, kernel_size, stride=kernel_size, padding=0, ceil_mode, count_include_pad, divisor_override). */
export function avgPool2d(
  x: Tensor,
  kernelSize: Pair,
  stride?: Pair | null,
  padding: Pair = 0,
  ceilMode = false,
  countIncludePad = true,
  divisorOverride: number | null = null,
): Tensor {
  const a = poolArgs('avgPool2d', kernelSize, stride, padding, 1, ceilMode);
  return avgPool('avgPool2d', x, 2, a, countIncludePad, divisorOverride);
}

/** torch.nn.functional.avg_pool1d(input, kernel_size, stride=kernel_size, padding=0, ceil_mode, count_include_pad). */
export function avgPool1d(
  x: Tensor,
  kernelSize: number,
  stride?: number | null,
  padding = 0,
  ceilMode = false,
  countIncludePad = true,
): Tensor {
  const a = poolArgs('avgPool1d', [1, kernelSize], stride == null ? null : [1, stride], [0, padding], 1, ceilMode);
  return avgPool('avgPool1d', x, 1, a, countIncludePad, null);
}

/** The [out, size] matrix whose row i averages torch's adaptive window [floor(i size / out), ceil((i + 1) size / out)). */
function averagingMatrix(size: number, out: number, x: Tensor): Tensor {
  const m = new Array<number>(out * size).fill(0);
  for (let i = 0; i < out; i++) {
    const [start, end] = [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  return tensor(m, { shape: [out, size], dtype: x.dtype, device: x.device });
}

function adaptiveAvgPool(op: string, x: Tensor, rank: number, outputSize: (number | null)[]): Tensor {
  checkInput(op, x, rank);
  return asImage(x, rank, (img) => {
    const [H, W] = img.shape.slice(2);
    const [OH, OW] = [rank === 1 ? 1 : (outputSize[0] ?? H), outputSize[rank - 1] ?? W];
    for (const s of [OH, OW]) {
      if (!Number.isInteger(s) || s < 1)
        throw new Error(`${op}: outputSize must hold positive integers (or null), got ${JSON.stringify(outputSize)}`);
    }
    if (H === 0 || W === 0) throw new Error(`${op}: input ${describe(x)} has an empty spatial dim`);
    // [OH, H] @ [N, C, H, W] @ [W, OW]
    return matmul(matmul(averagingMatrix(H, OH, img), img), averagingMatrix(W, OW, img).transpose(0, 1));
  });
}

/** torch.nn.functional.adaptive_avg_pool2d: x [N, C, H, W] (or [C, H, W]) -> [N, C, OH, OW]; null keeps that dim. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  return adaptiveAvgPool(
    'adaptiveAvgPool2d',
    x,
    2,
    typeof outputSize === 'number' ? [outputSize, outputSize] : [...outputSize],
  );
}

/** torch.nn.functional.adaptive_avg_pool1d: x [N, C, L] (or [C, L]) -> [N, C, outputSize]. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor {
  return adaptiveAvgPool('adaptiveAvgPool1d', x, 1, [outputSize]);
}
