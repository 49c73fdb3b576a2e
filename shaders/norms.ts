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
import { ROW, rowEnable, rowGridKey, rowHelpers, rowMain, type RowGrid } from './rows.js';

export interface NormKernel { kind: 'layer' | 'rms'; input: DType; weight: boolean; bias: boolean; grid: RowGrid }

export const NORM_EPS = ROW.params;

export const normKey = (k: NormKernel): string => `norm|${k.kind}|${k.input}|${k.weight ? 'w' : ''}${k.bias ? 'b' : ''}|${rowGridKey(k.grid)}`;

export function normSource(k: NormKernel): string {
  const V = k.grid.vec;
  const S = V ? 'vec4<f32>' : storageType(k.input);
  const bindings = ['weight', 'bias'].filter((_, i) => (i === 0 ? k.weight : k.bias));
  // vec4 rows (rowVec4): j counts vec4s; the weight and bias are contiguous from 0, so they are read as vec4s too
  const x = V ? 'inp[bx + j]' : `f32(inp[base.x + j * rs.x])`;
  const F = V ? 'vec4<f32>' : 'f32';
  const total = (v: string) => V ? `((${v}.x + ${v}.y) + (${v}.z + ${v}.w))` : v;
  const head = V ? `
  let L4 = L / 4u; let bx = base.x / 4u; let by = base.y / 4u;` : `
  let L4 = L; let by = base.y;`;
  const dst = V ? 'out[by + j]' : 'out[by + j * rs.y]';
  const centre = k.kind === 'layer' ? `${head}
  var s = ${F}(0.0);
  for (var j = lane; j < L4; j += TPR) { s += ${x}; }
  let mean = row_sum(${total('s')}, lid) / f32(L);` : `${head}
  let mean = 0.0;`;
  const scale = `${k.weight ? ` * ${F}(weight[j])` : ''}${k.bias ? ` + ${F}(bias[j])` : ''}`;
  return `${rowEnable(k.grid)}${preamble({ f16: k.input === 'f16', uniformBinding: 2 + bindings.length })}
@group(0) @binding(0) var<storage, read> inp: array<${S}>;
@group(0) @binding(1) var<storage, read_write> out: array<${S}>;
${bindings.map((b, i) => `@group(0) @binding(${2 + i}) var<storage, read> ${b}: array<${S}>;`).join('\n')}
${rowHelpers(k.grid)}
${rowMain(k.grid, `${centre}
  var q = ${F}(0.0);
  for (var j = lane; j < L4; j += TPR) { let d = ${x} - mean; q += d * d; }
  let rstd = 1.0 / sqrt(row_sum(${total('q')}, lid) / f32(L) + uwf(${NORM_EPS}u));
  for (var j = lane; j < L4; j += TPR) {
    ${dst} = ${S}((${x} - mean) * rstd${scale});
  }`)}`;
}
