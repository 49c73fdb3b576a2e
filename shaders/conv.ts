// Sliding-window kernels: unfold (im2col) and fold (col2im), the two halves the convolutions are built from
// (ops/conv.ts says why), and the pooling kernels of ops/pool.ts: the argmax of each window, the average of each
// window and that average's adjoint. Both work on images [N, C, H, W]; a window is kh x kw taps with a stride,
// a dilation and a leading padding per spatial dim, and the output grid OH x OW is given (so asymmetric 'same'
// padding needs no extra case).
//   unfold: cols[n, (c kh + i) kw + j, oy OW + ox] = x[n, c, oy sh - ph + i dh, ox sw - pw + j dw], or 0
//           where that position falls outside the image;
//   fold:   the adjoint, img[n, c, y, x] = sum of the cols entries unfold would have read from (n, c, y, x).
// One thread per output element. Consecutive threads take consecutive ox (unfold) or x (fold), so for stride 1
// neighbouring threads read neighbouring addresses: the loads coalesce on a real GPU. fold gathers (each thread
// loops over the kh kw taps that can reach its pixel) instead of scattering with atomics, so it is deterministic.
//
// Every window kernel is declared by windowKernel: one input buffer (named for what it holds) and `out`, and the
// window geometry as uniforms, then the input's offset and its four strides (outermost first; unfold and the pools
// read x through them, fold and the avg-pool backward read a contiguous input and leave them 0).
import type { DType } from '../core/dtype.js';
import { Kernel, valueType } from './kernel.js';

const GEOMETRY = ['total', 'C', 'H', 'W', 'OH', 'OW', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw'] as const;

const windowKernel = (name: string, input: string, d: DType, out: DType = d): Kernel =>
  new Kernel({
    name,
    buffers: { [input]: { dtype: d }, out: { dtype: out, write: true } },
    uniforms: {
      ...Object.fromEntries(GEOMETRY.map((w) => [w, 1])),
      offset: 1,
      strides: 4,
      countIncludePad: 1,
      divisorOverride: 1,
    },
  });

export const unfoldKernel = (d: DType): Kernel => windowKernel('unfold', 'inp', d);
export const foldKernel = (d: DType): Kernel => windowKernel('fold', 'cols', d);
export const maxPoolIndicesKernel = (d: DType): Kernel => windowKernel('maxPoolIndices', 'inp', d, 'i32');
export const avgPoolKernel = (d: DType): Kernel => windowKernel('avgPool', 'inp', d);
export const avgPoolBackwardKernel = (d: DType): Kernel => windowKernel('avgPoolBackward', 'g', d);

export const WINDOW_WG = 256;

const main = (body: string) => `
@compute @workgroup_size(${WINDOW_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${WINDOW_WG}u);
  if (idx >= uw(W_total)) { return; }
  let C = uw(W_C); let H = i32(uw(W_H)); let W = i32(uw(W_W));
  let OH = i32(uw(W_OH)); let OW = i32(uw(W_OW));
  let kh = uw(W_kh); let kw = uw(W_kw);
  let sh = i32(uw(W_sh)); let sw = i32(uw(W_sw));
  let ph = i32(uw(W_ph)); let pw = i32(uw(W_pw));
  let dh = i32(uw(W_dh)); let dw = i32(uw(W_dw));${body}
}
`;

export const unfoldKey = (d: DType): string => `unfold|${d}`;

export function unfoldSource(d: DType): string {
  const V = valueType(d);
  return `${unfoldKernel(d).header()}
${main(`
  let L = u32(OH * OW); let K = kh * kw;
  let l = idx % L; let r = (idx / L) % (C * K); let n = idx / (L * C * K);
  let c = r / K; let k = r % K;
  let iy = (i32(l) / OW) * sh - ph + i32(k / kw) * dh;
  let ix = (i32(l) % OW) * sw - pw + i32(k % kw) * dw;
  if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
    store_out(idx, ${V}(0));
    return;
  }
  let at = uw(W_offset) + n * uw(W_strides) + c * uw(W_strides + 1u)
    + u32(iy) * uw(W_strides + 2u) + u32(ix) * uw(W_strides + 3u);
  store_out(idx, load_inp(at));`)}`;
}

export const foldKey = (d: DType): string => `fold|${d}`;

export function foldSource(d: DType): string {
  const V = valueType(d);
  return `${foldKernel(d).header()}
${main(`
  let x = i32(idx % u32(W)); let y = i32((idx / u32(W)) % u32(H)); let nc = idx / u32(H * W);
  let K = kh * kw; let L = u32(OH * OW);
  // cols row of tap (i, j) of image plane nc = (n, c): (n C + c) K + i kw + j = nc K + i kw + j
  var acc = 0.0;
  for (var i = 0u; i < kh; i++) {
    let ty = y + ph - i32(i) * dh;
    if (ty < 0 || ty % sh != 0 || ty / sh >= OH) { continue; }
    for (var j = 0u; j < kw; j++) {
      let tx = x + pw - i32(j) * dw;
      if (tx < 0 || tx % sw != 0 || tx / sw >= OW) { continue; }
      acc += f32(load_cols((nc * K + i * kw + j) * L + u32((ty / sh) * OW + tx / sw)));
    }
  }
  store_out(idx, ${V}(acc));`)}`;
}

