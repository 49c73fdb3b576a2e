// Convolutions as im2col + matmul: unfold gathers every receptive field into a column (shaders/conv.ts), and one
// batched matmul with the weight matrix [O, C kh kw] does the arithmetic. Why not an implicit-GEMM kernel: the
// matmul is the one GEMM in tessera that is tiled, tuned and validated per adapter (53% of cuBLAS f32 on an H200),
// and writing a second one for convolutions would duplicate that work; the price is that the columns are
// materialised (kh kw times the input's size), traffic an implicit GEMM would avoid. That kernel is the next step
// when a benchmark of conv-heavy training shows the columns dominate.
//
// The backward needs no kernel of its own: unfold's adjoint is fold (col2im, a gathering kernel beside it), so
//   dx = fold(W^T dY),   dW = sum over the batch of dY cols^T,   db = sum of dY over batch and positions
// come out of the autograd of unfold, matmul and add, and can be differentiated again (fold's backward is unfold).
// unfold and fold are also torch's F.unfold / F.fold, exported as such.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { castScalar, isFloat } from '../core/dtype.js';
import { noGrad } from '../core/autograd.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import type { Kernel, Meta } from '../shaders/kernel.js';
import { WINDOW_WG, foldKernel, foldKey, foldSource, unfoldKernel, unfoldKey, unfoldSource } from '../shaders/conv.js';
import { apply, describe, valuesOf, type OpSpec } from './op.js';
import { contiguous } from './views.js';
import { matmul } from './matmul.js';

