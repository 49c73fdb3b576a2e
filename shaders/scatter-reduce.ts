// scatter and scatterReduce (torch.scatter, torch.scatter_reduce) as a gather-style kernel: one thread per output
// element, which reads along `dim` the column of the index tensor at its other coordinates and folds in the src
// elements whose index names it. No atomics, so every reduction (prod, amax, mean...) and every dtype works, and
// the order of the fold is fixed: a plain scatter keeps the last src element that names a position (the one the cpu
// loop writes last), so both backends agree even with repeated indices. Costs a column read per output element.
//
// The thread at coordinate 0 along dim reports an index outside [0, size) of its column through the error-flag
// buffer (core/index-errors.ts), as the gather and scatter-add kernels do.
//
// The output's shape is the index space `out`; x, index and src are views of it (index and src with the stride of
// dim zeroed: the thread reads their column along dim itself, `length` elements `indexDimStride`/`srcDimStride`
// apart). `indexShape` (innermost first, dim's entry set to x's size) bounds the coordinates where the index
// tensor has a column; `dimPos` is dim's position innermost first.
import type { DType } from '../core/dtype.js';
import { Kernel, valueType } from './kernel.js';

export const SCATTER_WG = 256;
export const SCATTER_MAX_RANK = 8;

/** The fold applied to the src elements that land on one position ('assign' is plain scatter). */
export const SCATTER_MODES = ['assign', 'sum', 'prod', 'mean', 'amax', 'amin'] as const;
export type ScatterMode = (typeof SCATTER_MODES)[number];

export const scatterReduceKernel = (x: DType, index: DType): Kernel =>
  new Kernel({
    name: 'scatterReduce',
    buffers: {
      inp: { dtype: x },
      index: { dtype: index },
      src: { dtype: x },
      out: { dtype: x, write: true },
      err: { type: 'atomic<u32>', write: true },
    },
    uniforms: {
      n: 1,
      length: 1,
      mode: 1,
      includeSelf: 1,
      report: 1,
      dimPos: 1,
      indexDimStride: 1,
      srcDimStride: 1,
      indexShape: SCATTER_MAX_RANK,
    },
    spaces: { out: SCATTER_MAX_RANK },
    views: { x: 'out', index: 'out', src: 'out' },
  });

export const scatterReduceKey = (x: DType, index: DType): string => `scatterReduce|${x}|${index}`;

/** This position's coordinate along dim (`at_dim`) and whether the index tensor has a column here (`inColumn`). */
const COLUMN = Array.from(
  { length: SCATTER_MAX_RANK },
  (_, j) => `  if (uw(W_out_rank) > ${j}u) {
    let coord = rem % uw(W_out_shape + ${j}u); rem = rem / uw(W_out_shape + ${j}u);
    if (uw(W_dimPos) == ${j}u) { at_dim = coord; }
    if (coord >= uw(W_indexShape + ${j}u)) { inColumn = false; }
  }`,
).join('\n');

export function scatterReduceSource(x: DType, index: DType): string {
  const T = valueType(x);
  const nan = T === 'f32' ? (v: string) => `is_nan(${v})` : () => 'false';
  return `${scatterReduceKernel(x, index).header()}
fn report_bad(j: i32) {
  loop {
    let r = atomicCompareExchangeWeak(&err[0], 0u, uw(W_report));
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
  if (idx >= uw(W_n)) { return; }
  let o = offsets_out(idx);
  var at_dim = 0u; var inColumn = true; var rem = idx;
${COLUMN}
  let mode = uw(W_mode);
  var acc = load_inp(o[0]);
  var hits = 0u;
  if (inColumn) {
    let size = i32(uw(W_out_shape + uw(W_dimPos)));
    for (var l = 0u; l < uw(W_length); l++) {
      let j = i32(load_index(o[1] + l * uw(W_indexDimStride)));
      if (at_dim == 0u && (j < 0 || j >= size)) { report_bad(j); }
      if (j != i32(at_dim)) { continue; }
      let v = load_src(o[2] + l * uw(W_srcDimStride));
      acc = select(fold(mode, acc, v), v, hits == 0u && uw(W_includeSelf) == 0u);
      hits++;
    }
  }
  if (mode == 3u && hits > 0u) {
    acc = acc / ${T}(hits + uw(W_includeSelf));
  }
  store_out(idx, acc);
}
`;
}
