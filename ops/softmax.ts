// softmax and logSoftmax along any dim: one fused row kernel each (shaders/softmax.ts) that reads the rows through
// the input's strides, a float64-capable cpu reference, and backward rules written with tensor ops (so they can be
// differentiated again).
import { assertTensor } from '../core/tensor.js';
import type { Tensor } from '../core/tensor.js';
import { castScalar, isFloat } from '../core/dtype.js';
import { contiguousStrides, normDim } from '../core/shape.js';
import { pipeline } from '../shaders/pipelines.js';
import { declaration } from '../shaders/kernel.js';
import { rowLayout, rowDispatch, rowGrid, rowMeta, rowVec4, splitAt } from '../shaders/rows.js';
import { softmaxKernel, softmaxKey, softmaxSource } from '../shaders/softmax.js';
import { apply, describe, valuesOf, type OpSpec } from './op.js';

interface Params { dim: number }

function floatInput(op: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a floating-point tensor, got ${describe(x)} (valid dtypes: f32, f16, bf16, f64)`);
}

function specOf(log: boolean): OpSpec<Params> {
  const name = log ? 'logSoftmax' : 'softmax';
  return {
    name,
    infer([x]) {
      floatInput(name, x);
      return { shape: x.shape, dtype: x.dtype };
    },
    cpu(out, [x], { dim }) {
      const v = valuesOf(x);
      const dst = out.storage.cpu!;
      const { outer, length, inner } = splitAt(x.shape, dim);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const at = (j: number) => (o * length + j) * inner + i;
          let m = -Infinity;
          for (let j = 0; j < length; j++) m = Number.isNaN(v[at(j)]) || Number.isNaN(m) ? NaN : Math.max(m, v[at(j)]);
          let s = 0;
          for (let j = 0; j < length; j++) s += Math.exp(v[at(j)] - m);
          for (let j = 0; j < length; j++) {
            const y = log ? v[at(j)] - m - Math.log(s) : Math.exp(v[at(j)] - m) / s;
            dst[at(j)] = castScalar(out.dtype, Number.isFinite(m) ? y : NaN);
          }
        }
      }
    },
    webgpu(out, [x], { dim }) {
      const layout = rowLayout(name, x.shape, dim, [x, { strides: contiguousStrides(out.shape), offset: 0 }]);
      const kernel = { log, input: x.dtype, grid: { ...rowGrid(layout.length, layout.rows), vec: rowVec4(layout, x.dtype) } };
      const decl = declaration(softmaxKey(kernel), () => softmaxKernel(kernel));
      decl.dispatch(pipeline(softmaxKey(kernel), () => softmaxSource(kernel)), { inp: x.storage.buffer!, out: out.storage.buffer! },
        rowMeta(decl, layout), rowDispatch(layout.rows, kernel.grid));
    },
    // softmax: dx = y (g - sum(g y)); logSoftmax: dx = g - exp(y) sum(g), sums along dim.
    backward: log
      ? (g, { out, params: { dim } }) => [g.sub(out.exp().mul(g.sum(dim, true)))]
      : (g, { out, params: { dim } }) => [out.mul(g.sub(g.mul(out).sum(dim, true)))],
    saves: ({ out }) => [out],
    packedHalf: true,
  };
}

const SOFTMAX = specOf(false);
const LOG_SOFTMAX = specOf(true);

function run(spec: OpSpec<Params>, x: Tensor, dim: number): Tensor {
  assertTensor(x, spec.name);
  const d = normDim(spec.name, dim, x.ndim);
  // a 0-d tensor has the one dim 0 (or -1), as in torch
  if (x.ndim === 0) return apply(spec, [x.reshape([1])], { dim: 0 }).reshape([]);
  return apply(spec, [x], { dim: d });
}

/** exp(x) / sum(exp(x)) along `dim`, computed stably (torch.softmax). */
export const softmax = (x: Tensor, dim: number): Tensor => run(SOFTMAX, x, dim);

/** x - logsumexp(x) along `dim`, computed stably (torch.log_softmax). */
export const logSoftmax = (x: Tensor, dim: number): Tensor => run(LOG_SOFTMAX, x, dim);
