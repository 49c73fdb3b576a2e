// Attention kernels: rotary position embedding, and flash attention's forward (shaders/attention-backward.ts has
// its backward).
//
// Flash attention (Dao et al. 2022, Alg. 1; FlashAttention-2's loop order): a workgroup of 64 threads owns 64
// consecutive query rows of one (batch, head); key/value tiles are staged in workgroup memory as vec4s and every
// thread folds them into its row with the online softmax: when a score s exceeds the running max m, the sum l and
// the accumulator are rescaled by e^{m-s}; then l += e^{s-m}, acc += e^{s-m} v. Only the key range some row of the
// workgroup can see is visited (causal end, window start), so a sliding window costs O(T W) rather than O(T^2).
// Grouped-query heads read K/V head h / group. Masked keys (score -inf) are skipped; a row that sees no key
// writes 0. When a backward will follow, the row's log-sum-exp L = m + log l is written too, from which the
// backward recomputes every probability as e^{s-L}.
//
// The kernels are specialised to the head dim D: the per-row vectors (q, the accumulator) are D/4 vec4s indexed by
// constants, so a compiler keeps them in registers (an NVIDIA GPU; lavapipe's LLVM too) instead of in memory.
// This forward serves adapters without subgroups of a fixed size; the others run shaders/attention-subgroup.ts. The
// visibility rule, the loop bounds and the loaders below are shared by every flash kernel.
import type { DType } from '../core/dtype.js';
import { Kernel, type BufferDecl } from './kernel.js';

export const MAX_HEAD_DIM = 128;
export const FLASH_ROWS = 64;

/** Keys (forward, dQ) or queries (dK/dV) per workgroup-memory tile: two tiles of vec4 rows fit in 16 KiB. */
export const flashTile = (D: number): number => (D <= 64 ? 32 : 16);

/**
 * The uniforms of the flash kernels: sizes, masking, then offset + (b, h, t, d) strides of q, k, v, the mask and
 * (backward) the output gradient g; a flag for writing the score gradient (backward); then the rows the kernels
 * write (or the dQ kernel reads, o), as offset + (b, h, t) strides with the head dim contiguous: the forward's output
 * o, the gradients dq, dk, dv, and where the score gradient dS [B, H, T, S] starts. Output rows in any layout let a
 * packed q/k/v projection get its gradient written in place ([B, T, H + 2 Hkv, D]) and the output come out as
 * [B, T, H, D], ready for the output projection. Every flash kernel declares them in this order, so they share one layout.
 */
const FLASH_UNIFORMS = {
  H: 1, T: 1, S: 1, group: 1, qOffset: 1, window: 1, causal: 1, scale: 1, hasMask: 1, batchHeads: 1,
  q: 5, k: 5, v: 5, mask: 5, g: 5, writeDs: 1, o: 4, dq: 4, dk: 4, dv: 4, dsAt: 1,
};

/** A flash kernel's declaration: its buffers (bindings in this order) and the shared uniforms. */
export const flashKernel = (name: string, buffers: Record<string, BufferDecl>): Kernel =>
  new Kernel({ name, buffers, uniforms: FLASH_UNIFORMS });

/** `n` copies of a statement, one per vec4 chunk c = 0..n-1 (constant indices, so private arrays stay in registers). */
export const unroll = (n: number, f: (c: number) => string): string => Array.from({ length: n }, (_, c) => f(c)).join(' ');

/**
 * WGSL shared by the flash kernels: constants, masking values and, per strided tensor (its uniform and its buffer),
 * its address function and a vec4 loader of dims 4c..4c+3 (zero past D). With `vec4`, the tensors' buffers are
 * arrays of vec4<f32> (see `vec4Operands`) and each chunk is one load.
 */
