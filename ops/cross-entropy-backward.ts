// crossEntropyGrad: the gradient of cross-entropy with class-index targets as one op (a row kernel on webgpu,
// shaders/cross-entropy-backward.ts; a float64 loop on the cpu). It is the whole backward rule of crossEntropy's
// fused rows (ops/losses.ts); its own backward, written with tensor ops, differentiates the gradient again (the
// softmax's Jacobian), so second derivatives of the loss still work.
import type { Tensor } from '../core/tensor.js';
import { castScalar } from '../core/dtype.js';
import { contiguousStrides } from '../core/shape.js';
import { noGrad } from '../core/autograd.js';
import { pipeline } from '../shaders/pipelines.js';
import { declaration } from '../shaders/kernel.js';
import { rowDispatch, rowGrid, rowLayout, rowMeta, splitAt, type Strided } from '../shaders/rows.js';
import {
  crossEntropyBackwardKernel,
  crossEntropyBackwardKey,
  crossEntropyBackwardSource,
  type CrossEntropyBackwardKernel,
} from '../shaders/cross-entropy-backward.js';
import { apply, valuesOf, type OpSpec } from './op.js';
import { contiguous } from './views.js';
import { arange, tensor } from './creation.js';
import { where } from './binary.js';
import { softmax } from './softmax.js';

export interface CrossEntropyParams {
  ignoreIndex: number;
  labelSmoothing: number;
  weight: boolean;
}

/** The one-hot mask of class-index targets [N, d...] in the logits' layout [N, C, d...] (bool). */
export function classMask(target: Tensor, classes: number): Tensor {
  const shape = [1, classes, ...target.shape.slice(1).map(() => 1)];
  return target.unsqueeze(1).eq(arange(0, classes, 1, { device: target.device, dtype: 'i32' }).reshape(shape));
}

/** A class-weight vector [C] shaped to broadcast against logits [N, C, d...]. */
export const classView = (weight: Tensor, ndim: number): Tensor =>
  weight.reshape([1, weight.numel, ...Array<number>(ndim - 2).fill(1)]);

/** A per-row tensor [N, d...] (targets, losses, their gradients) as a row tensor of logits [N, C, d...]: row stride 0. */
export const perRow = (strides: readonly number[], offset: number): Strided => ({
  strides: [strides[0], 0, ...strides.slice(1)],
  offset,
});

/** The rows the kernel walks, in float64: the row max and exp-sum, then dx as in shaders/cross-entropy-backward.ts. */
function cpuGrad(out: Tensor, [logits, target, g, weight]: Tensor[], p: CrossEntropyParams): void {
  const [x, t, gs] = [valuesOf(logits), valuesOf(target), valuesOf(g)];
  const w = p.weight ? valuesOf(weight) : null;
  const { outer, length: C, inner } = splitAt(logits.shape, 1);
  const eps = p.labelSmoothing;
  const weightSum = w ? w.reduce((a, b) => a + b, 0) : C;
  const dst = out.storage.cpu!;
  for (let n = 0; n < outer; n++) {
    for (let i = 0; i < inner; i++) {
      const at = (c: number) => (n * C + c) * inner + i;
      const k = t[n * inner + i];
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Number.isNaN(x[at(c)]) || Number.isNaN(m) ? NaN : Math.max(m, x[at(c)]);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(x[at(c)] - m);
      const wt = k >= 0 && k < C ? (w ? w[k] : 1) : NaN;
      const alpha = (1 - eps) * wt + (eps * weightSum) / C;
      for (let c = 0; c < C; c++) {
        const d = (alpha * Math.exp(x[at(c)] - m)) / s - (eps / C) * (w ? w[c] : 1) - (c === k ? (1 - eps) * wt : 0);
        dst[at(c)] = castScalar(out.dtype, k === p.ignoreIndex ? 0 : gs[n * inner + i] * d);
      }
    }
  }
}

function gpuGrad(out: Tensor, [logits, target, g, weight]: Tensor[], p: CrossEntropyParams): void {
  const layout = rowLayout('crossEntropy backward', logits.shape, 1, [
    logits,
    perRow(target.strides, target.offset),
    perRow(g.strides, g.offset),
    { strides: contiguousStrides(out.shape), offset: 0 },
  ]);
  const w = p.weight ? noGrad(() => contiguous(weight)) : null;
  const kernel: CrossEntropyBackwardKernel = {
    dtype: logits.dtype,
    weight: p.weight,
    smoothing: p.labelSmoothing > 0,
    grid: rowGrid(layout.length, layout.rows),
  };
  const decl = declaration(crossEntropyBackwardKey(kernel), () => crossEntropyBackwardKernel(kernel));
  const buffers = {
    logits: logits.storage.buffer!,
    targets: target.storage.buffer!,
    grad: g.storage.buffer!,
    out: out.storage.buffer!,
    ...(w ? { weight: w.storage.buffer! } : {}),
  };
  decl.dispatch(
    pipeline(crossEntropyBackwardKey(kernel), () => crossEntropyBackwardSource(kernel)),
    buffers,
    rowMeta(decl, layout).i32('ignoreIndex', p.ignoreIndex).f32('smoothing', p.labelSmoothing),
    rowDispatch(layout.rows, kernel.grid),
  );
  if (w && w !== weight) w.dispose();
}

const CROSS_ENTROPY_GRAD: OpSpec<CrossEntropyParams> = {
  name: 'crossEntropyGrad',
  infer: ([logits]) => ({ shape: logits.shape, dtype: logits.dtype }),
  cpu: cpuGrad,
  webgpu: gpuGrad,
  // dx = g a (p - b) with a per row and b free of x: d dx / dx . u = g a p (u - sum_c p u) (the softmax's Jacobian),
  // a = (1 - eps) w[t] + eps / C sum(w) and 0 on ignored rows; dx is linear in g: d dx / dg . u = sum_c u dx(g = 1).
  backward(u, { inputs: [logits, target, g, weight], params: p }) {
    const C = logits.shape[1];
    const eps = p.labelSmoothing;
    let a = g;
    if (p.weight) {
      const wt = classMask(target, C).cast(logits.dtype).mul(classView(weight, logits.ndim)).sum(1);
      a = g.mul(wt.mul(1 - eps).add(weight.sum().mul(eps / C)));
    }
    const probs = softmax(logits, 1);
    const pu = probs.mul(u);
    const valid = target.ne(p.ignoreIndex).unsqueeze(1);
    const dLogits = where(valid, pu.sub(probs.mul(pu.sum(1, true))).mul(a.unsqueeze(1)), 0);
    const ones = tensor(1, { dtype: g.dtype, device: g.device }).expand(g.shape);
    const dG = u.mul(crossEntropyGrad(logits, target, ones, p.weight ? weight : null, p)).sum(1);
    return [dLogits, null, dG, null];
  },
  packedHalf: true,
};

/**
 * dL/dx of the per-row cross-entropy losses of logits x [N, C, d...] at class-index targets [N, d...], given their
 * gradient g [N, d...] (any strides: an expanded scalar after a mean) and the class weights (or null). Internal to
 * crossEntropy's backward rule: the shapes and options are its own, already checked.
 */
export function crossEntropyGrad(
  logits: Tensor,
  target: Tensor,
  g: Tensor,
  weight: Tensor | null,
  p: CrossEntropyParams,
): Tensor {
  return apply(CROSS_ENTROPY_GRAD, weight ? [logits, target, g, weight] : [logits, target, g], {
    ...p,
    weight: !!weight,
  });
}
