// Flash attention register-blocked across the lanes of a subgroup: the forward here, the backward in
// shaders/attention-backward-subgroup.ts, and the lane machinery they share. shaders/attention.ts and
// shaders/attention-backward.ts hold the workgroup-memory kernels that serve adapters without subgroups.
//
// A subgroup of SG lanes owns SG rows (query rows in the forward and dQ kernels, keys in the dK/dV kernel) and
// walks blocks of the other side, SG * TB rows at a time, in two phases:
//   scores: lane l computes the SG x TB block sc[r][t] = own row r . walked row t between the SG owned rows and its
//     own TB rows of the block. It loads vec4 chunk c of its own rows; the owned rows' chunks reach every lane by
//     subgroupBroadcast, so a lane does SG TB dots per TB + 1 loads and holds no row of D floats.
//   accumulation: the output rows (O, dQ, dK, dV) of the SG owned rows are split by head dim: lane l owns chunks
//     l, l + SG, ... of all SG of them (SG x ceil(D/4 / SG) vec4s each). For each walked row u of the block it loads
//     its chunks of u's row once and takes the weight of (owned row r, u) from u's lane by subgroupShuffle.
//     When a row has fewer chunks than the subgroup has lanes (D/4 < SG: D 64 on NVIDIA's 32 lanes, D < 32 on
//     lavapipe's 8), the lanes form RG groups of LG = SG / RG lanes, and group g accumulates only the owned rows
//     r with r % RG = g: a lane then holds SG / RG rows of ceil(D/4 / LG) chunks, about D/4 vec4s per output,
//     instead of SG rows with idle lanes (at SG 32, D 64: 16 vec4s, not 32, per output).
// No workgroup memory and no barriers: a workgroup is one subgroup, its loop bounds are uniform, so every subgroup
// operation is in uniform control flow; masking is per element (masked_score), tile skipping per subgroup
// (key_range, query_range).
//
// On lavapipe (subgroups of 8 that are the SIMD lanes of one CPU thread) a broadcast is a register shuffle, while a
// workgroup-memory or storage load is a per-lane loop; the tiled subgroup matmul runs ~10x faster there than the
// workgroup-memory one for that reason, and these kernels follow it. On an NVIDIA GPU (subgroups of 32) every load
// is coalesced across the lanes of a row block.
import type { DType } from '../core/dtype.js';
import { flashCommon, flashForwardKernel, queryTileStart, storeChunk } from './attention.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
export const each = (n: number, f: (i: number) => string, sep = '\n'): string => range(n).map(f).join(sep);

/** The lane shapes of the subgroup kernels for subgroup size SG and head dim D. */
export function laneShape(SG: number, D: number) {
  const D4 = Math.ceil(D / 4);
  let RG = 1; // lane groups: the largest power of two that leaves every group at least D4 lanes
  while (RG * 2 * D4 <= SG) RG *= 2;
  const LG = SG / RG;
  return {
    D4,
    /** rows of the walked side each lane takes per block (SG * TB rows a block): 64 score floats a lane */
    TB: Math.max(1, 32 / SG),
    RG,
    LG,
    /** owned rows a lane accumulates (rows g, g + RG, ... for its group g) */
    RPL: SG / RG,
    /** head-dim chunks a lane owns of each accumulated row */
    NCH: Math.ceil(D4 / LG),
  };
}
export type LaneShape = ReturnType<typeof laneShape>;

/** Declares this lane's group `grp` (with lane groups) and head-dim chunks ch0, ch1, ... of its accumulated rows. */
export const laneChunks = ({ RG, LG, NCH }: LaneShape): string =>
  RG === 1
    ? each(NCH, (n) => `let ch${n} = lane + ${n * LG}u;`, ' ')
    : `let grp = lane / ${LG}u; ${each(NCH, (n) => `let ch${n} = lane % ${LG}u + ${n * LG}u;`, ' ')}`;

/** The WGSL type of an accumulator: the lane's chunks of its rows, [RPL][NCH] vec4s. */
export const accumulators = ({ RPL, NCH }: LaneShape): string => `array<array<vec4<f32>, ${NCH}>, ${RPL}>`;

/**
 * Owned row r's slot in the lane's accumulators, and `body(slot)` guarded so that only the lanes that accumulate
 * row r run it (no guard without lane groups). The guard is non-uniform: no subgroup operation may be in `body`.
 */
export const forOwnedRow = ({ RG }: LaneShape, r: number, body: (slot: number) => string): string =>
  RG === 1 ? body(r) : `if (grp == ${r % RG}u) { ${body(Math.floor(r / RG))} }`;

