// searchsorted: one thread per value, a binary search in its row of the sorted sequence (log2(L) reads instead of
// the L compares a broadcast comparison would make). Both operands arrive contiguous; the sequence is one row of L
// shared by every value (1-D), or one row per leading index of the values (perRow values each).
//
// Uniform words: 0 n (values), 1 L, 2 perRow (values per sequence row; 0 when the sequence is 1-D), 3 right,
// 4 sequence offset, 5 values offset.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { valueType } from './kernel.js';

export const SW = { n: 0, length: 1, perRow: 2, right: 3, seqOffset: 4, valueOffset: 5 } as const;
export const SEARCH_WG = 256;

export const searchsortedKey = (d: DType): string => `searchsorted|${d}`;

export function searchsortedSource(d: DType): string {
  const T = valueType(d);
  return `${preamble({ f16: d === 'f16', uniformBinding: 3 })}
@group(0) @binding(0) var<storage, read> seq: array<${storageType(d)}>;
@group(0) @binding(1) var<storage, read> vals: array<${storageType(d)}>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;

@compute @workgroup_size(${SEARCH_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${SEARCH_WG}u);
  if (idx >= uw(${SW.n})) { return; }
  let L = uw(${SW.length});
  let per = uw(${SW.perRow});
  let base = uw(${SW.seqOffset}) + select(0u, (idx / max(per, 1u)) * L, per > 0u);
  let v = ${T}(vals[uw(${SW.valueOffset}) + idx]);
  let right = uw(${SW.right}) == 1u;
  // the first position whose element is >= v (left) or > v (right)
  var lo = 0u; var hi = L;
  loop {
    if (lo >= hi) { break; }
    let mid = (lo + hi) / 2u;
    let s = ${T}(seq[base + mid]);
    if (s < v || (right && s == v)) { lo = mid + 1u; } else { hi = mid; }
  }
  out[idx] = i32(lo);
}
`;
}
