// The reduction kernel template, in two forms. Row form: one workgroup of 64 threads per output element; threads
// stride over the reduced elements (any dims, any strides), then combine in workgroup memory by a tree. Column
// form (`perThread`), for reductions over outer dims (bias gradients, norm weight gradients): one thread per output
// folds its elements in order; neighbouring threads read neighbouring addresses, and there is no barrier, which
// lavapipe runs slowly (20x faster than the row form for a [512, 256] column sum there).
//
// Uniform words: 0 outputs, 1 reduced count R, 2 kept rank, 3 reduced rank, 4 input offset,
// 8..15 kept shape, 16..23 kept strides, 24..31 reduced shape, 32..39 reduced strides (innermost dim first),
// 52.. parameters.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { valueType as computeType } from './kernel.js';

export const RW = { outputs: 0, count: 1, keptRank: 2, redRank: 3, inOffset: 4, keptShape: 8, keptStrides: 16, redShape: 24, redStrides: 32, params: 52 } as const;
export const RWG = 64;

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
  const f16 = k.input === 'f16' || k.out === 'f16';
  return `${preamble({ f16, uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> inp: array<${storageType(k.input)}>;
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(k.out)}>;

fn combine(acc_in: ${T}, ai_in: u32, x: ${T}, xi: u32) -> vec2<u32> {
  var acc = acc_in; var ai = ai_in;
  ${k.combine}
  return vec2<u32>(bitcast<u32>(acc), ai);
}

// offset in the input of output element row (kept dims)
fn base_of(row: u32) -> u32 {
  var base = uw(${RW.inOffset});
  var rem = row;
  ${unrolled(RW.keptRank, RW.keptShape, RW.keptStrides, 'base', 'rem')}
  return base;
}

// offset of reduced element r relative to the base (reduced dims)
fn red_off(r: u32) -> u32 {
  var off = 0u; var q = r;
  ${unrolled(RW.redRank, RW.redShape, RW.redStrides, 'off', 'q')}
  return off;
}
`;
}

/** Index arithmetic over up to 8 dims stored innermost first, unrolled so every uniform index is a constant. */
function unrolled(rankWord: number, shapeWord: number, strideWord: number, acc: string, rem: string): string {
  return Array.from({ length: 8 }, (_, j) =>
    `if (uw(${rankWord}u) > ${j}u) { let size = uw(${shapeWord + j}u); ${acc} += (${rem} % size) * uw(${strideWord + j}u); ${rem} = ${rem} / size; }`,
  ).join('\n  ');
}

export function reduceSource(k: ReduceKernel): string {
  const T = computeType(k.acc);
  if (k.perThread) return columnSource(k, T);
  return `${header(k, T)}
var<workgroup> sv: array<${T}, ${RWG}>;
var<workgroup> si: array<u32, ${RWG}>;

@compute @workgroup_size(${RWG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= uw(${RW.outputs})) { return; }
  let base = base_of(row);
  let R = uw(${RW.count});
  var acc: ${T} = ${k.init};
  var ai: u32 = 0xffffffffu;
  if (uw(${RW.redRank}) == 1u) {
    let stride = uw(${RW.redStrides});
    for (var r = lid; r < R; r += ${RWG}u) {
      let c = combine(acc, ai, ${T}(inp[base + r * stride]), r);
      acc = bitcast<${T}>(c.x); ai = c.y;
    }
  } else {
    for (var r = lid; r < R; r += ${RWG}u) {
      let c = combine(acc, ai, ${T}(inp[base + red_off(r)]), r);
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
    let acc = sv[0]; let ai = si[0]; let p0 = uwf(${RW.params});
    out[row] = ${k.finish};
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
  if (row >= uw(${RW.outputs})) { return; }
  let base = base_of(row);
  let R = uw(${RW.count});
  var acc: ${T} = ${k.init};
  var ai: u32 = 0xffffffffu;
  if (uw(${RW.redRank}) == 1u) {
    let stride = uw(${RW.redStrides});
    var off = base;
    for (var r = 0u; r < R; r++) {
      let c = combine(acc, ai, ${T}(inp[off]), r);
      acc = bitcast<${T}>(c.x); ai = c.y;
      off += stride;
    }
  } else {
    for (var r = 0u; r < R; r++) {
      let c = combine(acc, ai, ${T}(inp[base + red_off(r)]), r);
      acc = bitcast<${T}>(c.x); ai = c.y;
    }
  }
  let p0 = uwf(${RW.params});
  out[row] = ${k.finish};
}
`;
}
