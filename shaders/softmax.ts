// Softmax and log-softmax along one strided dim: the threads of a row (shaders/rows.ts) make three passes over it
// (max, sum of exp(x - max), write), so exp never overflows:
//   softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m),  logSoftmax(x)_j = x_j - m - log sum_k exp(x_k - m),  m = max x.
// A NaN anywhere in a row, or a row whose max is infinite (all -inf: a fully masked row; or +inf), gives a NaN row,
// as the formula does in IEEE arithmetic (inf - inf); the kernel says so explicitly rather than trust exp(NaN).
//
// Row tensors (shaders/rows.ts): the input and the output. Half-width floats are computed in f32, stored native or
// packed (load_inp/store_out); vec4 rows read and write f32 four at a time.
import type { DType } from '../core/dtype.js';
import type { Kernel } from './kernel.js';
import { rowGridKey, rowKernel, rowSource, type RowGrid } from './rows.js';

export interface SoftmaxKernel { log: boolean; input: DType; grid: RowGrid }

export const softmaxKey = (k: SoftmaxKernel): string => `softmax|${k.log ? 'log' : 'exp'}|${k.input}|${rowGridKey(k.grid)}`;

export const softmaxKernel = (k: SoftmaxKernel): Kernel =>
  rowKernel(
    'softmax',
    k.grid.vec
      ? { inp: { type: 'vec4<f32>' }, out: { type: 'vec4<f32>', write: true } }
      : { inp: { dtype: k.input }, out: { dtype: k.input, write: true } },
    ['inp', 'out'],
  );

export function softmaxSource(k: SoftmaxKernel): string {
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
  for (var j = lane; j < L; j += TPR) { m = max_nan(m, load_inp(base.x + j * rs.x)); }
  m = row_max(m, lid);
  var s = 0.0;
  for (var j = lane; j < L; j += TPR) { s += exp(load_inp(base.x + j * rs.x) - m); }
  s = row_sum(s, lid);
  for (var j = lane; j < L; j += TPR) {
    let x = load_inp(base.x + j * rs.x);
    store_out(base.y + j * rs.y, select(${result}, nan_f32(), is_nan(m) || is_inf(m)));
  }`;
  return rowSource(softmaxKernel(k), k.grid, body);
}
