// Index kernels: gather (read x at positions given by an index tensor) and scatter-add (add src into out at those
// positions). Both walk the index tensor, one thread per index element; every tensor is strided (broadcast index
// views have stride 0), so indexSelect and embedding run through the same two kernels.
//
// An index outside [0, size) cannot raise an error on the GPU: gather writes 0 there and scatter-add skips it, and
// the first such index is reported through the error-flag buffer (core/index-errors.ts) with the dispatch's report
// id (word 9), so the next readback raises the cpu backend's message. The host checks cpu indices before dispatching.
//
// Uniform words: 0 n (index elements), 1 rank, 2 dim, 3 x/out offset, 4 index offset, 5 size of `dim` in x/out,
// 6 a skipped index value (embedding's paddingIdx), 7 1 when word 6 is in use, 8 src offset, 9 report id,
// 16..23 index shape, 24..31 x/out strides, 32..39 index strides, 40..47 src strides.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const IW = {
  n: 0, rank: 1, dim: 2, offset: 3, indexOffset: 4, dimSize: 5, skipValue: 6, skip: 7, srcOffset: 8, report: 9,
  shape: 16, strides: 24, indexStrides: 32, srcStrides: 40,
} as const;
export const INDEX_WG = 256;
export const INDEX_MAX_RANK = 8;

/** Walks the index tensor: sets `oi` (index offset), `ox` (x/out offset without the `dim` term), `os` (src). */
const WALK = `
  var oi = uw(${IW.indexOffset}); var ox = uw(${IW.offset}); var os = uw(${IW.srcOffset});
  var rem = idx;
  let dim = uw(${IW.dim});
  for (var d = i32(uw(${IW.rank})) - 1; d >= 0; d--) {
    let ud = u32(d); let size = uw(${IW.shape}u + ud); let coord = rem % size; rem = rem / size;
    oi += coord * uw(${IW.indexStrides}u + ud);
    os += coord * uw(${IW.srcStrides}u + ud);
    if (ud != dim) { ox += coord * uw(${IW.strides}u + ud); }
  }
  let j = i32(index[oi]);
  let inRange = j >= 0 && j < i32(uw(${IW.dimSize}));
  let at = ox + u32(j) * uw(${IW.strides}u + dim);`;

/** The error-flag binding (3) and the function that reports a bad index into it; the first report wins. */
const REPORT = `
@group(0) @binding(3) var<storage, read_write> err: array<atomic<u32>, 2>;
fn report_bad(j: i32) {
  loop {
    let r = atomicCompareExchangeWeak(&err[0], 0u, uw(${IW.report}));
    if (r.exchanged) { atomicStore(&err[1], bitcast<u32>(j)); break; }
    if (r.old_value != 0u) { break; }
  }
}`;

export const gatherKey = (x: DType, index: DType): string => `gather|${x}|${index}`;

export function gatherSource(x: DType, index: DType): string {
  const S = storageType(x);
  return `${preamble({ f16: x === 'f16', uniformBinding: 4 })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read> index: array<${storageType(index)}>;
@group(0) @binding(2) var<storage, read_write> out: array<${S}>;
${REPORT}

@compute @workgroup_size(${INDEX_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${INDEX_WG}u);
  if (idx >= uw(${IW.n})) { return; }
  ${WALK}
  if (!inRange) { report_bad(j); }
  out[idx] = select(${S}(0), inp[select(0u, at, inRange)], inRange);
}
`;
}

/** out is f32, i32 or u32 (f16 scatters through an f32 copy: there are no 16-bit atomics). */
export const scatterAddKey = (out: DType, index: DType, src: DType): string => `scatterAdd|${out}|${index}|${src}`;

export function scatterAddSource(out: DType, index: DType, src: DType): string {
  // Float addition has no atomic in WGSL: read the bits, add, and compare-exchange until no other thread wrote
  // in between (the usual CAS loop). Integer sums use atomicAdd.
  const add = out === 'f32'
    ? `var old = atomicLoad(&out[at]);
  loop {
    let r = atomicCompareExchangeWeak(&out[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`
    : 'atomicAdd(&out[at], v);';
  const atomicType = out === 'i32' ? 'atomic<i32>' : 'atomic<u32>';
  const V = out === 'f32' ? 'f32' : out;
  return `${preamble({ f16: src === 'f16', uniformBinding: 4 })}
@group(0) @binding(0) var<storage, read> src: array<${storageType(src)}>;
@group(0) @binding(1) var<storage, read> index: array<${storageType(index)}>;
@group(0) @binding(2) var<storage, read_write> out: array<${atomicType}>;
${REPORT}

@compute @workgroup_size(${INDEX_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${INDEX_WG}u);
  if (idx >= uw(${IW.n})) { return; }
  ${WALK}
  if (!inRange) { report_bad(j); return; }
  if (uw(${IW.skip}) == 1u && j == uwi(${IW.skipValue})) { return; }
  let v = ${V}(src[os]);
  ${add}
}
`;
}
