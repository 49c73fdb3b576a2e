// Softmax and log-softmax along one strided dim: one workgroup per row, three passes over the row (max, sum of
// exp(x - max), write), so exp never overflows: softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m) with m = max x.
// A NaN anywhere in a row, or a row whose max is infinite (all -inf: a fully masked row; or +inf), gives a NaN row,
// as the formula does in IEEE arithmetic (inf - inf); the kernel says so explicitly rather than trust exp(NaN).
//
// Bindings: 0 input, 1 output, 2 uniforms (row geometry of shaders/rows.ts: tensor 0 input, tensor 1 output).
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { rowHelpers, rowMain } from './rows.js';

export interface SoftmaxKernel { log: boolean; input: DType; wg: number }

export const softmaxKey = (k: SoftmaxKernel): string => `softmax|${k.log ? 'log' : 'exp'}|${k.input}|${k.wg}`;

export function softmaxSource(k: SoftmaxKernel): string {
  const S = storageType(k.input);
  const result = k.log ? 'x - m - log(s)' : 'exp(x - m) / s';
  return `${preamble({ f16: k.input === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
${rowHelpers(k.wg)}
${rowMain(k.wg, `
  var m = -inf_f32();
  for (var j = lid; j < L; j += ${k.wg}u) { m = max_nan(m, f32(inp[base.x + j * rs.x])); }
  m = wg_max(m, lid);
  var s = 0.0;
  for (var j = lid; j < L; j += ${k.wg}u) { s += exp(f32(inp[base.x + j * rs.x]) - m); }
  s = wg_sum(s, lid);
  for (var j = lid; j < L; j += ${k.wg}u) {
    let x = f32(inp[base.x + j * rs.x]);
    out[base.y + j * rs.y] = ${S}(select(${result}, nan_f32(), is_nan(m) || is_inf(m)));
  }`)}`;
}