/** Stores owned row r's accumulated chunks, from the lanes that hold them: each [buffer, row base, value of slot k
 * and chunk n] (WGSL). */
export const storeOwnedRow = (
  shape: LaneShape,
  r: number,
  stores: [buffer: string, base: string, value: (k: number, n: number) => string][],
): string =>
  forOwnedRow(shape, r, (k) =>
    each(
      shape.NCH,
      (n) =>
        `if (ch${n} < D4) { ${stores.map(([buffer, base, value]) => storeChunk(buffer, base, `ch${n}`, value(k, n))).join(' ')} }`,
      '\n    ',
    ),
  );

/**
 * The scores phase: sc[r][t] = own row r . walked row t (and, with `second`, dp[r][t] = its dO/v counterpart),
 * over the D4 chunks. `own` declares this lane's chunk c of the owned side (ownA, ownB: the q/k and dO/v rows),
 * `walked(t)` the walked rows' chunks (wA_t, wB_t); own row r's chunk reaches every lane by subgroupBroadcast.
 */
export function scores(SG: number, TB: number, own: string, walked: (t: number) => string, second = true): string {
  const dots = (r: number) =>
    each(TB, (t) => `sc[${r}][${t}] += dot(a, wA${t});${second ? ` dp[${r}][${t}] += dot(g, wB${t});` : ''}`, ' ');
  return `for (var c = 0u; c < D4; c++) {
      ${own}
      ${each(TB, walked, '\n      ')}
      ${each(
        SG,
        (r) =>
          `{ let a = subgroupBroadcast(ownA, ${r}u);${second ? ` let g = subgroupBroadcast(ownB, ${r}u);` : ''}\n        ${dots(r)} }`,
        '\n      ',
      )}
    }`;
}

/** `x` of lane `o` (WGSL), inside a `walk` body. */
export const lane = (x: string): string => `subgroupShuffle(${x}, o)`;

/**
 * The accumulation phase's walk over the block's rows u = first + o + SG t (lane o scored them). A loop over o with
 * shuffles rather than SG * TB unrolled blocks with constant-lane broadcasts: lavapipe had not compiled the unrolled
 * dK/dV kernel (1,700 statements at D 64) after 7 minutes on a loaded machine.
 */
export function walk(SG: number, TB: number, first: string, body: (t: number) => string): string {
  return `for (var o = 0u; o < SG; o++) {
      ${each(TB, (t) => `{ let u = ${first} + o + ${t * SG}u;\n        ${body(t)} }`, '\n      ')}
    }`;
}

/**
 * A walk body's accumulation for walked row u (block slot t): loads this lane's chunks of u's row of each tensor in
 * `loads` (name, loader of chunk `ch`; zero where `valid` fails or past D), takes each `weights` entry (name, score
 * array) of (owned row r, u) from u's lane, and applies `updates` (accumulator, weight, loaded tensor).
 */
export function accumulate(
  shape: LaneShape,
  t: number,
  valid: string,
  loads: [name: string, loader: (ch: string) => string][],
  weights: [name: string, scores: string][],
  updates: [acc: string, weight: string, x: string][],
): string {
  const { RG, RPL, NCH } = shape;
  const load = (n: number) =>
    `${loads.map(([x]) => `var ${x}${n} = vec4<f32>(0.0);`).join(' ')} if (${valid} && ch${n} < D4) { ${loads.map(([x, f]) => `${x}${n} = ${f(`ch${n}`)};`).join(' ')} }`;
  // the weight of (owned row r, u) for slot k: with lane groups every lane shuffles the RG candidate rows (a
  // shuffle must run in every lane) and keeps its own group's
  const weight = (a: string, k: number) =>
    RG === 1
      ? lane(`${a}[${k}][${t}]`)
      : 'select('.repeat(RG - 1) +
        lane(`${a}[${k * RG}][${t}]`) +
        each(RG - 1, (g) => `, ${lane(`${a}[${k * RG + g + 1}][${t}]`)}, grp == ${g + 1}u)`, '');
  const add = (k: number) =>
    `{ ${weights.map(([w, a]) => `let ${w} = ${weight(a, k)};`).join(' ')} ${each(NCH, (n) => updates.map(([acc, w, x]) => `${acc}[${k}][${n}] += ${w} * ${x}${n};`).join(' '), ' ')} }`;
  return `${each(NCH, load, '\n        ')}\n        ${each(RPL, add, '\n        ')}`;
}

/**
 * The opening of a subgroup kernel up to main's body: its header, the flash helpers for `tensors` (+ `extra`), SG.
 * A workgroup is one subgroup, so the loop bounds (key_range, query_range) are that subgroup's own and tiles are
 * skipped exactly; on lavapipe that ran causal forward + backward in 79 ms of CPU time against 85 for 8 subgroups a
 * workgroup, window 64 in 30 against 39.
 */
