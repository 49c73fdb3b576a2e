// Layer norm and RMS norm over the trailing dims, merged into one strided row (shaders/rows.ts).
//   layer: y = (x - mean) / sqrt(var + eps) * w + b, var the biased variance, computed in two passes (mean, then
//          the squared deviations) so no cancellation occurs (Ba et al. 2016, eq. 4);
//   rms:   y = x / sqrt(mean(x^2) + eps) * w (Zhang & Sennrich 2019, eq. 4).
// Weight and bias are contiguous vectors of the row length, bound only when given.
//
// Bindings: 0 input, 1 output, then weight and bias when present, then the uniforms (row geometry of
// shaders/rows.ts: tensor 0 input, tensor 1 output; word 48 eps).
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { ROW, rowHelpers, rowMain, type RowGrid } from './rows.js';

export interface NormKernel { kind: 'layer' | 'rms'; input: DType; weight: boolean; bias: boolean; grid: RowGrid }

export const NORM_EPS = ROW.params;

export const normKey = (k: NormKernel): string => `norm|${k.kind}|${k.input}|${k.weight ? 'w' : ''}${k.bias ? 'b' : ''}|${k.grid.wg}x${k.grid.tpr}`;

export function normSource(k: NormKernel): string {
  const S = storageType(k.input);
  const bindings = ['weight', 'bias'].filter((_, i) => (i === 0 ? k.weight : k.bias));
  const x = `f32(inp[base.x + j * rs.x])`;
  const centre = k.kind === 'layer' ? `
  var s = 0.0;
  for (var j = lane; j < L; j += TPR) { s += ${x}; }
  let mean = row_sum(s, lid) / f32(L);` : `
  let mean = 0.0;`;
  const scale = `${k.weight ? ' * f32(weight[j])' : ''}${k.bias ? ' + f32(bias[j])' : ''}`;
  return `${preamble({ f16: k.input === 'f16', uniformBinding: 2 + bindings.length })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
${bindings.map((b, i) => `@group(0) @binding(${2 + i}) var<storage, read> ${b}: array<${S}>;`).join('\n')}
${rowHelpers(k.grid)}
${rowMain(k.grid, `${centre}
  var q = 0.0;
  for (var j = lane; j < L; j += TPR) { let d = ${x} - mean; q += d * d; }
  let rstd = 1.0 / sqrt(row_sum(q, lid) / f32(L) + uwf(${NORM_EPS}u));
  for (var j = lane; j < L; j += TPR) {
    out[base.y + j * rs.y] = ${S}((${x} - mean) * rstd${scale});
  }`)}`;
}
