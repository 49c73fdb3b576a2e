// Attention kernels: rotary position embedding, and flash-style causal/sliding-window softmax attention.
//
// Flash attention (Dao et al. 2022, Alg. 1, forward only): a workgroup of 64 threads owns 64 consecutive query rows
// of one (batch, head); key/value tiles of 16 rows are staged in workgroup memory and every thread folds them into
// its row with the online softmax: m' = max(m, s), l' = l e^{m-m'} + e^{s-m'}, acc' = acc e^{m-m'} + e^{s-m'} v.
// Only the key range some row of the workgroup can see is visited (causal end, window start), so a sliding window
// costs O(T W) rather than O(T^2). Grouped-query heads read K/V head h / group. Scores of masked keys are -inf
// and are skipped; a row that sees no key writes 0.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const MAX_HEAD_DIM = 128;
export const FLASH_ROWS = 64;
const KEY_TILE = 16;

/** Uniform words of the flash kernel: sizes, masking, then offset + (b, h, t, d) strides of q, k, v and the mask. */
export const FW = {
  H: 0, T: 1, S: 2, D: 3, group: 4, qOffset: 5, window: 6, causal: 7, scale: 8, hasMask: 9, batchHeads: 10,
  q: 12, k: 17, v: 22, mask: 27,
} as const;

export const flashKey = (dtype: DType) => `attention|flash|${dtype}`;

export function flashSource(dtype: DType): string {
  const S = storageType(dtype);
  const strided = (name: string, at: number) =>
    `fn ${name}_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return uw(${at}u) + b * uw(${at + 1}u) + h * uw(${at + 2}u) + t * uw(${at + 3}u) + d * uw(${at + 4}u); }`;
  return `${preamble({ f16: dtype === 'f16', uniformBinding: 5 })}
@group(0) @binding(0) var<storage, read> Q: array<${S}>;
@group(0) @binding(1) var<storage, read> K: array<${S}>;
@group(0) @binding(2) var<storage, read> V: array<${S}>;
@group(0) @binding(3) var<storage, read> M: array<${S}>;
@group(0) @binding(4) var<storage, read_write> O: array<${S}>;
var<workgroup> Ks: array<f32, ${KEY_TILE * MAX_HEAD_DIM}>;
var<workgroup> Vs: array<f32, ${KEY_TILE * MAX_HEAD_DIM}>;
${strided('q', FW.q)}
${strided('k', FW.k)}
${strided('v', FW.v)}
${strided('mask', FW.mask)}
const LOWEST: f32 = -3.0e38;

@compute @workgroup_size(${FLASH_ROWS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let H = uw(${FW.H}); let T = uw(${FW.T}); let S = uw(${FW.S}); let D = uw(${FW.D});
  let tile = unfold_wid(wid, nwg, (T + ${FLASH_ROWS - 1}u) / ${FLASH_ROWS}u); // [row tiles, batch * heads]
  if (tile.y >= uw(${FW.batchHeads})) { return; }
  let b = tile.y / H; let h = tile.y % H; let hk = h / uw(${FW.group});
  let row0 = tile.x * ${FLASH_ROWS}u;
  let row = row0 + tid;
  let live = row < T;
  let qOffset = uwi(${FW.qOffset}); let window = i32(uw(${FW.window})); let causal = uw(${FW.causal}) != 0u;
  let scale = uwf(${FW.scale}); let hasMask = uw(${FW.hasMask}) != 0u;
  // key range [kBegin, kEnd) seen by some row of this workgroup (uniform across it, so barriers are safe)
  let lastRow = min(row0 + ${FLASH_ROWS - 1}u, T - 1u);
  var kEnd = S;
  if (causal) { kEnd = u32(clamp(qOffset + i32(lastRow) + 1, 0, i32(S))); }
  var kBegin = 0u;
  if (window > 0) { kBegin = u32(clamp(qOffset + i32(row0) - window + 1, 0, i32(S))); }
  let pos = qOffset + i32(row);
  var q: array<f32, ${MAX_HEAD_DIM}>;
  var acc: array<f32, ${MAX_HEAD_DIM}>;
  if (live) { for (var d = 0u; d < D; d++) { q[d] = f32(Q[q_at(b, h, row, d)]) * scale; } }
  var m = LOWEST;
  var l = 0.0;
  for (var k0 = kBegin; k0 < kEnd; k0 += ${KEY_TILE}u) {
    let n = min(${KEY_TILE}u, kEnd - k0);
    for (var e = tid; e < n * D; e += ${FLASH_ROWS}u) {
      let j = k0 + e / D; let d = e % D;
      Ks[e] = f32(K[k_at(b, hk, j, d)]);
      Vs[e] = f32(V[v_at(b, hk, j, d)]);
    }
    workgroupBarrier();
    if (live) {
      for (var jj = 0u; jj < n; jj++) {
        let j = i32(k0 + jj);
        if (causal && j > pos) { break; }
        if (window > 0 && j <= pos - window) { continue; }
        var s = 0.0;
        for (var d = 0u; d < D; d++) { s += q[d] * Ks[jj * D + d]; }
        if (hasMask) { s += f32(M[mask_at(b, h, row, u32(j))]); }
        if (!(s > LOWEST)) { continue; }
        let mNew = max(m, s);
        let correction = exp(m - mNew);
        let p = exp(s - mNew);
        l = l * correction + p;
        for (var d = 0u; d < D; d++) { acc[d] = acc[d] * correction + p * Vs[jj * D + d]; }
        m = mNew;
      }
    }
    workgroupBarrier();
  }
  if (live) {
    let inv = select(0.0, 1.0 / l, l > 0.0);
    let base = ((b * H + h) * T + row) * D;
    for (var d = 0u; d < D; d++) { O[base + d] = ${S}(acc[d] * inv); }
  }
}
`;
}