/** The geometry of a sliding window over an H x W image giving an OH x OW grid of positions. */
export interface Window {
  H: number;
  W: number;
  OH: number;
  OW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** leading padding (a trailing one only changes OH, OW) */
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/**
 * For each tap (i, j) and window position (oy, ox), in unfold's row order, the offset y W + x within an image plane
 * that it reads, or -1 where it falls in the padding: the cpu loops then run over planes with no index arithmetic.
 */
export function tapOffsets(w: Window): Int32Array {
  const out = new Int32Array(w.kh * w.kw * w.OH * w.OW);
  let at = 0;
  for (let i = 0; i < w.kh; i++) {
    for (let j = 0; j < w.kw; j++) {
      for (let oy = 0; oy < w.OH; oy++) {
        const y = oy * w.sh - w.ph + i * w.dh;
        for (let ox = 0; ox < w.OW; ox++) {
          const x = ox * w.sw - w.pw + j * w.dw;
          out[at++] = y >= 0 && y < w.H && x >= 0 && x < w.W ? y * w.W + x : -1;
        }
      }
    }
  }
  return out;
}

/** The window uniforms of kernel `k` (shaders/conv.ts windowKernel): `total` threads over `C` channels. */
export function writeWindow(k: Kernel, w: Window, total: number, C: number): Meta {
  const m = k.meta().u32('total', total).u32('C', C);
  for (const key of ['H', 'W', 'OH', 'OW', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw'] as const) m.u32(key, w[key]);
  return m;
}

/** Dispatches window kernel `k` (its input buffer, then out) with one thread per element of `out`. */
export function launch(k: Kernel, key: string, source: () => string, input: Tensor, out: Tensor, m: Meta): void {
  const buffers = { [k.bindings[0]]: input.storage.buffer!, out: out.storage.buffer! };
  k.dispatch(pipeline(key, source), buffers, m, grid(Math.ceil(out.numel / WINDOW_WG)));
}

/** x [N, C, H, W] -> cols [N, C kh kw, OH OW]. */
const UNFOLD: OpSpec<Window> = {
  name: 'unfold',
  infer: ([x], w) => ({ shape: [x.shape[0], x.shape[1] * w.kh * w.kw, w.OH * w.OW], dtype: x.dtype }),
  cpu(out, [x], w) {
    const v = valuesOf(x);
    const dst = out.storage.cpu!;
    const taps = tapOffsets(w);
    const [N, C] = x.shape;
    let at = 0;
    for (let plane = 0; plane < N * C; plane++) {
      const base = plane * w.H * w.W;
      for (const p of taps) dst[at++] = p < 0 ? 0 : v[base + p];
    }
  },
  webgpu(out, [x], w) {
    const k = unfoldKernel(x.dtype);
    const m = writeWindow(k, w, out.numel, x.shape[1]).u32('offset', x.offset).list('strides', x.strides);
    launch(k, unfoldKey(x.dtype), () => unfoldSource(x.dtype), x, out, m);
  },
  backward: (g, { params: w }) => [foldWindows(g, w)],
  saves: () => [],
  packedHalf: true,
};

/** cols [N, C kh kw, OH OW] -> img [N, C, H, W], summing the columns' entries that came from the same pixel. */
const FOLD: OpSpec<Window> = {
  name: 'fold',
  infer: ([cols], w) => ({ shape: [cols.shape[0], cols.shape[1] / (w.kh * w.kw), w.H, w.W], dtype: cols.dtype }),
  cpu(out, [cols], w) {
    const v = valuesOf(cols);
    const dst = out.storage.cpu!;
    const taps = tapOffsets(w);
    const [N, C] = out.shape;
    const acc = new Float64Array(out.numel);
    let at = 0;
    for (let plane = 0; plane < N * C; plane++) {
      const base = plane * w.H * w.W;
      for (const p of taps) {
        if (p >= 0) acc[base + p] += v[at];
        at++;
      }
    }
    acc.forEach((a, k) => (dst[k] = castScalar(out.dtype, a)));
  },
  webgpu(out, [cols], w) {
    const src = noGrad(() => contiguous(cols));
    const k = foldKernel(cols.dtype);
    launch(k, foldKey(cols.dtype), () => foldSource(cols.dtype), src, out, writeWindow(k, w, out.numel, out.shape[1]));
    if (src !== cols) src.dispose();
  },
  backward: (g, { params: w }) => [unfoldWindows(g, w)],
  saves: () => [],
  packedHalf: true,
};

/** The unfold op on an image batch [N, C, H, W] with a worked-out window (no argument checks). */
const unfoldWindows = (x: Tensor, w: Window): Tensor => apply(UNFOLD, [x], w);
const foldWindows = (cols: Tensor, w: Window): Tensor => apply(FOLD, [cols], w);

// ---- arguments -------------------------------------------------------------------------------------------------

export type Pair = number | readonly [number, number];

/** A per-dim argument (kernelSize, stride...) as two integers >= min, or an error naming the op and argument. */
export function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : [...v];
  if (p.length !== 2 || p.some((k) => !Number.isInteger(k) || k < min)) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p as [number, number];
}

/** Output length of a window sweep: floor((size + padding - dilation (k - 1) - 1) / stride) + 1. */
export function sweepLength(size: number, totalPad: number, k: number, stride: number, dilation: number): number {
  return Math.floor((size + totalPad - dilation * (k - 1) - 1) / stride) + 1;
}

function checkFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    assertTensor(t, op);
    if (!isFloat(t.dtype) || t.dtype !== ts[0].dtype) {
      throw new Error(`${op}: ${ts.map(describe).join(', ')} must be floating point (f32, f16, f64) and of one dtype`);
    }
  }
}

/** torch.nn.functional.unfold: x [N, C, H, W] (or [C, H, W]) -> [N, C kh kw, L], each column one window. */
export function unfold(x: Tensor, kernelSize: Pair, dilation: Pair = 1, padding: Pair = 0, stride: Pair = 1): Tensor {
  checkFloat('unfold', x);
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new Error(`unfold: expected a 3-D or 4-D input [N, C, H, W], got ${describe(x)}`);
  const img = x.ndim === 3 ? x.unsqueeze(0) : x;
  const [kh, kw] = pair('unfold', 'kernelSize', kernelSize, 1);
  const [dh, dw] = pair('unfold', 'dilation', dilation, 1);
  const [ph, pw] = pair('unfold', 'padding', padding, 0);
  const [sh, sw] = pair('unfold', 'stride', stride, 1);
  const [H, W] = img.shape.slice(2);
  const [OH, OW] = [sweepLength(H, 2 * ph, kh, sh, dh), sweepLength(W, 2 * pw, kw, sw, dw)];
  if (OH < 1 || OW < 1) {
    throw new Error(
      `unfold: the dilated kernel ${kh}x${kw} (dilation ${dh}, ${dw}) does not fit the padded input ${describe(x)} (padding ${ph}, ${pw})`,
    );
  }
  const cols = unfoldWindows(img, { H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw });
  return x.ndim === 3 ? cols.squeeze(0) : cols;
}

