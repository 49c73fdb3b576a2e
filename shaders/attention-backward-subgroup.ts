// Flash attention's fused backward, register-blocked across the lanes of a subgroup (the same math, buffers and
// uniforms as shaders/attention-backward.ts, which serves adapters without subgroups).
//
// A subgroup of SG lanes owns SG keys (the dK/dV kernel) or SG query rows (the dQ kernel) and walks blocks of
// the other side, SG * TB rows at a time, in two phases:
//   scores: lane l computes the SG x TB block S_rt = q . k (and dP_rt = dO . v) between the SG rows r it owns and its
//     own TB rows t of the block. It loads vec4 chunk c of its own rows; the owned rows' chunks reach every lane
//     by subgroupBroadcast, so each lane does 2 SG TB dots per 2 (TB + 1) loads and keeps no row of D floats.
//     P = e^{S - L} and dS = P (dP - Delta) then replace S and dP in place.
//   accumulation: the gradient rows (dK, dV or dQ) of the SG owned rows are split by head dim: lane l owns chunks
//     l, l + SG, ... of all SG of them (SG x ceil(D/4 / SG) vec4s each). For each row u of the block it loads its
//     chunks of q_u and dO_u (or k_u) once, and takes P and dS of (owned row r, u) from u's lane by subgroupShuffle.
// No workgroup memory, no barriers: the subgroups of a workgroup only share its (uniform) loop bounds, which keeps
// every subgroup operation in uniform control flow; masking is per element (masked_score), tile skipping per
// workgroup (key_range, query_range).
//
// On lavapipe (subgroups of 8 that are SIMD lanes of one CPU thread) a broadcast is a register shuffle while a
// workgroup-memory or storage load is a per-lane loop, which is why the tiled subgroup matmul runs ~10x faster
// there than the workgroup-memory one; these kernels follow it. On an NVIDIA GPU (subgroups of 32) the
// accumulators are SG * ceil(D/4 / SG) * 2 vec4s per lane (64 floats at D 64) and every load is coalesced across
// the lanes of a row block.
import type { DType } from '../core/dtype.js';
import { flashCommon, keyTileStart, queryTileStart, storeChunk } from './attention.js';
import { flashGradKVKernel, flashGradQKernel, outputChunk } from './attention-backward.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const each = (n: number, f: (i: number) => string, sep = '\n'): string => range(n).map(f).join(sep);

/** The lane shapes of the subgroup backward for subgroup size SG and head dim D. */
export function subgroupBackwardShape(SG: number, D: number) {
  const D4 = Math.ceil(D / 4);
  return {
    D4,
    /** rows of the walked side each lane takes per block (SG * TB rows a block): 64 score floats a lane */
    TB: Math.max(1, 32 / SG),
    /** head-dim chunks a lane owns of each accumulated row */
    NCH: Math.ceil(D4 / SG),
    /** subgroups per workgroup */
    G: Math.max(1, 64 / SG),
  };
}

export const flashGradQSubgroupKey = (dtype: DType, D: number, SG: number, vec4: boolean) =>
  `attention|flash-dq-sg${SG}|${dtype}|d${D}${vec4 ? '|vec4' : ''}`;
export const flashGradKVSubgroupKey = (dtype: DType, D: number, SG: number, vec4: boolean) =>
  `attention|flash-dkv-sg${SG}|${dtype}|d${D}${vec4 ? '|vec4' : ''}`;

/**
 * The scores phase: S[r][t] = own row r . walked row t and dP[r][t] = its dO/v counterpart, over the D4 chunks.
 * `own(c)` declares this lane's chunk c of the owned side (ownA, ownB: the q/k and dO/v rows), `walked(t, c)`
 * the walked rows' chunks (wA_t, wB_t).
 */
function scores(SG: number, TB: number, own: string, walked: (t: number) => string): string {
  return `for (var c = 0u; c < D4; c++) {
      ${own}
      ${each(TB, walked, '\n      ')}
      ${each(
        SG,
        (r) => `{ let a = subgroupBroadcast(ownA, ${r}u); let g = subgroupBroadcast(ownB, ${r}u);
        ${each(TB, (t) => `sc[${r}][${t}] += dot(a, wA${t}); dp[${r}][${t}] += dot(g, wB${t});`, ' ')} }`,
        '\n      ',
      )}
    }`;
}

