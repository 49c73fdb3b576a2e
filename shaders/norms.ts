// Layer norm and RMS norm over the trailing dims, merged into one strided row (shaders/rows.ts).
//   layer: y = (x - mean) / sqrt(var + eps) * w + b, var the biased variance, computed in two passes (mean, then
//          the squared deviations) so no cancellation occurs (Ba et al. 2016, eq. 4);
//   rms:   y = x / sqrt(mean(x^2) + eps) * w (Zhang & Sennrich 2019, eq. 4).
// Weight and bias are contiguous vectors of the row length, bound only when given.
//
// Row tensors (shaders/rows.ts): the input and the output; weight and bias when given; uniform eps. Half-width
// floats are computed in f32, stored native or packed; vec4 rows read and write f32 four at a time.
import type { DType } from '../core/dtype.js';
import type { BufferDecl, Kernel } from './kernel.js';
import { rowGridKey, rowKernel, rowSource, type RowGrid } from './rows.js';

export interface NormKernel { kind: 'layer' | 'rms'; input: DType; weight: boolean; bias: boolean; grid: RowGrid }

export const normKey = (k: NormKernel): string => `norm|${k.kind}|${k.input}|${k.weight ? 'w' : ''}${k.bias ? 'b' : ''}|${rowGridKey(k.grid)}`;

export function normKernel(k: NormKernel): Kernel {
  const read: BufferDecl = k.grid.vec ? { type: 'vec4<f32>' } : { dtype: k.input };
  return rowKernel(
    'norm',
    {
      inp: read,
      out: { ...read, write: true },
      ...(k.weight ? { weight: read } : {}),
      ...(k.bias ? { bias: read } : {}),
    },
    ['inp', 'out'],
    { eps: 1 },
  );
}

export function normSource(k: NormKernel): string {
  const V = k.grid.vec;
  // vec4 rows (rowVec4): j counts vec4s; the weight and bias are contiguous from 0, so they are read as vec4s too
  const x = V ? 'inp[bx + j]' : 'load_inp(base.x + j * rs.x)';
  const F = V ? 'vec4<f32>' : 'f32';
  const total = (v: string) => V ? `((${v}.x + ${v}.y) + (${v}.z + ${v}.w))` : v;
  const head = V ? `
  let L4 = L / 4u; let bx = base.x / 4u; let by = base.y / 4u;` : `
  let L4 = L; let by = base.y;`;
  const store = (v: string) => (V ? `out[by + j] = ${v};` : `store_out(by + j * rs.y, ${v});`);
  const centre = k.kind === 'layer' ? `${head}
  var s = ${F}(0.0);
  for (var j = lane; j < L4; j += TPR) { s += ${x}; }
  let mean = row_sum(${total('s')}, lid) / f32(L);` : `${head}
  let mean = 0.0;`;
  const param = (b: string) => (V ? `${b}[j]` : `load_${b}(j)`);
  const scale = `${k.weight ? ` * ${param('weight')}` : ''}${k.bias ? ` + ${param('bias')}` : ''}`;
  return rowSource(normKernel(k), k.grid, `${centre}
  var q = ${F}(0.0);
  for (var j = lane; j < L4; j += TPR) { let d = ${x} - mean; q += d * d; }
  let rstd = 1.0 / sqrt(row_sum(${total('q')}, lid) / f32(L) + uwf(W_eps));
  for (var j = lane; j < L4; j += TPR) {
    ${store(`(${x} - mean) * rstd${scale}`)}
  }`);
}
