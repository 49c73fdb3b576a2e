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
// Bindings: 0 input, 1 output, 2 the uniforms. Uniform words (WINDOW): the window geometry, then the input's
// offset and its four strides (unfold reads x through its strides; fold reads contiguous cols).
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const WINDOW = {
  total: 0,
  C: 1,
  H: 2,
  W: 3,
  OH: 4,
  OW: 5,
  kh: 6,
  kw: 7,
  sh: 8,
  sw: 9,
  ph: 10,
  pw: 11,
  dh: 12,
  dw: 13,
  offset: 14,
  strides: 16,
  countIncludePad: 21,
  divisorOverride: 22,
} as const;
export const WINDOW_WG = 256;

const main = (body: string) => `
@compute @workgroup_size(${WINDOW_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${WINDOW_WG}u);
  if (idx >= uw(${WINDOW.total}u)) { return; }
  let C = uw(${WINDOW.C}u); let H = i32(uw(${WINDOW.H}u)); let W = i32(uw(${WINDOW.W}u));
  let OH = i32(uw(${WINDOW.OH}u)); let OW = i32(uw(${WINDOW.OW}u));
  let kh = uw(${WINDOW.kh}u); let kw = uw(${WINDOW.kw}u);
  let sh = i32(uw(${WINDOW.sh}u)); let sw = i32(uw(${WINDOW.sw}u));
  let ph = i32(uw(${WINDOW.ph}u)); let pw = i32(uw(${WINDOW.pw}u));
  let dh = i32(uw(${WINDOW.dh}u)); let dw = i32(uw(${WINDOW.dw}u));${body}
}
`;

export const unfoldKey = (d: DType): string => `unfold|${d}`;

export function unfoldSource(d: DType): string {
  const S = storageType(d);
  return `${preamble({ f16: d === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
${main(`
  let L = u32(OH * OW); let K = kh * kw;
  let l = idx % L; let r = (idx / L) % (C * K); let n = idx / (L * C * K);
  let c = r / K; let k = r % K;
  let iy = (i32(l) / OW) * sh - ph + i32(k / kw) * dh;
  let ix = (i32(l) % OW) * sw - pw + i32(k % kw) * dw;
  if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
    out[idx] = ${S}(0);
    return;
  }
  let at = uw(${WINDOW.offset}u) + n * uw(${WINDOW.strides}u) + c * uw(${WINDOW.strides + 1}u)
    + u32(iy) * uw(${WINDOW.strides + 2}u) + u32(ix) * uw(${WINDOW.strides + 3}u);
  out[idx] = inp[at];`)}`;
}

export const foldKey = (d: DType): string => `fold|${d}`;

export function foldSource(d: DType): string {
  const S = storageType(d);
  return `${preamble({ f16: d === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> cols: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
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
      acc += f32(cols[(nc * K + i * kw + j) * L + u32((ty / sh) * OW + tx / sw)]);
    }
  }
  out[idx] = ${S}(acc);`)}`;
}

export const maxPoolIndicesKey = (d: DType): string => `maxPoolIndices|${d}`;

/**
 * The max of each window as its flat position y W + x in the input plane, one thread per output position, reading
 * x through its strides (no window is materialised). As torch's kernel: the first tap inside the image starts as the
 * answer with value -inf, and a later tap wins if it is larger or NaN (so a NaN in the window is what is picked).
 */
export function maxPoolIndicesSource(d: DType): string {
  return `${preamble({ f16: d === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> inp: array<${storageType(d)}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
${main(`
  let L = u32(OH * OW);
  let l = idx % L; let plane = idx / L;
  let oy = i32(l) / OW; let ox = i32(l) % OW;
  let base = uw(${WINDOW.offset}u) + (plane / C) * uw(${WINDOW.strides}u) + (plane % C) * uw(${WINDOW.strides + 1}u);
  var best = -inf_f32();
  var at = -1;
  for (var i = 0u; i < kh; i++) {
    let y = oy * sh - ph + i32(i) * dh;
    if (y < 0 || y >= H) { continue; }
    for (var j = 0u; j < kw; j++) {
      let x = ox * sw - pw + i32(j) * dw;
      if (x < 0 || x >= W) { continue; }
      let v = f32(inp[base + u32(y) * uw(${WINDOW.strides + 2}u) + u32(x) * uw(${WINDOW.strides + 3}u)]);
      if (at < 0) { at = y * W + x; }
      // a NaN best stays until a later NaN (WGSL compares on NaN are unreliable, so test the bits)
      if (is_nan(v) || (!is_nan(best) && v > best)) { best = v; at = y * W + x; }
    }
  }
  out[idx] = at;`)}`;
}

/** torch's avg_pool2d divisor of window (oy, ox): the override, else the window clipped to the padded image or to the image. */
const DIVISOR = `
fn divisor(oy: i32, ox: i32) -> f32 {
  let over = uw(${WINDOW.divisorOverride}u);
  if (over != 0u) { return f32(over); }
  let H = i32(uw(${WINDOW.H}u)); let W = i32(uw(${WINDOW.W}u));
  let ph = i32(uw(${WINDOW.ph}u)); let pw = i32(uw(${WINDOW.pw}u));
  let hs = oy * i32(uw(${WINDOW.sh}u)) - ph; let ws = ox * i32(uw(${WINDOW.sw}u)) - pw;
  let he = min(hs + i32(uw(${WINDOW.kh}u)), H + ph); let we = min(ws + i32(uw(${WINDOW.kw}u)), W + pw);
  if (uw(${WINDOW.countIncludePad}u) != 0u) { return f32((he - hs) * (we - ws)); }
  return f32((min(he, H) - max(hs, 0)) * (min(we, W) - max(ws, 0)));
}`;

export const avgPoolKey = (d: DType): string => `avgPool|${d}`;

/** The average of each window, one thread per output position, reading x through its strides (dilation 1). */
export function avgPoolSource(d: DType): string {
  const S = storageType(d);
  return `${preamble({ f16: d === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
${DIVISOR}
${main(`
  let L = u32(OH * OW);
  let l = idx % L; let plane = idx / L;
  let oy = i32(l) / OW; let ox = i32(l) % OW;
  let base = uw(${WINDOW.offset}u) + (plane / C) * uw(${WINDOW.strides}u) + (plane % C) * uw(${WINDOW.strides + 1}u);
  var acc = 0.0;
  for (var i = 0u; i < kh; i++) {
    let y = oy * sh - ph + i32(i);
    if (y < 0 || y >= H) { continue; }
    for (var j = 0u; j < kw; j++) {
      let x = ox * sw - pw + i32(j);
      if (x < 0 || x >= W) { continue; }
      acc += f32(inp[base + u32(y) * uw(${WINDOW.strides + 2}u) + u32(x) * uw(${WINDOW.strides + 3}u)]);
    }
  }
  out[idx] = ${S}(acc / divisor(oy, ox));`)}`;
}

export const avgPoolBackwardKey = (d: DType): string => `avgPoolBackward|${d}`;

/**
 * The adjoint of avgPool: each input pixel gathers g / divisor from the windows that cover it (as fold does, no
 * atomics). g is contiguous [N, C, OH, OW]; one thread per input pixel.
 */
export function avgPoolBackwardSource(d: DType): string {
  const S = storageType(d);
  return `${preamble({ f16: d === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> g: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
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
      acc += f32(g[base + u32(oy * OW + ox)]) / divisor(oy, ox);
    }
  }
  out[idx] = ${S}(acc);`)}`;
}
