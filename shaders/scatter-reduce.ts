// scatter and scatterReduce (torch.scatter, torch.scatter_reduce) as a gather-style kernel: one thread per output
// element, which reads along `dim` the column of the index tensor at its other coordinates and folds in the src
// elements whose index names it. No atomics, so every reduction (prod, amax, mean...) and every dtype works, and
// the order of the fold is fixed: a plain scatter keeps the last src element that names a position (the one the cpu
// loop writes last), so both backends agree even with repeated indices. Costs a column read per output element.
//
// The thread at coordinate 0 along dim reports an index outside [0, size) of its column through the error-flag
// buffer (core/index-errors.ts), as the gather and scatter-add kernels do.
//
// Uniform words: 0 n (output elements), 1 rank, 2 dim, 3 L (index extent along dim), 4 x offset, 5 index offset,
// 6 src offset, 7 mode, 8 includeSelf, 9 report id, 16..23 output shape, 24..31 x strides, 32..39 index shape,
// 40..47 index strides, 48..55 src strides.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { valueType } from './kernel.js';

export const RW = {
  n: 0,
  rank: 1,
  dim: 2,
  length: 3,
  offset: 4,
  indexOffset: 5,
  srcOffset: 6,
  mode: 7,
  includeSelf: 8,
  report: 9,
  shape: 16,
  strides: 24,
  indexShape: 32,
  indexStrides: 40,
  srcStrides: 48,
} as const;
export const SCATTER_WG = 256;
export const SCATTER_MAX_RANK = 8;

/** The fold applied to the src elements that land on one position ('assign' is plain scatter). */
export const SCATTER_MODES = ['assign', 'sum', 'prod', 'mean', 'amax', 'amin'] as const;
export type ScatterMode = (typeof SCATTER_MODES)[number];

export const scatterReduceKey = (x: DType, index: DType): string => `scatterReduce|${x}|${index}`;

export function scatterReduceSource(x: DType, index: DType): string {
  const S = storageType(x);
  const T = valueType(x);
  const nan = T === 'f32' ? (v: string) => `is_nan(${v})` : () => 'false';
  return `${preamble({ f16: x === 'f16', uniformBinding: 5 })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read> index: array<${storageType(index)}>;
@group(0) @binding(2) var<storage, read> src: array<${S}>;
@group(0) @binding(3) var<storage, read_write> out: array<${S}>;
@group(0) @binding(4) var<storage, read_write> err: array<atomic<u32>, 2>;
fn report_bad(j: i32) {
  loop {
    let r = atomicCompareExchangeWeak(&err[0], 0u, uw(${RW.report}));
    if (r.exchanged) { atomicStore(&err[1], bitcast<u32>(j)); break; }
    if (r.old_value != 0u) { break; }
  }
}
fn fold(mode: u32, acc: ${T}, v: ${T}) -> ${T} {
  switch mode {
    case 0u: { return v; }
    case 2u: { return acc * v; }
    case 4u: { if (${nan('acc')}) { return acc; } if (${nan('v')}) { return v; } return max(acc, v); }
    case 5u: { if (${nan('acc')}) { return acc; } if (${nan('v')}) { return v; } return min(acc, v); }
    default: { return acc + v; }
  }
}

@compute @workgroup_size(${SCATTER_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${SCATTER_WG}u);
  if (idx >= uw(${RW.n})) { return; }
  let dim = uw(${RW.dim});
  // this position's coordinates: x's offset, and the index/src column base (coordinate along dim left out)
  var ox = uw(${RW.offset}); var oi = uw(${RW.indexOffset}); var os = uw(${RW.srcOffset});
  var at_dim = 0u; var inColumn = true;
  var rem = idx;
  for (var d = i32(uw(${RW.rank})) - 1; d >= 0; d--) {
    let ud = u32(d); let size = uw(${RW.shape}u + ud); let coord = rem % size; rem = rem / size;
    ox += coord * uw(${RW.strides}u + ud);
    if (ud == dim) { at_dim = coord; continue; }
    if (coord >= uw(${RW.indexShape}u + ud)) { inColumn = false; }
    oi += coord * uw(${RW.indexStrides}u + ud);
    os += coord * uw(${RW.srcStrides}u + ud);
  }
  let mode = uw(${RW.mode});
  let base = ${T}(inp[ox]);
  var acc = base;
  var hits = 0u;
  if (inColumn) {
    let size = i32(uw(${RW.shape}u + dim));
    for (var l = 0u; l < uw(${RW.length}); l++) {
      let j = i32(index[oi + l * uw(${RW.indexStrides}u + dim)]);
      if (at_dim == 0u && (j < 0 || j >= size)) { report_bad(j); }
      if (j != i32(at_dim)) { continue; }
      let v = ${T}(src[os + l * uw(${RW.srcStrides}u + dim)]);
      acc = select(fold(mode, acc, v), v, hits == 0u && uw(${RW.includeSelf}) == 0u);
      hits++;
    }
  }
  if (mode == 3u && hits > 0u) {
    acc = acc / ${T}(hits + uw(${RW.includeSelf}));
  }
  out[idx] = ${S}(acc);
}
`;
}
