// Softmax and log-softmax along one strided dim: the threads of a row (shaders/rows.ts) make three passes over it
// (max, sum of exp(x - max), write), so exp never overflows:
//   softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m),  logSoftmax(x)_j = x_j - m - log sum_k exp(x_k - m),  m = max x.
// A NaN anywhere in a row, or a row whose max is infinite (all -inf: a fully masked row; or +inf), gives a NaN row,
// as the formula does in IEEE arithmetic (inf - inf); the kernel says so explicitly rather than trust exp(NaN).
//
// Bindings: 0 input, 1 output, 2 uniforms (row geometry of shaders/rows.ts: tensor 0 input, tensor 1 output).
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { rowEnable, rowGridKey, rowHelpers, rowMain, type RowGrid } from './rows.js';

export interface SoftmaxKernel { log: boolean; input: DType; grid: RowGrid }

export const softmaxKey = (k: SoftmaxKernel): string => `softmax|${k.log ? 'log' : 'exp'}|${k.input}|${rowGridKey(k.grid)}`;

export function softmaxSource(k: SoftmaxKernel): string {
  const S = k.grid.vec ? 'vec4<f32>' : storageType(k.input);
  const result = k.log ? 'x - m - log(s)' : 'exp(x - m) / s';
  // vec4 rows (rowVec4): four lanes per load; the max keeps NaN by a separate flag, since WGSL's max may drop it.
  const body = k.grid.vec ? `
  let L4 = L / 4u; let bx = base.x / 4u; let by = base.y / 4u;
  var m4 = vec4<f32>(-inf_f32());
  var bad = false;
  for (var j = lane; j < L4; j += TPR) { let v = inp[bx + j]; bad = bad || any_nan4(v); m4 = max(m4, v); }
  var m = max(max(m4.x, m4.y), max(m4.z, m4.w));
  if (bad) { m = nan_f32(); }
  m = row_max(m, lid);
  var s4 = vec4<f32>(0.0);
  for (var j = lane; j < L4; j += TPR) { s4 += exp(inp[bx + j] - m); }
  let s = row_sum((s4.x + s4.y) + (s4.z + s4.w), lid);
  let m_bad = is_nan(m) || is_inf(m);
  for (var j = lane; j < L4; j += TPR) {
    let x = inp[bx + j];
    out[by + j] = select(${result}, vec4<f32>(nan_f32()), m_bad);
  }` : `
  var m = -inf_f32();
  for (var j = lane; j < L; j += TPR) { m = max_nan(m, f32(inp[base.x + j * rs.x])); }
  m = row_max(m, lid);
  var s = 0.0;
  for (var j = lane; j < L; j += TPR) { s += exp(f32(inp[base.x + j * rs.x]) - m); }
  s = row_sum(s, lid);
  for (var j = lane; j < L; j += TPR) {
    let x = f32(inp[base.x + j * rs.x]);
    out[base.y + j * rs.y] = ${S}(select(${result}, nan_f32(), is_nan(m) || is_inf(m)));
  }`;
  return `${rowEnable(k.grid)}${preamble({ f16: k.input === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
${rowHelpers(k.grid)}
${rowMain(k.grid, body)}`;
}