/** torch.nn.functional.fold: cols [N, C kh kw, L] (or [C kh kw, L]) -> [N, C, H, W], summing overlapping entries. */
export function fold(
  cols: Tensor,
  outputSize: Pair,
  kernelSize: Pair,
  dilation: Pair = 1,
  padding: Pair = 0,
  stride: Pair = 1,
): Tensor {
  checkFloat('fold', cols);
  if (cols.ndim !== 2 && cols.ndim !== 3)
    throw new Error(`fold: expected a 2-D or 3-D input [N, C kh kw, L], got ${describe(cols)}`);
  const c3 = cols.ndim === 2 ? cols.unsqueeze(0) : cols;
  const [H, W] = pair('fold', 'outputSize', outputSize, 1);
  const [kh, kw] = pair('fold', 'kernelSize', kernelSize, 1);
  const [dh, dw] = pair('fold', 'dilation', dilation, 1);
  const [ph, pw] = pair('fold', 'padding', padding, 0);
  const [sh, sw] = pair('fold', 'stride', stride, 1);
  const [OH, OW] = [sweepLength(H, 2 * ph, kh, sh, dh), sweepLength(W, 2 * pw, kw, sw, dw)];
  if (c3.shape[1] % (kh * kw) !== 0 || c3.shape[2] !== OH * OW || OH < 1 || OW < 1) {
    throw new Error(
      `fold: input ${describe(cols)} does not match outputSize [${H}, ${W}] and kernel ${kh}x${kw}: ` +
        `dim -2 must be a multiple of ${kh * kw} and dim -1 the ${Math.max(OH, 0) * Math.max(OW, 0)} window positions`,
    );
  }
  const img = foldWindows(c3, { H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw });
  return cols.ndim === 2 ? img.squeeze(0) : img;
}

// ---- convolutions ----------------------------------------------------------------------------------------------

export type ConvPadding = Pair | 'same' | 'valid';

/** Leading padding and output length of one spatial dim ('same' pads d (k - 1) in all, the odd one at the end). */
function padOf(
  op: string,
  padding: number | 'same' | 'valid',
  size: number,
  k: number,
  s: number,
  d: number,
): [number, number] {
  if (padding === 'valid') padding = 0;
  if (padding === 'same') {
    if (s !== 1)
      throw new Error(
        `${op}: padding='same' is not supported for strided convolutions (stride ${s}); give the padding as numbers`,
      );
    const total = d * (k - 1);
    return [Math.floor(total / 2), size];
  }
  return [padding, sweepLength(size, 2 * padding, k, s, d)];
}

/**
 * The shared body of conv1d and conv2d: x [N, C, H, W], weight [O, C / groups, kh, kw], bias [O] (or null).
 * Grouped: the columns split into `groups` blocks of C / groups channels, each multiplied by its O / groups filters.
 */
