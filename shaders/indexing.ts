// Index kernels: gather (read x at positions given by an index tensor) and scatter-add (add src into out at those
// positions). Both walk the index tensor, one thread per index element; every tensor is strided (broadcast index
// views have stride 0), so indexSelect and embedding run through the same two kernels.
//
// An index outside [0, size) cannot raise an error on the GPU: gather writes 0 there and scatter-add skips it, and
// the first such index is reported through the error-flag buffer (core/index-errors.ts) with the dispatch's report
// id (uniform `report`), so the next readback raises the cpu backend's message. The host checks cpu indices before dispatching.
//
// The index tensor's shape is the index space `walk`; the index, the target (x or out, with the stride of `dim`
// zeroed: the index value supplies that coordinate) and src are views of it (shaders/kernel.ts).
import type { DType } from '../core/dtype.js';
import { Kernel, valueType, type BufferDecl } from './kernel.js';

export const INDEX_WG = 256;
export const INDEX_MAX_RANK = 8;

function indexKernel(name: string, buffers: Record<string, BufferDecl>): Kernel {
  return new Kernel({
    name,
    buffers: { ...buffers, err: { type: 'atomic<u32>', write: true } },
    uniforms: { n: 1, dimSize: 1, dimStride: 1, skipValue: 1, skip: 1, report: 1 },
    spaces: { walk: INDEX_MAX_RANK },
    views: { index: 'walk', target: 'walk', src: 'walk' },
  });
}

export const gatherKernel = (x: DType, index: DType): Kernel =>
  indexKernel('gather', { inp: { dtype: x }, index: { dtype: index }, out: { dtype: x, write: true } });

/** out is f32, i32 or u32 (16-bit floats scatter through an f32 copy: there are no 16-bit atomics). */
export const scatterAddKernel = (out: DType, index: DType, src: DType): Kernel =>
  indexKernel('scatterAdd', { src: { dtype: src }, index: { dtype: index }, out: { type: out === 'i32' ? 'atomic<i32>' : 'atomic<u32>', write: true } });

/** Walks the index tensor: `j` is the index value, `at` its position in x/out, `inRange` whether it is valid. */
const WALK = `
  let j = i32(load_index(offset_index(idx)));
  let inRange = j >= 0 && j < i32(uw(W_dimSize));
  let at = offset_target(idx) + u32(j) * uw(W_dimStride);`;

/** Reports a bad index into the error-flag buffer; the first report wins. */
const REPORT = `
fn report_bad(j: i32) {
  loop {
    let r = atomicCompareExchangeWeak(&err[0], 0u, uw(W_report));
    if (r.exchanged) { atomicStore(&err[1], bitcast<u32>(j)); break; }
    if (r.old_value != 0u) { break; }
  }
}`;

export const gatherKey = (x: DType, index: DType): string => `gather|${x}|${index}`;

export function gatherSource(x: DType, index: DType): string {
  return `${gatherKernel(x, index).header()}
${REPORT}

@compute @workgroup_size(${INDEX_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${INDEX_WG}u);
  if (idx >= uw(W_n)) { return; }
  ${WALK}
  if (!inRange) { report_bad(j); }
  store_out(idx, select(${valueType(x)}(0), load_inp(select(0u, at, inRange)), inRange));
}
`;
}

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
  return `${scatterAddKernel(out, index, src).header()}
${REPORT}

@compute @workgroup_size(${INDEX_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${INDEX_WG}u);
  if (idx >= uw(W_n)) { return; }
  ${WALK}
  if (!inRange) { report_bad(j); return; }
  if (uw(W_skip) == 1u && j == uwi(W_skipValue)) { return; }
  let v = ${out}(load_src(offset_src(idx)));
  ${add}
}
`;
}