export function flashCommon(D: number, tensors: [name: string, buffer: string][], vec4 = false): string {
  const tail = D % 4 !== 0;
  const at = (name: string) =>
    `fn ${name}_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return uw(W_${name}) + b * uw(W_${name} + 1u) + h * uw(W_${name} + 2u) + t * uw(W_${name} + 3u) + d * uw(W_${name} + 4u); }`;
  const loader = ([name, buffer]: [string, string]) =>
    vec4
      ? `
${at(name)}
fn ${name}4(b: u32, h: u32, t: u32, c: u32) -> vec4<f32> { return ${buffer}[${name}_at(b, h, t, 4u * c) >> 2u]; }`
      : `
${at(name)}
fn ${name}4(b: u32, h: u32, t: u32, c: u32) -> vec4<f32> {
  let a = ${name}_at(b, h, t, 4u * c); let sd = uw(W_${name} + 4u);
  var r = vec4<f32>(load_${buffer}(a), 0.0, 0.0, 0.0);
  ${[1, 2, 3].map((i) => `${tail ? `if (4u * c + ${i}u < D) ` : ''}{ r[${i}] = load_${buffer}(a + ${i}u * sd); }`).join('\n  ')}
  return r;
}`;
  return `
const D: u32 = ${D}u;
const D4: u32 = ${Math.ceil(D / 4)}u;
const ROWS: u32 = ${FLASH_ROWS}u;
const TILE: u32 = ${flashTile(D)}u;
// finite stand-ins for -inf and +inf: compilers may assume no Inf exists
const LOWEST: f32 = -3.0e38;
const HIGHEST: f32 = 3.0e38;
${tensors.map(loader).join('\n')}
${at('mask')}
${['o', 'dq', 'dk', 'dv'].map(rowAt).join('\n')}
${VISIBILITY}`;
}

/** WGSL `name`_row(b, h, t): the flat index of element 0 of output row (b, h, t) (offset + (b, h, t) strides). */
const rowAt = (name: string): string =>
  `fn ${name}_row(b: u32, h: u32, t: u32) -> u32 { return uw(W_${name}) + b * uw(W_${name} + 1u) + h * uw(W_${name} + 2u) + t * uw(W_${name} + 3u); }`;

/**
 * The one definition of which keys a query sees, shared by the forward and every backward kernel:
 * masked_score(s, ...) is query row i's score s against key j plus the additive mask, or LOWEST where the key is
 * hidden (after the query's position when causal, before its window, masked to -inf, or `live` false: a row or key
 * past the end). key_range / query_range bound the loops at tile granularity: the keys some query row of
 * [first, last] sees, and the queries that see some key of [first, last] (query i sees key j when
 * j <= qOffset + i, causal, and j > qOffset + i - window). Both ranges come from workgroup-uniform values, so loops
 * over them keep barriers and subgroup operations in uniform control flow.
 */
const VISIBILITY = `
fn masked_score(s: f32, b: u32, h: u32, i: u32, j: u32, live: bool) -> f32 {
  var x = s;
  if (uw(W_hasMask) != 0u && live) { x += load_M(mask_at(b, h, i, j)); }
  let pos = uwi(W_qOffset) + i32(i); let window = i32(uw(W_window));
  let shown = live && !(uw(W_causal) != 0u && i32(j) > pos) && !(window > 0 && i32(j) <= pos - window) && x > LOWEST;
  return select(LOWEST, x, shown);
}
fn key_range(first: u32, last: u32) -> vec2<u32> {
  let S = i32(uw(W_S)); let qOffset = uwi(W_qOffset); let window = i32(uw(W_window));
  var r = vec2<u32>(0u, u32(S));
  if (uw(W_causal) != 0u) { r.y = u32(clamp(qOffset + i32(last) + 1, 0, S)); }
  if (window > 0) { r.x = u32(clamp(qOffset + i32(first) - window + 1, 0, S)); }
  return r;
}
fn query_range(first: u32, last: u32) -> vec2<u32> {
  let T = i32(uw(W_T)); let qOffset = uwi(W_qOffset); let window = i32(uw(W_window));
  var r = vec2<u32>(0u, u32(T));
  if (uw(W_causal) != 0u) { r.x = u32(clamp(i32(first) - qOffset, 0, T)); }
  if (window > 0) { r.y = u32(clamp(i32(last) - qOffset + window, 0, T)); }
  return r;
}`;

/**
 * WGSL opening a kernel over [query-row tiles of `rows`, batch * heads]: b, h, its K/V head hk, the tile's first row
 * row0 and `keys`, the key range some row of the tile sees (uniform across the workgroup, so barriers and subgroup
 * operations inside loops over it stay in uniform control flow).
 */