/** The dK/dV kernel: a subgroup owns SG keys and walks the query rows of every head of their K/V head's group. */
export function flashGradKVSubgroupSource(dtype: DType, D: number, SG: number, vec4: boolean): string {
  const { TB, NCH, G } = subgroupBackwardShape(SG, D);
  const lanes = SG * G;
  return `enable subgroups;
${flashGradKVKernel(dtype, vec4).header()}
${flashCommon(D, [
  ['q', 'Q'],
  ['k', 'K'],
  ['v', 'V'],
  ['g', 'G'],
], vec4)}
const SG: u32 = ${SG}u;

@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32, @builtin(subgroup_invocation_id) lane: u32) {
  ${keyTileStart(lanes)}
  let j0 = key0 + (li / SG) * SG; // this subgroup's keys j0 .. j0 + SG - 1; lane l loads key j0 + l
  let j = j0 + lane;
  let scale = uwf(W_scale);
  let BHT = uw(W_batchHeads) * T;
  ${each(NCH, (n) => `let ch${n} = lane + ${n * SG}u;`, ' ')}
  var dk: array<array<vec4<f32>, ${NCH}>, ${SG}>;
  var dv: array<array<vec4<f32>, ${NCH}>, ${SG}>;
  for (var h = hk * group; h < (hk + 1u) * group; h++) {
    for (var i0 = queries.x; i0 < queries.y; i0 += ${SG * TB}u) {
      ${each(TB, (t) => `let u${t} = i0 + lane + ${t * SG}u;`, ' ')}
      var sc = array<array<f32, ${TB}>, ${SG}>(); // zeroed each block
      var dp = array<array<f32, ${TB}>, ${SG}>(); // zeroed each block
      ${scores(
        SG,
        TB,
        'var ownA = vec4<f32>(0.0); var ownB = vec4<f32>(0.0); if (j < S) { ownA = k4(b, hk, j, c); ownB = v4(b, hk, j, c); }',
        (t) =>
          `var wA${t} = vec4<f32>(0.0); var wB${t} = vec4<f32>(0.0); if (u${t} < T) { wA${t} = q4(b, h, u${t}, c); wB${t} = g4(b, h, u${t}, c); }`,
      )}
      ${each(
        TB,
        (t) => `{
        var L = 0.0; var delta = 0.0;
        if (u${t} < T) { let row = (b * H + h) * T + u${t}; L = load_STATS(row); delta = load_STATS(BHT + row); }
        ${each(
          SG,
          (r) => `{ let s = masked_score(sc[${r}][${t}] * scale, b, h, u${t}, j0 + ${r}u, u${t} < T && j0 + ${r}u < S);
          let p = select(0.0, exp(s - L), s > LOWEST); sc[${r}][${t}] = p; dp[${r}][${t}] = p * (dp[${r}][${t}] - delta); }`,
          '\n        ',
        )}
      }`,
        '\n      ',
      )}
      for (var o = 0u; o < SG; o++) {
        ${each(
          TB,
          (t) => `{
          let u = i0 + o + ${t * SG}u;
          ${each(NCH, (n) => `var q${n} = vec4<f32>(0.0); var g${n} = vec4<f32>(0.0); if (u < T && ch${n} < D4) { q${n} = q4(b, h, u, ch${n}); g${n} = g4(b, h, u, ch${n}); }`, '\n          ')}
          ${each(
            SG,
            (r) =>
              `{ let p = subgroupShuffle(sc[${r}][${t}], o); let ds = subgroupShuffle(dp[${r}][${t}], o); ${each(NCH, (n) => `dv[${r}][${n}] += p * g${n}; dk[${r}][${n}] += ds * q${n};`, ' ')} }`,
            '\n          ',
          )}
        }`,
          '\n        ',
        )}
      }
    }
  }
  let half = uw(W_batchHeads) / group * S * D;
  ${each(
    SG,
    (r) => `if (j0 + ${r}u < S) {
    let base = ((b * Hkv + hk) * S + j0 + ${r}u) * D;
    ${each(NCH, (n) => `if (ch${n} < D4) { ${storeChunk('OUT', 'base', `ch${n}`, `dk[${r}][${n}] * scale`)} ${storeChunk('OUT', 'base + half', `ch${n}`, `dv[${r}][${n}]`)} }`, '\n    ')}
  }`,
    '\n  ',
  )}
}
`;
}

