// Bitonic argsort along one dim (Batcher 1968; the GPU layout of "GPU Gems 2", ch. 46).
//
// Every row of length L is padded to P = 2^ceil(log2 L) and the rows are laid end to end; element g of that
// virtual array is row g / P, position g % P. Elements are (key, index) pairs compared lexicographically, so the
// order is total: ties keep their original order (a stable sort) and padding (key and index 0xffffffff) sorts last.
// Keys are u32 whose unsigned order is the value order: floats map their bits (NaN largest, -0 = +0), i32 flips the
// sign bit, and a descending sort complements the key (so NaN comes first, as in torch).
//
// Stage k (2, 4, ..., P) merges bitonic runs of length k; step j (k/2, ..., 1) compare-exchanges elements j apart,
// ascending where (position & k) == 0. Steps with j < BLOCK stay inside one block of BLOCK elements and run in
// workgroup memory (`sortBlock`); longer steps touch global memory, one dispatch each (`sortStep`).
//
// Uniform words: 0 rows, 1 L, 2 P, 3 first stage, 4 last stage, 5 step j (sortStep), 6 descending,
// 7 load from the input (else from the key/index buffers), 8 write the output indices (else the buffers),
// 9 input offset, 10 input stride along the dim, 11 output stride along the dim, 12 rank of the other dims,
// 16..23 their shape, 24..31 their input strides, 32..39 their output strides.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const SW = {
  rows: 0, length: 1, padded: 2, firstStage: 3, lastStage: 4, step: 5, descending: 6, fromInput: 7, writeOut: 8,
  offset: 9, dimStride: 10, outDimStride: 11, outerRank: 12, outerShape: 16, outerStrides: 24, outerOutStrides: 32,
} as const;
export const SORT_BLOCK = 1024;
export const SORT_WG = 256;
export const SORT_MAX_OUTER_RANK = 8;

function sortKey(d: DType): string {
  const S = storageType(d);
  if (d === 'f32' || d === 'f16') {
    return `fn sort_key(raw: ${S}) -> u32 {
  let v = f32(raw);
  if (is_nan(v)) { return 0xffffffffu; }
  var b = bitcast<u32>(v);
  if ((b & 0x7fffffffu) == 0u) { b = 0u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}`;
  }
  if (d === 'i32') return `fn sort_key(raw: i32) -> u32 { return bitcast<u32>(raw) ^ 0x80000000u; }`;
  return `fn sort_key(raw: u32) -> u32 { return raw; }`;
}

const COMMON = `
fn outer_offset(row: u32, strides_at: u32) -> u32 {
  var rem = row; var off = 0u;
  for (var d = i32(uw(${SW.outerRank})) - 1; d >= 0; d--) {
    let ud = u32(d); let size = uw(${SW.outerShape}u + ud);
    off += (rem % size) * uw(strides_at + ud); rem = rem / size;
  }
  return off;
}
// (ka, ia) comes after (kb, ib) in ascending order
fn after(ka: u32, ia: u32, kb: u32, ib: u32) -> bool { return ka > kb || (ka == kb && ia > ib); }
`;

export const sortBlockKey = (d: DType): string => `sortBlock|${d}`;

export function sortBlockSource(d: DType): string {
  const per = SORT_BLOCK / SORT_WG;
  return `${preamble({ f16: d === 'f16', uniformBinding: 4 })}
@group(0) @binding(0) var<storage, read> inp: array<${storageType(d)}>;
@group(0) @binding(1) var<storage, read_write> keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<i32>;
var<workgroup> sk: array<u32, ${SORT_BLOCK}>;
var<workgroup> si: array<u32, ${SORT_BLOCK}>;
${COMMON}
${sortKey(d)}

@compute @workgroup_size(${SORT_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let base = (wid.y * nwg.x + wid.x) * ${SORT_BLOCK}u;
  let L = uw(${SW.length}); let P = uw(${SW.padded}); let total = uw(${SW.rows}) * P;
  for (var e = 0u; e < ${per}u; e++) {
    let l = lid + e * ${SORT_WG}u; let g = base + l;
    var key = 0xffffffffu; var id = 0xffffffffu;
    if (g < total) {
      if (uw(${SW.fromInput}) == 1u) {
        let pos = g % P;
        if (pos < L) {
          key = sort_key(inp[uw(${SW.offset}) + outer_offset(g / P, ${SW.outerStrides}u) + pos * uw(${SW.dimStride})]);
          if (uw(${SW.descending}) == 1u) { key = ~key; }
          id = pos;
        }
      } else { key = keys[g]; id = ids[g]; }
    }
    sk[l] = key; si[l] = id;
  }
  workgroupBarrier();
  for (var k = uw(${SW.firstStage}); k <= uw(${SW.lastStage}); k = k << 1u) {
    for (var j = min(k >> 1u, ${SORT_BLOCK / 2}u); j > 0u; j = j >> 1u) {
      for (var p = 0u; p < ${per / 2}u; p++) {
        let t = lid + p * ${SORT_WG}u;
        let l = ((t & ~(j - 1u)) << 1u) | (t & (j - 1u));
        let r = l + j;
        let up = (((base + l) % P) & k) == 0u;
        if (after(sk[l], si[l], sk[r], si[r]) == up) {
          let tk = sk[l]; sk[l] = sk[r]; sk[r] = tk;
          let ti = si[l]; si[l] = si[r]; si[r] = ti;
        }
      }
      workgroupBarrier();
    }
  }
  for (var e = 0u; e < ${per}u; e++) {
    let l = lid + e * ${SORT_WG}u; let g = base + l;
    if (g >= total) { continue; }
    if (uw(${SW.writeOut}) == 1u) {
      let pos = g % P;
      if (pos < L) { out[outer_offset(g / P, ${SW.outerOutStrides}u) + pos * uw(${SW.outDimStride})] = i32(si[l]); }
    } else { keys[g] = sk[l]; ids[g] = si[l]; }
  }
}
`;
}

export const sortStepKey = 'sortStep';

export function sortStepSource(): string {
  return `${preamble({ uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read_write> keys: array<u32>;
@group(0) @binding(1) var<storage, read_write> ids: array<u32>;
${COMMON}

@compute @workgroup_size(${SORT_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = flat_id(wid, nwg, lid, ${SORT_WG}u);
  let P = uw(${SW.padded});
  if (t >= uw(${SW.rows}) * (P >> 1u)) { return; }
  let j = uw(${SW.step}); let k = uw(${SW.firstStage});
  let l = ((t & ~(j - 1u)) << 1u) | (t & (j - 1u));
  let r = l + j;
  let up = ((l % P) & k) == 0u;
  let ka = keys[l]; let ia = ids[l]; let kb = keys[r]; let ib = ids[r];
  if (after(ka, ia, kb, ib) == up) {
    keys[l] = kb; ids[l] = ib; keys[r] = ka; ids[r] = ia;
  }
}
`;
}