function conv(
  op: string,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  stride: [number, number],
  padding: [number | 'same' | 'valid', number | 'same' | 'valid'],
  dilation: [number, number],
  groups: number,
): Tensor {
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = weight.shape;
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0 || O % groups !== 0 || Cg !== C / groups) {
    throw new Error(
      `${op}: input ${describe(x)} and weight ${describe(weight)} do not fit groups=${groups}: ` +
        `need in_channels (${C}) and out_channels (${O}) divisible by groups and weight dim 1 = in_channels / groups`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O))
    throw new Error(`${op}: bias ${describe(bias)} must be a vector of the ${O} out_channels`);
  const [ph, OH] = padOf(op, padding[0], H, kh, stride[0], dilation[0]);
  const [pw, OW] = padOf(op, padding[1], W, kw, stride[1], dilation[1]);
  if (OH < 1 || OW < 1) {
    throw new Error(
      `${op}: the kernel (dilated size ${dilation[0] * (kh - 1) + 1}x${dilation[1] * (kw - 1) + 1}) is larger than ` +
        `the padded input ${describe(x)}`,
    );
  }
  const cols = unfoldWindows(x, {
    H,
    W,
    OH,
    OW,
    kh,
    kw,
    sh: stride[0],
    sw: stride[1],
    ph,
    pw,
    dh: dilation[0],
    dw: dilation[1],
  });
  const K = Cg * kh * kw;
  // [groups, O / groups, K] @ [N, groups, K, L] -> [N, groups, O / groups, L]
  const y = matmul(weight.reshape([groups, O / groups, K]), cols.reshape([N, groups, K, OH * OW])).reshape([
    N,
    O,
    OH,
    OW,
  ]);
  return bias ? y.add(bias.reshape([1, O, 1, 1])) : y;
}

function checkConv(op: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, rank: number): void {
  checkFloat(op, x, weight, ...(bias ? [bias] : []));
  if (x.ndim !== rank + 1 && x.ndim !== rank + 2) {
    throw new Error(`${op}: expected a ${rank + 1}-D (unbatched) or ${rank + 2}-D (batched) input, got ${describe(x)}`);
  }
  if (weight.ndim !== rank + 2)
    throw new Error(
      `${op}: weight ${describe(weight)} must be ${rank + 2}-D [out_channels, in_channels / groups, kernel...]`,
    );
}

const spatial = (p: ConvPadding): [number | 'same' | 'valid', number | 'same' | 'valid'] =>
  typeof p === 'string' ? [p, p] : typeof p === 'number' ? [p, p] : [p[0], p[1]];

function checkPadding(op: string, padding: ConvPadding, rank: number): void {
  if (padding === 'same' || padding === 'valid') return;
  if (rank === 1 && typeof padding !== 'number')
    throw new Error(`${op}: padding must be an integer >= 0, 'same' or 'valid', got ${JSON.stringify(padding)}`);
  pair(op, 'padding', padding, 0);
}

/** torch.nn.functional.conv2d: x [N, C, H, W] (or [C, H, W]), weight [O, C / groups, kh, kw], bias [O]. */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride: Pair = 1,
  padding: ConvPadding = 0,
  dilation: Pair = 1,
  groups = 1,
): Tensor {
  checkConv('conv2d', x, weight, bias, 2);
  checkPadding('conv2d', padding, 2);
  const img = x.ndim === 3 ? x.unsqueeze(0) : x;
  const y = conv(
    'conv2d',
    img,
    weight,
    bias ?? null,
    pair('conv2d', 'stride', stride, 1),
    spatial(padding),
    pair('conv2d', 'dilation', dilation, 1),
    groups,
  );
  return x.ndim === 3 ? y.squeeze(0) : y;
}

/** torch.nn.functional.conv1d: x [N, C, L] (or [C, L]), weight [O, C / groups, k], bias [O]; an image of height 1. */
export function conv1d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride = 1,
  padding: number | 'same' | 'valid' = 0,
  dilation = 1,
  groups = 1,
): Tensor {
  checkConv('conv1d', x, weight, bias, 1);
  checkPadding('conv1d', padding, 1);
  const img = (x.ndim === 2 ? x.unsqueeze(0) : x).unsqueeze(2);
  const s = pair('conv1d', 'stride', stride, 1)[0];
  const d = pair('conv1d', 'dilation', dilation, 1)[0];
  const y = conv('conv1d', img, weight.unsqueeze(2), bias ?? null, [1, s], [0, padding], [1, d], groups).squeeze(2);
  return x.ndim === 2 ? y.squeeze(0) : y;
}