/** Uniform words of the rotary kernel: element count, sizes, sign of the angle, base, x offset + strides, positions. */
export const RW = { n: 0, H: 1, T: 2, D: 3, sign: 4, base: 5, x: 8, pos: 13 } as const;

export const ropeKey = (dtype: DType) => `attention|rope|${dtype}`;

// Rotary embedding (Su et al. 2021, eq. 34) in the rotate-half layout: dims i and i + D/2 form a pair rotated by
// the angle pos * base^(-2i/D). sign = -1 rotates back (the transpose), which is the backward.
export function ropeSource(dtype: DType): string {
  const S = storageType(dtype);
  return `${preamble({ f16: dtype === 'f16', uniformBinding: 3 })}
@group(0) @binding(0) var<storage, read> X: array<${S}>;
@group(0) @binding(1) var<storage, read> P: array<i32>;
@group(0) @binding(2) var<storage, read_write> O: array<${S}>;

fn x_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return uw(${RW.x}u) + b * uw(${RW.x + 1}u) + h * uw(${RW.x + 2}u) + t * uw(${RW.x + 3}u) + d * uw(${RW.x + 4}u); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, 256u);
  if (idx >= uw(${RW.n})) { return; }
  let H = uw(${RW.H}); let T = uw(${RW.T}); let D = uw(${RW.D});
  let d = idx % D; let t = (idx / D) % T; let h = (idx / (D * T)) % H; let b = idx / (D * T * H);
  let half = D / 2u;
  let i = d % half;
  let pos = f32(P[uw(${RW.pos}u) + b * uw(${RW.pos + 1}u) + t * uw(${RW.pos + 2}u)]);
  let angle = uwf(${RW.sign}) * pos * exp2(-f32(2u * i) / f32(D) * log2(uwf(${RW.base})));
  let c = cos(angle); let s = sin(angle);
  let x = f32(X[x_at(b, h, t, d)]);
  var y: f32;
  if (d < half) { y = x * c - f32(X[x_at(b, h, t, d + half)]) * s; }
  else { y = x * c + f32(X[x_at(b, h, t, d - half)]) * s; }
  O[idx] = ${S}(y);
}
`;
}
