// layerNorm and rmsNorm over the trailing `normalizedShape` dims: one fused row kernel (shaders/norms.ts) that
// reads the input through its strides, a float64-capable cpu reference, and the standard backward formulas written
// with tensor ops (so they can be differentiated again).
import { assertTensor, type Tensor } from '../core/tensor.js';
import { castScalar, isFloat, type DType } from '../core/dtype.js';
import { contiguousStrides, fmtShape, numel, sameShape } from '../core/shape.js';
import { isGradEnabled, noGrad } from '../core/autograd.js';
import { pipeline } from '../shaders/pipelines.js';
import { declaration } from '../shaders/kernel.js';
import { mergeTrailing, rowLayout, rowDispatch, rowGrid, rowMeta, rowVec4 } from '../shaders/rows.js';
import { normKernel, normKey, normSource, type NormKernel } from '../shaders/norms.js';
import { apply, describe, valuesOf, type Grads, type OpSpec } from './op.js';
import { contiguous } from './views.js';
import { normInputGrad } from './norm-backward.js';

interface Params { kind: 'layer' | 'rms'; normalizedShape: number[]; eps: number; weight: boolean; bias: boolean }

function cpuNorm(out: Tensor, [x, ...affine]: Tensor[], p: Params): void {
  const v = valuesOf(x);
  const [w, b] = [p.weight ? valuesOf(affine[0]) : null, p.bias ? valuesOf(affine[p.weight ? 1 : 0]) : null];
  const L = numel(p.normalizedShape);
  const dst = out.storage.cpu!;
  for (let r = 0; r < v.length / L; r++) {
    const row = v.subarray(r * L, (r + 1) * L);
    const mean = p.kind === 'layer' ? row.reduce((a, c) => a + c, 0) / L : 0;
    const meanSquare = row.reduce((a, c) => a + (c - mean) ** 2, 0) / L;
    const rstd = 1 / Math.sqrt(meanSquare + p.eps);
    for (let j = 0; j < L; j++) {
      dst[r * L + j] = castScalar(out.dtype, (row[j] - mean) * rstd * (w ? w[j] : 1) + (b ? b[j] : 0));
    }
  }
}

function gpuNorm(out: Tensor, [x, ...affine]: Tensor[], p: Params): void {
  const count = p.normalizedShape.length;
  // Trailing dims that no single stride walks (a transposed pair, say) are copied once; the usual cases are not.
  const src = mergeTrailing(x.shape, x.strides, count) ? x : noGrad(() => contiguous(x));
  const merged = mergeTrailing(src.shape, src.strides, count)!;
  const outView = { strides: contiguousStrides(merged.shape), offset: 0 };
  const layout = rowLayout(p.kind === 'layer' ? 'layerNorm' : 'rmsNorm', merged.shape, merged.shape.length - 1,
    [{ strides: merged.strides, offset: src.offset }, outView]);
  const params = noGrad(() => affine.map((t) => contiguous(t)));
  const kernel: NormKernel = { kind: p.kind, input: x.dtype, weight: p.weight, bias: p.bias, grid: { ...rowGrid(layout.length, layout.rows), vec: rowVec4(layout, x.dtype) } };
  const decl = declaration(normKey(kernel), () => normKernel(kernel));
  const [weight, bias] = p.weight ? params : [undefined, ...params];
  const buffers = { inp: src.storage.buffer!, out: out.storage.buffer!, ...(weight ? { weight: weight.storage.buffer! } : {}),
    ...(bias ? { bias: bias.storage.buffer! } : {}) };
  decl.dispatch(pipeline(normKey(kernel), () => normSource(kernel)), buffers, rowMeta(decl, layout).f32('eps', p.eps),
    rowDispatch(layout.rows, kernel.grid));
  if (src !== x) src.dispose();
  params.forEach((t, i) => t !== affine[i] && t.dispose());
}

/**
 * With xhat the normalised input and gh = g * w (dims: the normalised ones; means over them):
 *   layer: dx = rstd (gh - mean(gh) - xhat mean(gh xhat));   rms: dx = rstd (gh - xhat mean(gh xhat));
 *   dw = sum over the batch dims of g xhat;   db = sum over the batch dims of g.
 */
