// The reduction kernel template, in two forms. Row form: one workgroup of 64 threads per output element; threads
// stride over the reduced elements (any dims, any strides), then combine in workgroup memory by a tree. Column
// form (`perThread`), for reductions over outer dims (bias gradients, norm weight gradients): one thread per output
// folds its elements in order; neighbouring threads read neighbouring addresses, and there is no barrier, which
// lavapipe runs slowly (20x faster than the row form for a [512, 256] column sum there).
//
// The input is addressed as two views (shaders/kernel.ts): `inp` over the kept dims gives an output's base, `red`
// over the reduced dims the offset of a reduced element from there.
import type { DType } from '../core/dtype.js';
import { Kernel, valueType } from './kernel.js';

export const RWG = 64;
export const REDUCE_MAX_RANK = 8;

export const reduceKernel = (k: ReduceKernel): Kernel =>
  new Kernel({
    name: `reduce ${k.name}`,
    buffers: { inp: { dtype: k.input }, out: { dtype: k.out, write: true } },
    uniforms: { outputs: 1, count: 1, params: 1 },
    spaces: { kept: REDUCE_MAX_RANK, reduced: REDUCE_MAX_RANK },
    views: { inp: 'kept', red: 'reduced' },
  });

export interface ReduceKernel {
  name: string;
  input: DType;
  /** dtype of the accumulator (f16 accumulates in f32, bool/int sums in i32) */
  acc: DType;
  out: DType;
  /** identity element, WGSL expression of type T */
  init: string;
  /** combines (x, xi) into (acc, ai): WGSL statements assigning acc and ai; tracking the index is free */
  combine: string;
  /** WGSL expression of the result from acc, ai (and p0 = 1/R for mean) */
  finish: string;
  /** the column form: one thread per output */
  perThread?: boolean;
}

export const reduceKey = (k: ReduceKernel): string => `red|${k.name}|${k.input}|${k.acc}|${k.out}${k.perThread ? '|col' : ''}`;

/** Workgroups of a dispatch over `outputs` output elements. */
export const reduceWorkgroups = (k: ReduceKernel, outputs: number) => (k.perThread ? Math.ceil(outputs / RWG) : outputs);

function header(k: ReduceKernel, T: string): string {
  return `${reduceKernel(k).header()}
fn combine(acc_in: ${T}, ai_in: u32, x: ${T}, xi: u32) -> vec2<u32> {
  var acc = acc_in; var ai = ai_in;
  ${k.combine}
  return vec2<u32>(bitcast<u32>(acc), ai);
}
`;
}

export function reduceSource(k: ReduceKernel): string {
  const T = valueType(k.acc);
  if (k.perThread) return columnSource(k, T);
  return `${header(k, T)}
var<workgroup> sv: array<${T}, ${RWG}>;
var<workgroup> si: array<u32, ${RWG}>;

@compute @workgroup_size(${RWG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= uw(W_outputs)) { return; }
  let base = offset_inp(row);
  let R = uw(W_count);
  var acc: ${T} = ${k.init};
  var ai: u32 = 0xffffffffu;
  if (uw(W_reduced_rank) == 1u) {
    let stride = uw(W_red_strides);
    for (var r = lid; r < R; r += ${RWG}u) {
      let c = combine(acc, ai, ${T}(load_inp(base + r * stride)), r);
      acc = bitcast<${T}>(c.x); ai = c.y;
    }
  } else {
    for (var r = lid; r < R; r += ${RWG}u) {
      let c = combine(acc, ai, ${T}(load_inp(base + offset_red(r))), r);
      acc = bitcast<${T}>(c.x); ai = c.y;
    }
  }
  sv[lid] = acc; si[lid] = ai;
  workgroupBarrier();
  for (var s = ${RWG / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let c = combine(sv[lid], si[lid], sv[lid + s], si[lid + s]);
      sv[lid] = bitcast<${T}>(c.x); si[lid] = c.y;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let acc = sv[0]; let ai = si[0]; let p0 = uwf(W_params);
    store_out(row, ${k.finish});
  }
}
`;
}

/** The column form: thread `row` folds its R elements in order (one reduced dim walks by a stride, no division). */
function columnSource(k: ReduceKernel, T: string): string {
  return `${header(k, T)}
@compute @workgroup_size(${RWG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flat_id(wid, nwg, lid, ${RWG}u);
  if (row >= uw(W_outputs)) { return; }
  let base = offset_inp(row);
  let R = uw(W_count);
  var acc: ${T} = ${k.init};
  var ai: u32 = 0xffffffffu;
  if (uw(W_reduced_rank) == 1u) {
    let stride = uw(W_red_strides);
    var off = base;
    for (var r = 0u; r < R; r++) {
      let c = combine(acc, ai, ${T}(load_inp(off)), r);
      acc = bitcast<${T}>(c.x); ai = c.y;
      off += stride;
    }
  } else {
    for (var r = 0u; r < R; r++) {
      let c = combine(acc, ai, ${T}(load_inp(base + offset_red(r))), r);
      acc = bitcast<${T}>(c.x); ai = c.y;
    }
  }
  let p0 = uwf(W_params);
  store_out(row, ${k.finish});
}
`;
}
