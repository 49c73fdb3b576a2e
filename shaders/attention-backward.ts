// Flash attention's fused backward (FlashAttention-2, Dao 2023, Alg. 2, split into two kernels so that no float
// atomics are needed). With P = e^{S - L} recomputed from the forward's log-sum-exp L, dO the output gradient and
// Delta_i = rowsum(dO_i * O_i):
//   dV_j = sum_i P_ij dO_i,   dS_ij = P_ij (dO_i . V_j - Delta_i),   dK_j = scale sum_i dS_ij Q_i,   dQ_i = scale sum_j dS_ij K_j.
// The dQ kernel (one thread per query row, K/V tiles in workgroup memory, the forward's layout) also writes Delta,
// which the dK/dV kernel (one thread per key row, Q/dO tiles in workgroup memory) reads; the dK/dV kernel walks
// every query head of its K/V head's group, so grouped-query gradients are summed without atomics. Neither
// materialises the [T, S] probabilities; only an additive mask that needs a gradient has its dS written out.
//
// Buffers: the stats buffer holds L (written by the forward) then Delta, each [B H T] f32. The dQ kernel's output
// holds dQ's rows and, when asked, dS [B, H, T, S] from uniform dsAt; the dK/dV kernel's holds dK's and dV's rows;
// each row goes where the uniforms dq, dk, dv put it (see FLASH_UNIFORMS).
import type { DType } from '../core/dtype.js';
import type { Kernel } from './kernel.js';
import {
  FLASH_ROWS,
  flashCommon,
  flashKernel,
  flashTile,
  keyTileStart,
  operand,
  queryTileStart,
  stageKeyTile,
  store4,
  unroll,
} from './attention.js';

/** A sum of `n` vec4 dot products a(c) . b(c), written out term by term. */
const dots = (n: number, a: (c: number) => string, b: (c: number) => string) =>
  unroll(n, (c) => `${c ? '+ ' : ''}dot(${a(c)}, ${b(c)})`);

export const flashGradQKey = (dtype: DType, D: number) => `attention|flash-dq|${dtype}|d${D}`;

export const flashGradQKernel = (dtype: DType, vec4 = false): Kernel =>
  flashKernel('attention dq', {
    Q: operand(dtype, vec4),
    K: operand(dtype, vec4),
    V: operand(dtype, vec4),
    M: { dtype },
    G: operand(dtype, vec4),
    O: { dtype },
    STATS: { dtype: 'f32', write: true },
    OUT: { dtype, write: true },
  });

/** WGSL o4(b, h, t, c): chunk c of the forward's output row (b, h, t), zero past D. */
export const outputChunk = (D: number): string => `
fn o4(b: u32, h: u32, t: u32, c: u32) -> vec4<f32> {
  let a = o_row(b, h, t) + 4u * c;
  var x = vec4<f32>(load_O(a), 0.0, 0.0, 0.0);
  ${[1, 2, 3].map((i) => `${D % 4 !== 0 ? `if (4u * c + ${i}u < D) ` : ''}{ x[${i}] = load_O(a + ${i}u); }`).join('\n  ')}
  return x;
}`;

export function flashGradQSource(dtype: DType, D: number): string {
  const D4 = Math.ceil(D / 4);
  return `${flashGradQKernel(dtype).header()}
${flashCommon(D, [
  ['q', 'Q'],
  ['k', 'K'],
  ['v', 'V'],
  ['g', 'G'],
])}
var<workgroup> Ks: array<vec4<f32>, ${flashTile(D) * D4}>;
var<workgroup> Vs: array<vec4<f32>, ${flashTile(D) * D4}>;

${outputChunk(D)}

@compute @workgroup_size(${FLASH_ROWS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  ${queryTileStart(FLASH_ROWS)}
  let row = row0 + tid;
  let live = row < T;
  let scale = uwf(W_scale); let writeDs = uw(W_writeDs) != 0u;
  let kBegin = keys.x; let kEnd = keys.y;
  let BHT = uw(W_batchHeads) * T;
  let r = (b * H + h) * T + row;
  var q: array<vec4<f32>, D4>;
  var go: array<vec4<f32>, D4>;
  var dq: array<vec4<f32>, D4>;
  var L = 0.0;
  var delta = 0.0;
  if (live) {
    ${unroll(D4, (c) => `q[${c}] = q4(b, h, row, ${c}u) * scale; go[${c}] = g4(b, h, row, ${c}u);`)}
    delta = ${dots(
      D4,
      (c) => `go[${c}]`,
      (c) => `o4(b, h, row, ${c}u)`,
    )};
    L = load_STATS(r);
    store_STATS(BHT + r, delta);
  }
  for (var k0 = kBegin; k0 < kEnd; k0 += TILE) {
    ${stageKeyTile}
    // visibility is a predicate, not a branch out of the loop (see the forward)
    for (var jj = 0u; jj < n; jj++) {
      let j = k0 + jj;
      let kb = jj * D4;
      let s = masked_score(${dots(
        D4,
        (c) => `q[${c}]`,
        (c) => `Ks[kb + ${c}u]`,
      )}, b, h, row, j, live);
      let p = select(0.0, exp(s - L), s > LOWEST);
      let dp = ${dots(
        D4,
        (c) => `go[${c}]`,
        (c) => `Vs[kb + ${c}u]`,
      )};
      let ds = p * (dp - delta);
      ${unroll(D4, (c) => `dq[${c}] += ds * Ks[kb + ${c}u];`)}
      if (writeDs && s > LOWEST) { store_OUT(uw(W_dsAt) + r * S + j, ds); }
    }
    workgroupBarrier();
  }
  if (live) {
    let base = dq_row(b, h, row);
    ${unroll(D4, (c) => store4(D, 'OUT', 'base', c, `(dq[${c}] * scale)`))}
  }
}
`;
}