export const subgroupKernelStart = (
  header: string,
  D: number,
  SG: number,
  tensors: [name: string, buffer: string][],
  vec4: boolean,
  extra = '',
): string => `enable subgroups;
${header}
${flashCommon(D, tensors, vec4)}
${extra}
const SG: u32 = ${SG}u;

@compute @workgroup_size(${SG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(subgroup_invocation_id) lane: u32) {`;

export const flashSubgroupKey = (dtype: DType, D: number, SG: number, lse: boolean, vec4: boolean) =>
  `attention|flash-sg${SG}|${dtype}|d${D}${lse ? '|lse' : ''}${vec4 ? '|vec4' : ''}`;

/**
 * The forward: a subgroup owns SG query rows and walks the keys they see with the online softmax (see
 * shaders/attention.ts): per block, each row's max comes from subgroupMax over the lanes' scores, its sum of
 * e^{s - m} from subgroupAdd, and the row's output chunks are rescaled by e^{m_old - m_new} before P V is added.
 */
export function flashSubgroupSource(dtype: DType, D: number, SG: number, lse: boolean, vec4: boolean): string {
  const shape = laneShape(SG, D);
  const { TB, NCH } = shape;
  const qkv: [string, string][] = [
    ['q', 'Q'],
    ['k', 'K'],
    ['v', 'V'],
  ];
  return `${subgroupKernelStart(flashForwardKernel(dtype, lse, vec4).header(), D, SG, qkv, vec4)}
  ${queryTileStart(SG)}
  let i0 = row0; // the subgroup's query rows i0 .. i0 + SG - 1; lane l loads row i0 + l
  let i = i0 + lane;
  let scale = uwf(W_scale);
  ${laneChunks(shape)}
  var acc = ${accumulators(shape)}();
  var m = array<f32, ${SG}>(${each(SG, () => 'LOWEST', ', ')});
  var l = array<f32, ${SG}>();
  for (var j0 = keys.x; j0 < keys.y; j0 += ${SG * TB}u) {
    ${each(TB, (t) => `let u${t} = j0 + lane + ${t * SG}u;`, ' ')}
    var sc = array<array<f32, ${TB}>, ${SG}>(); // zeroed each block
    ${scores(
      SG,
      TB,
      'var ownA = vec4<f32>(0.0); if (i < T) { ownA = q4(b, h, i, c); }',
      (t) => `var wA${t} = vec4<f32>(0.0); if (u${t} < S) { wA${t} = k4(b, hk, u${t}, c); }`,
      false,
    )}
    ${each(
      SG,
      (r) => `{
      var top = LOWEST;
      ${each(TB, (t) => `sc[${r}][${t}] = masked_score(sc[${r}][${t}] * scale, b, h, i0 + ${r}u, u${t}, i0 + ${r}u < T && u${t} < S); top = max(top, sc[${r}][${t}]);`, '\n      ')}
      let mNew = max(m[${r}], subgroupMax(top));
      let correction = exp(m[${r}] - mNew);
      var sum = 0.0;
      ${each(TB, (t) => `sc[${r}][${t}] = select(0.0, exp(sc[${r}][${t}] - mNew), sc[${r}][${t}] > LOWEST); sum += sc[${r}][${t}];`, '\n      ')}
      l[${r}] = l[${r}] * correction + subgroupAdd(sum);
      m[${r}] = mNew;
      ${forOwnedRow(shape, r, (k) => each(NCH, (n) => `acc[${k}][${n}] *= correction;`, ' '))}
    }`,
      '\n    ',
    )}
    ${walk(SG, TB, 'j0', (t) =>
      accumulate(shape, t, 'u < S', [['v', (ch) => `v4(b, hk, u, ${ch})`]], [['p', 'sc']], [['acc', 'p', 'v']]),
    )}
  }
  ${each(
    SG,
    (r) => `if (i0 + ${r}u < T) {
    let row = (b * H + h) * T + i0 + ${r}u;
    let inv = select(0.0, 1.0 / l[${r}], l[${r}] > 0.0);
    ${storeOwnedRow(shape, r, [['O', `o_row(b, h, i0 + ${r}u)`, (k, n) => `acc[${k}][${n}] * inv`]])}
    ${lse ? `if (lane == ${r}u) { store_LSE(row, select(HIGHEST, m[${r}] + log(l[${r}]), l[${r}] > 0.0)); }` : ''}
  }`,
    '\n  ',
  )}
}
`;
}