/** The dQ kernel: a subgroup owns SG query rows and walks the keys they see; it also writes Delta = rowsum(dO * O). */
export function flashGradQSubgroupSource(dtype: DType, D: number, SG: number, vec4: boolean): string {
  const { TB, NCH, G } = subgroupBackwardShape(SG, D);
  const lanes = SG * G;
  return `enable subgroups;
${flashGradQKernel(dtype, vec4).header()}
${flashCommon(D, [
  ['q', 'Q'],
  ['k', 'K'],
  ['v', 'V'],
  ['g', 'G'],
], vec4)}
${outputChunk(D)}
const SG: u32 = ${SG}u;

@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32, @builtin(subgroup_invocation_id) lane: u32) {
  ${queryTileStart(lanes)}
  let i0 = row0 + (li / SG) * SG; // this subgroup's query rows i0 .. i0 + SG - 1; lane l loads row i0 + l
  let i = i0 + lane;
  let scale = uwf(W_scale); let writeDs = uw(W_writeDs) != 0u;
  let BHT = uw(W_batchHeads) * T;
  let r = (b * H + h) * T + i;
  var L = 0.0;
  var delta = 0.0;
  if (i < T) {
    for (var c = 0u; c < D4; c++) { delta += dot(g4(b, h, i, c), o4(r, c)); }
    L = load_STATS(r);
    store_STATS(BHT + r, delta);
  }
  ${each(SG, (r) => `let L${r} = subgroupBroadcast(L, ${r}u); let delta${r} = subgroupBroadcast(delta, ${r}u);`, '\n  ')}
  ${each(NCH, (n) => `let ch${n} = lane + ${n * SG}u;`, ' ')}
  var dq: array<array<vec4<f32>, ${NCH}>, ${SG}>;
  for (var j0 = keys.x; j0 < keys.y; j0 += ${SG * TB}u) {
    ${each(TB, (t) => `let u${t} = j0 + lane + ${t * SG}u;`, ' ')}
    var sc = array<array<f32, ${TB}>, ${SG}>(); // zeroed each block
    var dp = array<array<f32, ${TB}>, ${SG}>(); // zeroed each block
    ${scores(
      SG,
      TB,
      'var ownA = vec4<f32>(0.0); var ownB = vec4<f32>(0.0); if (i < T) { ownA = q4(b, h, i, c); ownB = g4(b, h, i, c); }',
      (t) =>
        `var wA${t} = vec4<f32>(0.0); var wB${t} = vec4<f32>(0.0); if (u${t} < S) { wA${t} = k4(b, hk, u${t}, c); wB${t} = v4(b, hk, u${t}, c); }`,
    )}
    ${each(SG, (r) =>
      each(
        TB,
        (t) => `{ let s = masked_score(sc[${r}][${t}] * scale, b, h, i0 + ${r}u, u${t}, i0 + ${r}u < T && u${t} < S);
    let p = select(0.0, exp(s - L${r}), s > LOWEST); let ds = p * (dp[${r}][${t}] - delta${r}); dp[${r}][${t}] = ds;
    if (writeDs && s > LOWEST) { store_OUT(BHT * D + ((b * H + h) * T + i0 + ${r}u) * S + u${t}, ds); } }`,
        '\n    ',
      ), '\n    ')}
    for (var o = 0u; o < SG; o++) {
      ${each(
        TB,
        (t) => `{
        let u = j0 + o + ${t * SG}u;
        ${each(NCH, (n) => `var k${n} = vec4<f32>(0.0); if (u < S && ch${n} < D4) { k${n} = k4(b, hk, u, ch${n}); }`, '\n        ')}
        ${each(SG, (r) => `{ let ds = subgroupShuffle(dp[${r}][${t}], o); ${each(NCH, (n) => `dq[${r}][${n}] += ds * k${n};`, ' ')} }`, '\n        ')}
      }`,
        '\n      ',
      )}
    }
  }
  ${each(
    SG,
    (r) => `if (i0 + ${r}u < T) {
    let base = ((b * H + h) * T + i0 + ${r}u) * D;
    ${each(NCH, (n) => `if (ch${n} < D4) ${storeChunk('OUT', 'base', `ch${n}`, `dq[${r}][${n}] * scale`)}`, '\n    ')}
  }`,
    '\n  ',
  )}
}
`;
}