export const flashGradKVKey = (dtype: DType, D: number) => `attention|flash-dkv|${dtype}|d${D}`;

export const flashGradKVKernel = (dtype: DType, vec4 = false): Kernel =>
  flashKernel('attention dkv', {
    Q: operand(dtype, vec4),
    K: operand(dtype, vec4),
    V: operand(dtype, vec4),
    M: { dtype },
    G: operand(dtype, vec4),
    STATS: { dtype: 'f32' },
    OUT: { dtype, write: true },
  });

export function flashGradKVSource(dtype: DType, D: number): string {
  const D4 = Math.ceil(D / 4);
  return `${flashGradKVKernel(dtype).header()}
${flashCommon(D, [
  ['q', 'Q'],
  ['k', 'K'],
  ['v', 'V'],
  ['g', 'G'],
])}
var<workgroup> Qs: array<vec4<f32>, ${flashTile(D) * D4}>;
var<workgroup> Gs: array<vec4<f32>, ${flashTile(D) * D4}>;
var<workgroup> Ls: array<f32, ${flashTile(D)}>;
var<workgroup> Ds: array<f32, ${flashTile(D)}>;

@compute @workgroup_size(${FLASH_ROWS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  ${keyTileStart(FLASH_ROWS)}
  let j = key0 + tid;
  let live = j < S;
  let scale = uwf(W_scale);
  let iBegin = queries.x; let iEnd = queries.y;
  let BHT = uw(W_batchHeads) * T;
  var kr: array<vec4<f32>, D4>;
  var vr: array<vec4<f32>, D4>;
  var dk: array<vec4<f32>, D4>;
  var dv: array<vec4<f32>, D4>;
  if (live) { ${unroll(D4, (c) => `kr[${c}] = k4(b, hk, j, ${c}u) * scale; vr[${c}] = v4(b, hk, j, ${c}u);`)} }
  for (var h = hk * group; h < (hk + 1u) * group; h++) {
    for (var i0 = iBegin; i0 < iEnd; i0 += TILE) {
      let n = min(TILE, iEnd - i0);
      for (var e = tid; e < n * D4; e += ROWS) {
        let i = i0 + e / D4; let c = e % D4;
        Qs[e] = q4(b, h, i, c);
        Gs[e] = g4(b, h, i, c);
      }
      for (var e = tid; e < n; e += ROWS) {
        let r = (b * H + h) * T + i0 + e;
        Ls[e] = load_STATS(r);
        Ds[e] = load_STATS(BHT + r);
      }
      workgroupBarrier();
      for (var ii = 0u; ii < n; ii++) {
        let qb = ii * D4;
        let s = masked_score(${dots(
          D4,
          (c) => `Qs[qb + ${c}u]`,
          (c) => `kr[${c}]`,
        )}, b, h, i0 + ii, j, live);
        let p = select(0.0, exp(s - Ls[ii]), s > LOWEST);
        let dp = ${dots(
          D4,
          (c) => `Gs[qb + ${c}u]`,
          (c) => `vr[${c}]`,
        )};
        let ds = p * (dp - Ds[ii]);
        ${unroll(D4, (c) => `dv[${c}] += p * Gs[qb + ${c}u]; dk[${c}] += ds * Qs[qb + ${c}u];`)}
      }
      workgroupBarrier();
    }
  }
  if (live) {
    let kBase = dk_row(b, hk, j); let vBase = dv_row(b, hk, j);
    ${unroll(D4, (c) => store4(D, 'OUT', 'kBase', c, `(dk[${c}] * scale)`))}
    ${unroll(D4, (c) => store4(D, 'OUT', 'vBase', c, `dv[${c}]`))}
  }
}
`;
}