export const queryTileStart = (rows: number): string => `
  let H = uw(W_H); let T = uw(W_T); let S = uw(W_S);
  let tile = unfold_wid(wid, nwg, (T + ${rows - 1}u) / ${rows}u); // [row tiles, batch * heads]
  if (tile.y >= uw(W_batchHeads)) { return; }
  let b = tile.y / H; let h = tile.y % H; let hk = h / uw(W_group);
  let row0 = tile.x * ${rows}u;
  let keys = key_range(row0, min(row0 + ${rows - 1}u, T - 1u));`;

/** The same over [key tiles of `rows`, batch * K/V heads]: b, hk, the first key key0 and the `queries` that see the tile. */
export const keyTileStart = (rows: number): string => `
  let H = uw(W_H); let T = uw(W_T); let S = uw(W_S); let group = uw(W_group);
  let Hkv = H / group;
  let tile = unfold_wid(wid, nwg, (S + ${rows - 1}u) / ${rows}u); // [key tiles, batch * kv heads]
  if (tile.y >= uw(W_batchHeads) / group) { return; }
  let b = tile.y / Hkv; let hk = tile.y % Hkv;
  let key0 = tile.x * ${rows}u;
  let queries = query_range(key0, min(key0 + ${rows - 1}u, S - 1u));`;

/** WGSL staging keys k0 .. k0 + n - 1 (n = min(TILE, kEnd - k0)) of k and v in workgroup memory Ks, Vs. */
export const stageKeyTile = `let n = min(TILE, kEnd - k0);
    for (var e = tid; e < n * D4; e += ROWS) {
      let j = k0 + e / D4; let c = e % D4;
      Ks[e] = k4(b, hk, j, c);
      Vs[e] = v4(b, hk, j, c);
    }
    workgroupBarrier();`;

/**
 * Whether f32 operands can be bound as arrays of vec4 (one load per chunk instead of four: on lavapipe every
 * storage load at a run-time offset is a per-lane loop whatever its width): D a multiple of 4, the head dim
 * contiguous, offsets and the other strides multiples of 4.
 */
export const vec4Operands = (dtype: DType, D: number, ts: { offset: number; strides: readonly number[] }[]): boolean =>
  dtype === 'f32' && D % 4 === 0 && ts.every((t) => t.strides[3] === 1 && [t.offset, ...t.strides].every((x) => x % 4 === 0));

/** Writes the D valid lanes of vec4 chunk `c` (a run-time index) of `value` at flat index `base + 4c` of `buffer`. */
export const storeChunk = (buffer: string, base: string, c: string, value: string): string =>
  `{ let v = ${value}; for (var e = 0u; e < 4u; e++) { if (4u * (${c}) + e < D) { store_${buffer}(${base} + 4u * (${c}) + e, v[e]); } } }`;

/** Writes the D valid lanes of vec4 chunk `c` of `value` at flat index `base + 4c` of `buffer`. */
export const store4 = (D: number, buffer: string, base: string, c: number, value: string): string =>
  [0, 1, 2, 3].filter((i) => 4 * c + i < D).map((i) => `store_${buffer}(${base} + ${4 * c + i}u, ${value}[${i}]);`).join(' ');

export const flashKey = (dtype: DType, D: number, lse: boolean) => `attention|flash|${dtype}|d${D}${lse ? '|lse' : ''}`;

/** q, k, v (and g) as `dtype` or, with `vec4`, as arrays of vec4<f32> (see vec4Operands) */
export const operand = (dtype: DType, vec4: boolean): BufferDecl => (vec4 ? { type: 'vec4<f32>' } : { dtype });

/** The forward's declaration; with `lse`, buffer LSE receives each row's log-sum-exp (for the backward). */
export const flashForwardKernel = (dtype: DType, lse: boolean, vec4 = false): Kernel =>
  flashKernel('attention', {
    Q: operand(dtype, vec4),
    K: operand(dtype, vec4),
    V: operand(dtype, vec4),
    M: { dtype },
    O: { dtype, write: true },
    ...(lse ? { LSE: { dtype: 'f32', write: true } } : {}),
  });