export const maxPoolIndicesKey = (d: DType): string => `maxPoolIndices|${d}`;

/**
 * The max of each window as its flat position y W + x in the input plane, one thread per output position, reading
 * x through its strides (no window is materialised). As torch's kernel: the first tap inside the image starts as the
 * answer with value -inf, and a later tap wins if it is larger or NaN (so a NaN in the window is what is picked).
 */
export function maxPoolIndicesSource(d: DType): string {
  return `${maxPoolIndicesKernel(d).header()}
${main(`
  let L = u32(OH * OW);
  let l = idx % L; let plane = idx / L;
  let oy = i32(l) / OW; let ox = i32(l) % OW;
  let base = uw(W_offset) + (plane / C) * uw(W_strides) + (plane % C) * uw(W_strides + 1u);
  var best = -inf_f32();
  var at = -1;
  for (var i = 0u; i < kh; i++) {
    let y = oy * sh - ph + i32(i) * dh;
    if (y < 0 || y >= H) { continue; }
    for (var j = 0u; j < kw; j++) {
      let x = ox * sw - pw + i32(j) * dw;
      if (x < 0 || x >= W) { continue; }
      let v = f32(load_inp(base + u32(y) * uw(W_strides + 2u) + u32(x) * uw(W_strides + 3u)));
      if (at < 0) { at = y * W + x; }
      // a NaN best stays until a later NaN (WGSL compares on NaN are unreliable, so test the bits)
      if (is_nan(v) || (!is_nan(best) && v > best)) { best = v; at = y * W + x; }
    }
  }
  store_out(idx, at);`)}`;
}

/** torch's avg_pool2d divisor of window (oy, ox): the override, else the window clipped to the padded image or to the image. */
const DIVISOR = `
fn divisor(oy: i32, ox: i32) -> f32 {
  let over = uw(W_divisorOverride);
  if (over != 0u) { return f32(over); }
  let H = i32(uw(W_H)); let W = i32(uw(W_W));
  let ph = i32(uw(W_ph)); let pw = i32(uw(W_pw));
  let hs = oy * i32(uw(W_sh)) - ph; let ws = ox * i32(uw(W_sw)) - pw;
  let he = min(hs + i32(uw(W_kh)), H + ph); let we = min(ws + i32(uw(W_kw)), W + pw);
  if (uw(W_countIncludePad) != 0u) { return f32((he - hs) * (we - ws)); }
  return f32((min(he, H) - max(hs, 0)) * (min(we, W) - max(ws, 0)));
}`;

export const avgPoolKey = (d: DType): string => `avgPool|${d}`;

/** The average of each window, one thread per output position, reading x through its strides (dilation 1). */
export function avgPoolSource(d: DType): string {
  const V = valueType(d);
  return `${avgPoolKernel(d).header()}
${DIVISOR}
${main(`
  let L = u32(OH * OW);
  let l = idx % L; let plane = idx / L;
  let oy = i32(l) / OW; let ox = i32(l) % OW;
  let base = uw(W_offset) + (plane / C) * uw(W_strides) + (plane % C) * uw(W_strides + 1u);
  var acc = 0.0;
  for (var i = 0u; i < kh; i++) {
    let y = oy * sh - ph + i32(i);
    if (y < 0 || y >= H) { continue; }
    for (var j = 0u; j < kw; j++) {
      let x = ox * sw - pw + i32(j);
      if (x < 0 || x >= W) { continue; }
      acc += f32(load_inp(base + u32(y) * uw(W_strides + 2u) + u32(x) * uw(W_strides + 3u)));
    }
  }
  store_out(idx, ${V}(acc / divisor(oy, ox)));`)}`;
}

export const avgPoolBackwardKey = (d: DType): string => `avgPoolBackward|${d}`;

/**
 * The adjoint of avgPool: each input pixel gathers g / divisor from the windows that cover it (as fold does, no
 * atomics). g is contiguous [N, C, OH, OW]; one thread per input pixel.
 */
export function avgPoolBackwardSource(d: DType): string {
  const V = valueType(d);
  return `${avgPoolBackwardKernel(d).header()}
${DIVISOR}
${main(`
  let x = i32(idx % u32(W)); let y = i32((idx / u32(W)) % u32(H)); let plane = idx / u32(H * W);
  let base = plane * u32(OH * OW);
  var acc = 0.0;
  for (var i = 0u; i < kh; i++) {
    let ty = y + ph - i32(i);
    if (ty < 0 || ty % sh != 0 || ty / sh >= OH) { continue; }
    for (var j = 0u; j < kw; j++) {
      let tx = x + pw - i32(j);
      if (tx < 0 || tx % sw != 0 || tx / sw >= OW) { continue; }
      let oy = ty / sh; let ox = tx / sw;
      acc += f32(load_g(base + u32(oy * OW + ox))) / divisor(oy, ox);
    }
  }
  store_out(idx, ${V}(acc));`)}`;
}
