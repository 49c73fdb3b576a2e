// normInputGrad: the input gradient of layerNorm / rmsNorm as one op (a row kernel on webgpu, shaders/
// norm-backward.ts; a float64 loop on the cpu), and with it, when the norm has a weight, g xhat (the summand of the
// weight's gradient) in the second half of the same output. The norms' backward rule (ops/norms.ts) uses it when
// the sweep is not recorded; with createGraph it keeps the formula written with tensor ops, which can be
// differentiated again, so this op has no backward of its own.
import type { Tensor } from '../core/tensor.js';
import { castScalar } from '../core/dtype.js';
import { contiguousStrides, numel } from '../core/shape.js';
import { noGrad } from '../core/autograd.js';
import { pipeline } from '../shaders/pipelines.js';
import { declaration } from '../shaders/kernel.js';
import { mergeTrailing, rowDispatch, rowGrid, rowLayout, rowMeta } from '../shaders/rows.js';
import {
  normBackwardKernel,
  normBackwardKey,
  normBackwardSource,
  type NormBackwardKernel,
} from '../shaders/norm-backward.js';
import { apply, valuesOf, type OpSpec } from './op.js';
import { contiguous } from './views.js';

interface Params {
  kind: 'layer' | 'rms';
  count: number;
  eps: number;
  /** also write g xhat, after dx (the output is then [2, ...x.shape]) */
  gxhat: boolean;
}

/**
 * The same rows the kernel walks, in float64: mean, rstd, then dx = rstd (gh - mean(gh) - xhat mean(gh xhat))
 * and, with gxhat, g xhat after all of dx.
 */
function cpuInputGrad(out: Tensor, [x, g, w]: Tensor[], p: Params): void {
  const [xs, gs, ws] = [valuesOf(x), valuesOf(g), w ? valuesOf(w) : null];
  const L = numel(x.shape.slice(x.ndim - p.count));
  const dst = out.storage.cpu!;
  for (let r = 0; r < xs.length / L; r++) {
    const row = xs.subarray(r * L, (r + 1) * L);
    const mean = p.kind === 'layer' ? row.reduce((a, c) => a + c, 0) / L : 0;
    const rstd = 1 / Math.sqrt(row.reduce((a, c) => a + (c - mean) ** 2, 0) / L + p.eps);
    const gh = Array.from({ length: L }, (_, j) => gs[r * L + j] * (ws ? ws[j] : 1));
    const xhat = Array.from(row, (v) => (v - mean) * rstd);
    const meanGh = p.kind === 'layer' ? gh.reduce((a, c) => a + c, 0) / L : 0;
    const meanGhX = gh.reduce((a, c, j) => a + c * xhat[j], 0) / L;
    for (let j = 0; j < L; j++) {
      dst[r * L + j] = castScalar(out.dtype, rstd * (gh[j] - meanGh - xhat[j] * meanGhX));
      if (p.gxhat) dst[xs.length + r * L + j] = castScalar(out.dtype, gs[r * L + j] * xhat[j]);
    }
  }
}

function gpuInputGrad(out: Tensor, inputs: Tensor[], p: Params): void {
  // x and g are read through their strides when their normalised dims merge into one; otherwise copied once
  const rows = noGrad(() =>
    inputs.slice(0, 2).map((t) => (mergeTrailing(t.shape, t.strides, p.count) ? t : contiguous(t))),
  );
  const weight = inputs[2] ? noGrad(() => contiguous(inputs[2])) : null;
  const [x, g] = rows.map((t) => ({ t, m: mergeTrailing(t.shape, t.strides, p.count)! }));
  const shape = x.m.shape;
  const dx = { strides: contiguousStrides(shape), offset: 0 };
  const layout = rowLayout('normInputGrad', shape, shape.length - 1, [
    { strides: x.m.strides, offset: x.t.offset },
    { strides: g.m.strides, offset: g.t.offset },
    dx,
    ...(p.gxhat ? [{ ...dx, offset: numel(shape) }] : []),
  ]);
  const kernel: NormBackwardKernel = {
    kind: p.kind,
    dtype: out.dtype,
    weight: !!weight,
    gxhat: p.gxhat,
    grid: rowGrid(layout.length, layout.rows),
  };
  const decl = declaration(normBackwardKey(kernel), () => normBackwardKernel(kernel));
  const buffers = {
    inp: x.t.storage.buffer!,
    grad: g.t.storage.buffer!,
    out: out.storage.buffer!,
    ...(weight ? { weight: weight.storage.buffer! } : {}),
  };
  decl.dispatch(
    pipeline(normBackwardKey(kernel), () => normBackwardSource(kernel)),
    buffers,
    rowMeta(decl, layout).f32('eps', p.eps),
    rowDispatch(layout.rows, kernel.grid),
  );
  rows.forEach((t, i) => t !== inputs[i] && t.dispose());
  if (weight && weight !== inputs[2]) weight.dispose();
}

const NORM_INPUT_GRAD: OpSpec<Params> = {
  name: 'normInputGrad',
  infer: ([x], p) => ({ shape: p.gxhat ? [2, ...x.shape] : x.shape, dtype: x.dtype }),
  cpu: cpuInputGrad,
  webgpu: gpuInputGrad,
  backward: null,
  packedHalf: true,
};

/**
 * dL/dx of y = norm(x) * w (+ b) over the trailing `count` dims, given g = dL/dy (x's shape and dtype) and the
 * weight w (or null), and with `gxhat` also g xhat (x's shape; its sum over the batch dims is dL/dw). Internal to
 * the norms' backward rule: the shapes are theirs, already checked.
 */
export function normInputGrad(
  kind: 'layer' | 'rms',
  x: Tensor,
  g: Tensor,
  weight: Tensor | null,
  count: number,
  eps: number,
  gxhat = false,
): { dx: Tensor; gxhat: Tensor | null } {
  const out = apply(NORM_INPUT_GRAD, weight ? [x, g, weight] : [x, g], { kind, count, eps, gxhat });
  if (!gxhat) return { dx: out, gxhat: null };
  // two views of the one output; the views keep its storage alive
  const halves = noGrad(() => [out.select(0, 0), out.select(0, 1)]);
  out.dispose();
  return { dx: halves[0], gxhat: halves[1] };
}