function normBackward(g: Tensor, { inputs: [x, ...affine], params: p }: { inputs: Tensor[]; params: Params }): Grads {
  const dims = p.normalizedShape.map((_, i) => x.ndim - p.normalizedShape.length + i);
  const batchDims = [...Array(x.ndim - dims.length).keys()];
  if (!isGradEnabled()) return fusedNormBackward(g, x, affine, p, batchDims);
  const centred = p.kind === 'layer' ? x.sub(x.mean(dims, true)) : x;
  const rstd = centred.square().mean(dims, true).add(p.eps).rsqrt();
  const xhat = centred.mul(rstd);
  const gh = p.weight ? g.mul(affine[0]) : g;
  let inner = gh.sub(xhat.mul(gh.mul(xhat).mean(dims, true)));
  if (p.kind === 'layer') inner = inner.sub(gh.mean(dims, true));
  const sumBatch = (t: Tensor) => (batchDims.length ? t.sum(batchDims) : t);
  const grads: Grads = [rstd.mul(inner)];
  if (p.weight) grads.push(sumBatch(g.mul(xhat)));
  if (p.bias) grads.push(sumBatch(g));
  return grads;
}

/**
 * The same gradients in three dispatches instead of eighteen, for a sweep that is not recorded: dx and g xhat from
 * one row kernel (normInputGrad), dw and db as batch sums of g xhat and g. (Five before g xhat came from that
 * kernel: xhat was recomputed by the forward kernel and multiplied by g.)
 */
function fusedNormBackward(g: Tensor, x: Tensor, affine: Tensor[], p: Params, batchDims: number[]): Grads {
  const sumBatch = (t: Tensor) => (batchDims.length ? t.sum(batchDims) : t);
  const { dx, gxhat } = normInputGrad(p.kind, x, g, p.weight ? affine[0] : null, p.normalizedShape.length, p.eps, p.weight);
  const grads: Grads = [dx];
  if (gxhat) grads.push(sumBatch(gxhat));
  if (p.bias) grads.push(sumBatch(g));
  return grads;
}

function specOf(kind: 'layer' | 'rms'): OpSpec<Params> {
  return {
    name: kind === 'layer' ? 'layerNorm' : 'rmsNorm',
    infer: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
    cpu: cpuNorm,
    webgpu: gpuNorm,
    backward: normBackward,
    packedHalf: true,
  };
}

const SPECS = { layer: specOf('layer'), rms: specOf('rms') };

function run(kind: 'layer' | 'rms', x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null | undefined,
  bias: Tensor | null | undefined, eps: number): Tensor {
  const op = SPECS[kind].name;
  assertTensor(x, op);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a floating-point input, got ${describe(x)} (valid dtypes: f32, f16, bf16, f64)`);
  if (shape.length === 0 || shape.length > x.ndim || !sameShape(shape, x.shape.slice(x.ndim - shape.length))) {
    throw new Error(`${op}: normalizedShape ${fmtShape(shape)} must be a non-empty list of the trailing dims of the ` +
      `input ${describe(x)}`);
  }
  if (!(eps >= 0)) throw new Error(`${op}: eps must be a non-negative number, got ${eps}`);
  const affine: Tensor[] = [];
  for (const [label, t] of [['weight', weight], ['bias', bias]] as const) {
    if (!t) continue;
    assertTensor(t, op);
    if (!sameShape(t.shape, shape) || t.dtype !== x.dtype) {
      throw new Error(`${op}: ${label} ${describe(t)} must have the normalizedShape ${fmtShape(shape)} and the input's dtype ${x.dtype}`);
    }
    affine.push(t);
  }
  return apply(SPECS[kind], [x, ...affine], { kind, normalizedShape: shape, eps, weight: !!weight, bias: !!bias });
}

/** (x - mean) / sqrt(var + eps) * weight + bias over the trailing dims (torch.nn.functional.layer_norm). */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null,
  bias?: Tensor | null, eps = 1e-5): Tensor {
  return run('layer', x, normalizedShape, weight, bias, eps);
}

/** Machine epsilon of a float dtype: rmsNorm's default eps, as torch's. */
const EPSILON: Partial<Record<DType, number>> = { f16: 2 ** -10, f32: 2 ** -23, f64: 2 ** -52 };

/** x / sqrt(mean(x^2) + eps) * weight over the trailing dims (torch.nn.functional.rms_norm). */
export function rmsNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, eps?: number): Tensor {
  return run('rms', x, normalizedShape, weight, null, eps ?? EPSILON[x.dtype] ?? 2 ** -23);
}
