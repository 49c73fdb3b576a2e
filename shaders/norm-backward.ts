// The input gradient of layer norm and RMS norm in one row kernel (the backward sweep's fast path; ops/norms.ts):
// per row it recomputes mean and rstd as the forward does, then with xhat = (x - mean) rstd and gh = g w,
//   layer: dx = rstd (gh - mean(gh) - xhat mean(gh xhat));   rms: dx = rstd (gh - xhat mean(gh xhat)).
// Composed of tensor ops this was 15 dispatches per norm (means, centring, rsqrt, products); here it is one.
// With `gxhat` it also writes g xhat, the summand of the weight's gradient dw = sum over rows of g xhat, beside dx
// (the norm's backward then needs one batch sum for dw, not a second forward pass for xhat and a product).
//
// Row tensors (shaders/rows.ts): the input x, the output gradient g, the result dx and, with gxhat, the result's
// second half g xhat (a view of the same buffer); the weight, when given, a contiguous vector of the row length;
// uniform eps. Half-width floats are computed in f32.
import type { DType } from '../core/dtype.js';
import type { Kernel } from './kernel.js';
import { rowGridKey, rowKernel, rowSource, type RowGrid } from './rows.js';

export interface NormBackwardKernel {
  kind: 'layer' | 'rms';
  dtype: DType;
  weight: boolean;
  gxhat: boolean;
  grid: RowGrid;
}

export const normBackwardKey = (k: NormBackwardKernel): string =>
  `normBackward|${k.kind}|${k.dtype}|${k.weight ? 'w' : ''}${k.gxhat ? 'x' : ''}|${rowGridKey(k.grid)}`;

export function normBackwardKernel(k: NormBackwardKernel): Kernel {
  const d = { dtype: k.dtype };
  return rowKernel(
    'normBackward',
    { inp: d, grad: d, out: { ...d, write: true }, ...(k.weight ? { weight: d } : {}) },
    ['inp', 'grad', 'out', ...(k.gxhat ? ['gxhat'] : [])],
    { eps: 1 },
  );
}

export function normBackwardSource(k: NormBackwardKernel): string {
  const x = 'load_inp(base.x + j * rs.x)';
  const gh = `load_grad(base.y + j * rs.y)${k.weight ? ' * load_weight(j)' : ''}`;
  const layer = k.kind === 'layer';
  return rowSource(
    normBackwardKernel(k),
    k.grid,
    `
  var s = 0.0;
  ${layer ? `for (var j = lane; j < L; j += TPR) { s += ${x}; }` : ''}
  let mean = ${layer ? 'row_sum(s, lid) / f32(L)' : '0.0'};
  var q = 0.0;
  for (var j = lane; j < L; j += TPR) { let d = ${x} - mean; q += d * d; }
  let rstd = 1.0 / sqrt(row_sum(q, lid) / f32(L) + uwf(W_eps));
  var a = 0.0;
  var c = 0.0;
  for (var j = lane; j < L; j += TPR) { let h = ${gh}; a += h; c += h * (${x} - mean) * rstd; }
  let mean_gh = ${layer ? 'row_sum(a, lid) / f32(L)' : '0.0'};
  let mean_ghx = row_sum(c, lid) / f32(L);
  for (var j = lane; j < L; j += TPR) {
    let xhat = (${x} - mean) * rstd;
    store_out(base.z + j * rs.z, rstd * (${gh} - mean_gh - xhat * mean_ghx));${k.gxhat ? '\n    store_out(base.w + j * rs.w, load_grad(base.y + j * rs.y) * xhat);' : ''}
  }`,
  );
}
