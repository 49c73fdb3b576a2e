// Flash attention's fused backward on the subgroup scheme of shaders/attention-subgroup.ts (the same math, buffers
// and uniforms as shaders/attention-backward.ts, which serves adapters without subgroups):
//   dQ kernel: a subgroup owns SG query rows and walks the keys they see; scores give sc = q . k and dp = dO . v,
//     turned in place into P = e^{sc - L} and dS = P (dp - Delta); the accumulation adds dS_ru k_u to dQ_r.
//   dK/dV kernel: a subgroup owns SG keys and walks the query rows of every head of their K/V head's group (no
//     atomics); the accumulation adds P_ru dO_u to dV_r and dS_ru q_u to dK_r.
// Compared with the workgroup-memory and unfused backward by the attention rows of bench/suites/kernels.ts. On an NVIDIA GPU
// (SG 32) at D 64 the lane groups of shaders/attention-subgroup.ts leave a dK/dV lane 2 x 16 accumulator vec4s.
import type { DType } from '../core/dtype.js';
import { keyTileStart, queryTileStart } from './attention.js';
import {
  accumulate,
  accumulators,
  each,
  laneChunks,
  laneShape,
  scores,
  storeOwnedRow,
  subgroupKernelStart,
  walk,
} from './attention-subgroup.js';
import { flashGradKVKernel, flashGradQKernel, outputChunk } from './attention-backward.js';

export const flashGradQSubgroupKey = (dtype: DType, D: number, SG: number, vec4: boolean) =>
  `attention|flash-dq-sg${SG}|${dtype}|d${D}${vec4 ? '|vec4' : ''}`;
export const flashGradKVSubgroupKey = (dtype: DType, D: number, SG: number, vec4: boolean) =>
  `attention|flash-dkv-sg${SG}|${dtype}|d${D}${vec4 ? '|vec4' : ''}`;

const QKVG: [string, string][] = [
  ['q', 'Q'],
  ['k', 'K'],
  ['v', 'V'],
  ['g', 'G'],
];

/** The dK/dV kernel: a subgroup owns SG keys and walks the query rows of every head of their K/V head's group. */
export function flashGradKVSubgroupSource(dtype: DType, D: number, SG: number, vec4: boolean): string {
  const shape = laneShape(SG, D);
  const { TB } = shape;
  return `${subgroupKernelStart(flashGradKVKernel(dtype, vec4).header(), D, SG, QKVG, vec4)}
  ${keyTileStart(SG)}
  let j0 = key0; // the subgroup's keys j0 .. j0 + SG - 1; lane l loads key j0 + l
  let j = j0 + lane;
  let scale = uwf(W_scale);
  let BHT = uw(W_batchHeads) * T;
  ${laneChunks(shape)}
  var dk: ${accumulators(shape)};
  var dv: ${accumulators(shape)};
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
      ${walk(SG, TB, 'i0', (t) =>
        accumulate(
          shape,
          t,
          'u < T',
          [
            ['q', (ch) => `q4(b, h, u, ${ch})`],
            ['g', (ch) => `g4(b, h, u, ${ch})`],
          ],
          [
            ['p', 'sc'],
            ['ds', 'dp'],
          ],
          [
            ['dv', 'p', 'g'],
            ['dk', 'ds', 'q'],
          ],
        ),
      )}
    }
  }
  ${each(
    SG,
    (r) => `if (j0 + ${r}u < S) {
    let kBase = dk_row(b, hk, j0 + ${r}u); let vBase = dv_row(b, hk, j0 + ${r}u);
    ${storeOwnedRow(shape, r, [
      ['OUT', 'kBase', (k, n) => `dk[${k}][${n}] * scale`],
      ['OUT', 'vBase', (k, n) => `dv[${k}][${n}]`],
    ])}
  }`,
    '\n  ',
  )}
}
`;
}

/** The dQ kernel: a subgroup owns SG query rows and walks the keys they see; it also writes Delta = rowsum(dO * O). */
export function flashGradQSubgroupSource(dtype: DType, D: number, SG: number, vec4: boolean): string {
  const shape = laneShape(SG, D);
  const { TB } = shape;
  return `${subgroupKernelStart(flashGradQKernel(dtype, vec4).header(), D, SG, QKVG, vec4, outputChunk(D))}
  ${queryTileStart(SG)}
  let i0 = row0; // the subgroup's query rows i0 .. i0 + SG - 1; lane l loads row i0 + l
  let i = i0 + lane;
  let scale = uwf(W_scale); let writeDs = uw(W_writeDs) != 0u;
  let BHT = uw(W_batchHeads) * T;
  let r = (b * H + h) * T + i;
  var L = 0.0;
  var delta = 0.0;
  if (i < T) {
    for (var c = 0u; c < D4; c++) { delta += dot(g4(b, h, i, c), o4(b, h, i, c)); }
    L = load_STATS(r);
    store_STATS(BHT + r, delta);
  }
  ${each(SG, (r) => `let L${r} = subgroupBroadcast(L, ${r}u); let delta${r} = subgroupBroadcast(delta, ${r}u);`, '\n  ')}
  ${laneChunks(shape)}
  var dq: ${accumulators(shape)};
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
    ${each(
      SG,
      (r) =>
        each(
          TB,
          (t) => `{ let s = masked_score(sc[${r}][${t}] * scale, b, h, i0 + ${r}u, u${t}, i0 + ${r}u < T && u${t} < S);
    let p = select(0.0, exp(s - L${r}), s > LOWEST); let ds = p * (dp[${r}][${t}] - delta${r}); dp[${r}][${t}] = ds;
    if (writeDs && s > LOWEST) { store_OUT(uw(W_dsAt) + ((b * H + h) * T + i0 + ${r}u) * S + u${t}, ds); } }`,
          '\n    ',
        ),
      '\n    ',
    )}
    ${walk(SG, TB, 'j0', (t) =>
      accumulate(shape, t, 'u < S', [['k', (ch) => `k4(b, hk, u, ${ch})`]], [['ds', 'dp']], [['dq', 'ds', 'k']]),
    )}
  }
  ${each(
    SG,
    (r) => `if (i0 + ${r}u < T) {
    let base = dq_row(b, h, i0 + ${r}u);
    ${storeOwnedRow(shape, r, [['OUT', 'base', (k, n) => `dq[${k}][${n}] * scale`]])}
  }`,
    '\n  ',
  )}
}
`;
}
