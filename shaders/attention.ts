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
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const MAX_HEAD_DIM = 128;
export const FLASH_ROWS = 64;

/** Keys (forward, dQ) or queries (dK/dV) per workgroup-memory tile: two tiles of vec4 rows fit in 16 KiB. */
export const flashTile = (D: number): number => (D <= 64 ? 32 : 16);

/**
 * Uniform words of the flash kernels: sizes, masking, then offset + (b, h, t, d) strides of q, k, v, the mask and
 * (backward) the output gradient; a flag for writing the score gradient (backward).
 */
export const FW = {
  H: 0, T: 1, S: 2, group: 4, qOffset: 5, window: 6, causal: 7, scale: 8, hasMask: 9, batchHeads: 10,
  q: 12, k: 17, v: 22, mask: 27, g: 32, writeDs: 37,
} as const;

/** `n` copies of a statement, one per vec4 chunk c = 0..n-1 (constant indices, so private arrays stay in registers). */
export const unroll = (n: number, f: (c: number) => string): string => Array.from({ length: n }, (_, c) => f(c)).join(' ');

/**
 * WGSL shared by the flash kernels: constants, masking values and, per strided tensor, its address function and a
 * vec4 loader of dims 4c..4c+3 (zero past D).
 */
export function flashCommon(D: number, tensors: [name: string, binding: string, at: number][]): string {
  const tail = D % 4 !== 0;
  const loader = ([name, binding, at]: [string, string, number]) => `
fn ${name}_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return uw(${at}u) + b * uw(${at + 1}u) + h * uw(${at + 2}u) + t * uw(${at + 3}u) + d * uw(${at + 4}u); }
fn ${name}4(b: u32, h: u32, t: u32, c: u32) -> vec4<f32> {
  let a = ${name}_at(b, h, t, 4u * c); let sd = uw(${at + 4}u);
  var r = vec4<f32>(f32(${binding}[a]), 0.0, 0.0, 0.0);
  ${[1, 2, 3].map((i) => `${tail ? `if (4u * c + ${i}u < D) ` : ''}{ r[${i}] = f32(${binding}[a + ${i}u * sd]); }`).join('\n  ')}
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
fn mask_at(b: u32, h: u32, t: u32, s: u32) -> u32 { return uw(${FW.mask}u) + b * uw(${FW.mask + 1}u) + h * uw(${FW.mask + 2}u) + t * uw(${FW.mask + 3}u) + s * uw(${FW.mask + 4}u); }`;
}

/** Writes the D valid lanes of vec4 chunk `c` of `value` at flat index `base + 4c` of `buffer`. */
export const store4 = (D: number, buffer: string, S: string, base: string, c: number, value: string): string =>
  [0, 1, 2, 3].filter((i) => 4 * c + i < D).map((i) => `${buffer}[${base} + ${4 * c + i}u] = ${S}(${value}[${i}]);`).join(' ');

export const flashKey = (dtype: DType, D: number, lse: boolean) => `attention|flash|${dtype}|d${D}${lse ? '|lse' : ''}`;

/** The forward for head dim D; with `lse`, binding 5 receives each row's log-sum-exp (for the backward). */
export function flashSource(dtype: DType, D: number, lse: boolean): string {
  const S = storageType(dtype);
  const D4 = Math.ceil(D / 4);
  return `${preamble({ f16: dtype === 'f16', uniformBinding: lse ? 6 : 5 })}
@group(0) @binding(0) var<storage, read> Q: array<${S}>;
@group(0) @binding(1) var<storage, read> K: array<${S}>;
@group(0) @binding(2) var<storage, read> V: array<${S}>;
@group(0) @binding(3) var<storage, read> M: array<${S}>;
@group(0) @binding(4) var<storage, read_write> O: array<${S}>;
${lse ? '@group(0) @binding(5) var<storage, read_write> LSE: array<f32>;' : ''}
${flashCommon(D, [['q', 'Q', FW.q], ['k', 'K', FW.k], ['v', 'V', FW.v]])}
var<workgroup> Ks: array<vec4<f32>, ${flashTile(D) * D4}>;
var<workgroup> Vs: array<vec4<f32>, ${flashTile(D) * D4}>;

@compute @workgroup_size(${FLASH_ROWS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let H = uw(${FW.H}); let T = uw(${FW.T}); let S = uw(${FW.S});
  let tile = unfold_wid(wid, nwg, (T + ROWS - 1u) / ROWS); // [row tiles, batch * heads]
  if (tile.y >= uw(${FW.batchHeads})) { return; }
  let b = tile.y / H; let h = tile.y % H; let hk = h / uw(${FW.group});
  let row0 = tile.x * ROWS;
  let row = row0 + tid;
  let live = row < T;
  let qOffset = uwi(${FW.qOffset}); let window = i32(uw(${FW.window})); let causal = uw(${FW.causal}) != 0u;
  let scale = uwf(${FW.scale}); let hasMask = uw(${FW.hasMask}) != 0u;
  // key range [kBegin, kEnd) seen by some row of this workgroup (uniform across it, so barriers are safe)
  let lastRow = min(row0 + ROWS - 1u, T - 1u);
  var kEnd = S;
  if (causal) { kEnd = u32(clamp(qOffset + i32(lastRow) + 1, 0, i32(S))); }
  var kBegin = 0u;
  if (window > 0) { kBegin = u32(clamp(qOffset + i32(row0) - window + 1, 0, i32(S))); }
  let pos = qOffset + i32(row);
  var q: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  if (live) { ${unroll(D4, (c) => `q[${c}] = q4(b, h, row, ${c}u) * scale;`)} }
  var m = LOWEST;
  var l = 0.0;
  for (var k0 = kBegin; k0 < kEnd; k0 += TILE) {
    let n = min(TILE, kEnd - k0);
    for (var e = tid; e < n * D4; e += ROWS) {
      let j = k0 + e / D4; let c = e % D4;
      Ks[e] = k4(b, hk, j, c);
      Vs[e] = v4(b, hk, j, c);
    }
    workgroupBarrier();
    // Every thread walks every key of the tile: visibility is a predicate, not a branch out of the loop, so the
    // tile index stays uniform and each workgroup-memory read is one broadcast (lavapipe, too, then loads it once)
    for (var jj = 0u; jj < n; jj++) {
      let j = i32(k0 + jj);
      let kb = jj * D4;
      var s = ${unroll(D4, (c) => `${c ? '+ ' : ''}dot(q[${c}], Ks[kb + ${c}u])`)};
      if (hasMask && live) { s += f32(M[mask_at(b, h, row, u32(j))]); }
      let visible = live && !(causal && j > pos) && !(window > 0 && j <= pos - window) && s > LOWEST;
      s = select(LOWEST, s, visible);
      if (s > m) {
        let correction = exp(m - s);
        l *= correction;
        ${unroll(D4, (c) => `acc[${c}] *= correction;`)}
        m = s;
      }
      let p = select(0.0, exp(s - m), visible);
      l += p;
      ${unroll(D4, (c) => `acc[${c}] += p * Vs[kb + ${c}u];`)}
    }
    workgroupBarrier();
  }
  if (live) {
    let inv = select(0.0, 1.0 / l, l > 0.0);
    let base = ((b * H + h) * T + row) * D;
    ${unroll(D4, (c) => store4(D, 'O', S, 'base', c, `(acc[${c}] * inv)`))}
    ${lse ? 'LSE[(b * H + h) * T + row] = select(HIGHEST, m + log(l), l > 0.0);' : ''}
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