/** The forward for head dim D. */
export function flashSource(dtype: DType, D: number, lse: boolean): string {
  const D4 = Math.ceil(D / 4);
  return `${flashForwardKernel(dtype, lse).header()}
${flashCommon(D, [['q', 'Q'], ['k', 'K'], ['v', 'V']])}
var<workgroup> Ks: array<vec4<f32>, ${flashTile(D) * D4}>;
var<workgroup> Vs: array<vec4<f32>, ${flashTile(D) * D4}>;

@compute @workgroup_size(${FLASH_ROWS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  ${queryTileStart(FLASH_ROWS)}
  let row = row0 + tid;
  let live = row < T;
  let scale = uwf(W_scale);
  let kBegin = keys.x; let kEnd = keys.y;
  var q: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  if (live) { ${unroll(D4, (c) => `q[${c}] = q4(b, h, row, ${c}u) * scale;`)} }
  var m = LOWEST;
  var l = 0.0;
  for (var k0 = kBegin; k0 < kEnd; k0 += TILE) {
    ${stageKeyTile}
    // Every thread walks every key of the tile: visibility is a predicate, not a branch out of the loop, so the
    // tile index stays uniform and each workgroup-memory read is one broadcast (lavapipe, too, then loads it once)
    for (var jj = 0u; jj < n; jj++) {
      let kb = jj * D4;
      let s = masked_score(${unroll(D4, (c) => `${c ? '+ ' : ''}dot(q[${c}], Ks[kb + ${c}u])`)}, b, h, row, k0 + jj, live);
      if (s > m) {
        let correction = exp(m - s);
        l *= correction;
        ${unroll(D4, (c) => `acc[${c}] *= correction;`)}
        m = s;
      }
      let p = select(0.0, exp(s - m), s > LOWEST);
      l += p;
      ${unroll(D4, (c) => `acc[${c}] += p * Vs[kb + ${c}u];`)}
    }
    workgroupBarrier();
  }
  if (live) {
    let inv = select(0.0, 1.0 / l, l > 0.0);
    let base = o_row(b, h, row);
    ${unroll(D4, (c) => store4(D, 'O', 'base', c, `(acc[${c}] * inv)`))}
    ${lse ? 'store_LSE((b * H + h) * T + row, select(HIGHEST, m + log(l), l > 0.0));' : ''}
  }
}
`;
}

/** The rotary kernel's declaration: x and the positions (i32) as strided tensors, a contiguous output. */
export const ropeKernel = (dtype: DType): Kernel =>
  new Kernel({
    name: 'rope',
    buffers: { X: { dtype }, P: { dtype: 'i32' }, O: { dtype, write: true } },
    // x: offset + (b, h, t, d) strides; pos: offset + (b, t) strides
    uniforms: { n: 1, H: 1, T: 1, D: 1, sign: 1, base: 1, x: 5, pos: 3 },
  });

export const ropeKey = (dtype: DType) => `attention|rope|${dtype}`;

// Rotary embedding (Su et al. 2021, eq. 34) in the rotate-half layout: dims i and i + D/2 form a pair rotated by
// the angle pos * base^(-2i/D). sign = -1 rotates back (the transpose), which is the backward.
export function ropeSource(dtype: DType): string {
  return `${ropeKernel(dtype).header()}
fn x_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return uw(W_x) + b * uw(W_x + 1u) + h * uw(W_x + 2u) + t * uw(W_x + 3u) + d * uw(W_x + 4u); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, 256u);
  if (idx >= uw(W_n)) { return; }
  let H = uw(W_H); let T = uw(W_T); let D = uw(W_D);
  let d = idx % D; let t = (idx / D) % T; let h = (idx / (D * T)) % H; let b = idx / (D * T * H);
  let half = D / 2u;
  let i = d % half;
  let pos = f32(load_P(uw(W_pos) + b * uw(W_pos + 1u) + t * uw(W_pos + 2u)));
  let angle = uwf(W_sign) * pos * exp2(-f32(2u * i) / f32(D) * log2(uwf(W_base)));
  let c = cos(angle); let s = sin(angle);
  let x = load_X(x_at(b, h, t, d));
  var y: f32;
  if (d < half) { y = x * c - load_X(x_at(b, h, t, d + half)) * s; }
  else { y = x * c + load_X(x_at(b, h, t, d - half)) * s; }
  store_O(idx, y);
}
`;
}
