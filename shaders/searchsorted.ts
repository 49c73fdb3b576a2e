// searchsorted: one thread per value, a binary search in its row of the sorted sequence (log2(L) reads instead of
// the L compares a broadcast comparison would make). Both operands arrive contiguous; the sequence is one row of L
// shared by every value (1-D), or one row per leading index of the values (perRow values each, 0 when 1-D).
import type { DType } from '../core/dtype.js';
import { Kernel } from './kernel.js';

export const SEARCH_WG = 256;

export const searchsortedKernel = (d: DType): Kernel =>
  new Kernel({
    name: 'searchsorted',
    buffers: { seq: { dtype: d }, vals: { dtype: d }, out: { dtype: 'i32', write: true } },
    uniforms: { n: 1, length: 1, perRow: 1, right: 1, seqOffset: 1, valueOffset: 1 },
  });

export const searchsortedKey = (d: DType): string => `searchsorted|${d}`;

export function searchsortedSource(d: DType): string {
  return `${searchsortedKernel(d).header()}
@compute @workgroup_size(${SEARCH_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${SEARCH_WG}u);
  if (idx >= uw(W_n)) { return; }
  let L = uw(W_length);
  let per = uw(W_perRow);
  let base = uw(W_seqOffset) + select(0u, (idx / max(per, 1u)) * L, per > 0u);
  let v = load_vals(uw(W_valueOffset) + idx);
  let right = uw(W_right) == 1u;
  // the first position whose element is >= v (left) or > v (right)
  var lo = 0u; var hi = L;
  loop {
    if (lo >= hi) { break; }
    let mid = (lo + hi) / 2u;
    let s = load_seq(base + mid);
    if (s < v || (right && s == v)) { lo = mid + 1u; } else { hi = mid; }
  }
  store_out(idx, i32(lo));
}
`;
}
