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
// Both kernels share one uniform declaration; the other dims form the index space `outer`, of which the input and
// the output are views (shaders/kernel.ts).
import type { DType } from '../core/dtype.js';
import { Kernel, valueType, type KernelDecl } from './kernel.js';

export const SORT_BLOCK = 1024;
export const SORT_WG = 256;
export const SORT_MAX_OUTER_RANK = 8;

const SHARED: Omit<KernelDecl, 'name' | 'buffers'> = {
  uniforms: { rows: 1, length: 1, padded: 1, firstStage: 1, lastStage: 1, step: 1, descending: 1, fromInput: 1, writeOut: 1, dimStride: 1, outDimStride: 1 },
  spaces: { outer: SORT_MAX_OUTER_RANK },
  views: { inp: 'outer', out: 'outer' },
};

export const sortBlockKernel = (d: DType): Kernel =>
  new Kernel({
    name: 'argsort',
    buffers: { inp: { dtype: d }, keys: { type: 'u32', write: true }, ids: { type: 'u32', write: true }, out: { dtype: 'i32', write: true } },
    ...SHARED,
  });

export const sortStepKernel = new Kernel({
  name: 'argsort step',
  buffers: { keys: { type: 'u32', write: true }, ids: { type: 'u32', write: true } },
  ...SHARED,
});

function sortKey(d: DType): string {
  if (valueType(d) === 'f32') {
    return `fn sort_key(v: f32) -> u32 {
  if (is_nan(v)) { return 0xffffffffu; }
  var b = bitcast<u32>(v);
  if ((b & 0x7fffffffu) == 0u) { b = 0u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}`;
  }
  if (d === 'i32') return `fn sort_key(v: i32) -> u32 { return bitcast<u32>(v) ^ 0x80000000u; }`;
  return `fn sort_key(v: u32) -> u32 { return v; }`;
}

const COMMON = `
// (ka, ia) comes after (kb, ib) in ascending order
fn after(ka: u32, ia: u32, kb: u32, ib: u32) -> bool { return ka > kb || (ka == kb && ia > ib); }
`;

export const sortBlockKey = (d: DType): string => `sortBlock|${d}`;

export function sortBlockSource(d: DType): string {
  const per = SORT_BLOCK / SORT_WG;
  return `${sortBlockKernel(d).header()}
var<workgroup> sk: array<u32, ${SORT_BLOCK}>;
var<workgroup> si: array<u32, ${SORT_BLOCK}>;
${COMMON}
${sortKey(d)}

@compute @workgroup_size(${SORT_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let base = (wid.y * nwg.x + wid.x) * ${SORT_BLOCK}u;
  let L = uw(W_length); let P = uw(W_padded); let total = uw(W_rows) * P;
  for (var e = 0u; e < ${per}u; e++) {
    let l = lid + e * ${SORT_WG}u; let g = base + l;
    var key = 0xffffffffu; var id = 0xffffffffu;
    if (g < total) {
      if (uw(W_fromInput) == 1u) {
        let pos = g % P;
        if (pos < L) {
          key = sort_key(load_inp(offset_inp(g / P) + pos * uw(W_dimStride)));
          if (uw(W_descending) == 1u) { key = ~key; }
          id = pos;
        }
      } else { key = keys[g]; id = ids[g]; }
    }
    sk[l] = key; si[l] = id;
  }
  workgroupBarrier();
  for (var k = uw(W_firstStage); k <= uw(W_lastStage); k = k << 1u) {
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
    if (uw(W_writeOut) == 1u) {
      let pos = g % P;
      if (pos < L) { store_out(offset_out(g / P) + pos * uw(W_outDimStride), i32(si[l])); }
    } else { keys[g] = sk[l]; ids[g] = si[l]; }
  }
}
`;
}

export const sortStepKey = 'sortStep';

export function sortStepSource(): string {
  return `${sortStepKernel.header()}
${COMMON}

@compute @workgroup_size(${SORT_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = flat_id(wid, nwg, lid, ${SORT_WG}u);
  let P = uw(W_padded);
  if (t >= uw(W_rows) * (P >> 1u)) { return; }
  let j = uw(W_step); let k = uw(W_firstStage);
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
