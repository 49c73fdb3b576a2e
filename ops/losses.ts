// Loss functions with torch.nn.functional's semantics. crossEntropy with class-index targets is one fused row
// kernel (shaders/losses.ts) whose backward is another (crossEntropyGrad, with a backward of its own written with
// tensor ops); the others are composites of tensor ops (logSoftmax, softplus, reductions), so every loss can be
// differentiated twice.
//
// Class-index targets are i32. A target outside [0, C) that is not ignoreIndex is an error on the cpu (where
// checking is free) and gives a NaN loss on webgpu (checking there would cost a readback).
import { assertTensor, type Tensor } from '../core/tensor.js';
import { castScalar, isFloat } from '../core/dtype.js';
import { contiguousStrides, fmtShape, sameShape } from '../core/shape.js';
import { noGrad } from '../core/autograd.js';
import { pipeline } from '../shaders/pipelines.js';
import { declaration } from '../shaders/kernel.js';
import { rowLayout, rowDispatch, rowGrid, rowMeta, splitAt } from '../shaders/rows.js';
import { crossEntropyKernel, crossEntropyKey, crossEntropySource, type CrossEntropyKernel } from '../shaders/losses.js';
import { apply, describe, valuesOf, type OpSpec } from './op.js';
import { contiguous } from './views.js';
import { where } from './binary.js';
import { softplus } from './functional.js';
import { logSoftmax } from './softmax.js';
import { classMask, classView, crossEntropyGrad, perRow, type CrossEntropyParams } from './cross-entropy-backward.js';

export type Reduction = 'mean' | 'sum' | 'none';

// ---- the fused cross-entropy rows --------------------------------------------------------------------------------

const CROSS_ENTROPY_ROWS: OpSpec<CrossEntropyParams> = {
  name: 'crossEntropy',
  infer: ([logits, target]) => ({ shape: target.shape, dtype: logits.dtype }),
  cpu(out, [logits, target, weight], p) {
    const x = valuesOf(logits);
    const t = valuesOf(target);
    const w = p.weight ? valuesOf(weight) : null;
    const { outer, length: C, inner } = splitAt(logits.shape, 1);
    const eps = p.labelSmoothing;
    const dst = out.storage.cpu!;
    for (let n = 0; n < outer; n++) {
      for (let i = 0; i < inner; i++) {
        const at = (c: number) => (n * C + c) * inner + i;
        let m = -Infinity;
        for (let c = 0; c < C; c++) m = Number.isNaN(x[at(c)]) || Number.isNaN(m) ? NaN : Math.max(m, x[at(c)]);
        let s = 0;
        let swx = 0;
        let sw = 0;
        for (let c = 0; c < C; c++) {
          s += Math.exp(x[at(c)] - m);
          swx += (w ? w[c] : 1) * x[at(c)];
          sw += w ? w[c] : 1;
        }
        const lse = Number.isFinite(m) ? m + Math.log(s) : NaN;
        const k = t[n * inner + i];
        let loss = 0;
        if (k !== p.ignoreIndex) {
          loss = k < 0 || k >= C ? NaN : (1 - eps) * (w ? w[k] : 1) * (lse - x[at(k)]);
          if (eps > 0) loss += (eps / C) * (sw * lse - swx);
        }
        dst[n * inner + i] = castScalar(out.dtype, loss);
      }
    }
  },
  webgpu(out, [logits, target, weight], p) {
    const layout = rowLayout('crossEntropy', logits.shape, 1, [
      logits, perRow(target.strides, target.offset), perRow(contiguousStrides(out.shape), 0)]);
    const w = p.weight ? noGrad(() => contiguous(weight)) : null;
    const kernel: CrossEntropyKernel = { input: logits.dtype, weight: p.weight, smoothing: p.labelSmoothing > 0, grid: rowGrid(layout.length, layout.rows) };
    const decl = declaration(crossEntropyKey(kernel), () => crossEntropyKernel(kernel));
    const m = rowMeta(decl, layout).i32('ignoreIndex', p.ignoreIndex).f32('smoothing', p.labelSmoothing);
    const buffers = { logits: logits.storage.buffer!, targets: target.storage.buffer!, out: out.storage.buffer!,
      ...(w ? { weight: w.storage.buffer! } : {}) };
    decl.dispatch(pipeline(crossEntropyKey(kernel), () => crossEntropySource(kernel)), buffers, m, rowDispatch(layout.rows, kernel.grid));
    if (w && w !== weight) w.dispose();
  },
  // one row kernel (ops/cross-entropy-backward.ts), differentiable again
  backward: (g, { inputs: [logits, target, weight], params: p }) =>
    [crossEntropyGrad(logits, target, g, p.weight ? weight : null, p), null, null],
  saves: ({ inputs }) => inputs,
  packedHalf: true,
};

// ---- argument checks -------------------------------------------------------------------------------------------

function checkReduction(op: string, reduction: string, valid: readonly string[]): void {
  if (!valid.includes(reduction)) throw new Error(`${op}: reduction '${reduction}' is not one of ${valid.map((r) => `'${r}'`).join(', ')}`);
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.mean();
}

/** Checks class-index targets against logits/log-probabilities [N, C, d...]: i32, shape [N, d...], values in range on the cpu. */
function checkClassTargets(op: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  const expected = [input.shape[0], ...input.shape.slice(2)];
  if (target.dtype !== 'i32' || !sameShape(target.shape, expected)) {
    throw new Error(`${op}: class-index target ${describe(target)} must be i32 of shape ${fmtShape(expected)} for input ` +
      `${describe(input)} (classes in dim 1)${isFloat(target.dtype) && op === 'crossEntropy' ? `, or class probabilities of the input's shape ${fmtShape(input.shape)}` : ''}`);
  }
  if (target.device !== 'cpu') return;
  const C = input.shape[1];
  const values = valuesOf(target);
  const bad = values.findIndex((k) => k !== ignoreIndex && (k < 0 || k >= C));
  if (bad >= 0) {
    throw new Error(`${op}: target class ${values[bad]} at flat index ${bad} is out of range for ${C} classes ` +
      `(valid: 0..${C - 1}, or ignoreIndex ${ignoreIndex})`);
  }
}

function checkWeight(op: string, weight: Tensor | null | undefined, input: Tensor, classes: number): void {
  if (!weight) return;
  assertTensor(weight, op);
  if (!sameShape(weight.shape, [classes]) || weight.dtype !== input.dtype) {
    throw new Error(`${op}: weight ${describe(weight)} must be a vector of the ${classes} class weights, of the input's dtype ${input.dtype}`);
  }
}

/** A 1-D input [C] is one sample: it becomes [1, C] (and its 0-d target [1]); the 'none' loss is squeezed back. */
function batched(op: string, input: Tensor, target: Tensor, fn: (input: Tensor, target: Tensor) => Tensor, reduction: Reduction): Tensor {
  assertTensor(input, op);
  assertTensor(target, op);
  if (!isFloat(input.dtype)) throw new Error(`${op}: input ${describe(input)} must be floating point (f32, f16, bf16 or f64)`);
  if (input.ndim === 0) throw new Error(`${op}: input ${describe(input)} needs a class dim (shape [C] or [N, C, d...])`);
  if (input.ndim > 1) return fn(input, target);
  const isClassIndex = !isFloat(target.dtype);
  const loss = fn(input.unsqueeze(0), isClassIndex && target.ndim === 0 ? target.reshape([1]) : target.unsqueeze(0));
  return reduction === 'none' ? loss.reshape([]) : loss;
}

// ---- the losses ------------------------------------------------------------------------------------------------

export interface CrossEntropyOptions {
  /** a rescaling weight per class, shape [C] */
  weight?: Tensor | null;
  /** class-index targets equal to this contribute nothing (default -100); not used with probability targets */
  ignoreIndex?: number;
  /** mixes the target with the uniform distribution: (1 - eps) target + eps / C (default 0) */
  labelSmoothing?: number;
  reduction?: Reduction;
}

/**
 * Cross-entropy of logits [N, C, d...] (or [C]) against class indices (i32, [N, d...]) or class probabilities (the
 * logits' shape and dtype), as torch.nn.functional.cross_entropy. With class indices, 'mean' divides by the summed
 * weight of the targets that are not ignored; with probabilities, by the number of samples N * d1 * ....
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } = opts;
  checkReduction('crossEntropy', reduction, ['mean', 'sum', 'none']);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  }
  if (!Number.isInteger(ignoreIndex)) throw new Error(`crossEntropy: ignoreIndex must be an integer, got ${ignoreIndex}`);
  return batched('crossEntropy', input, target, (x, t) => {
    const C = x.shape[1];
    checkWeight('crossEntropy', weight, x, C);
    if (isFloat(t.dtype) && sameShape(t.shape, x.shape)) {
      if (t.dtype !== x.dtype) throw new Error(`crossEntropy: probability target ${describe(t)} must have the input's dtype ${x.dtype}`);
      if (opts.ignoreIndex !== undefined) throw new Error('crossEntropy: ignoreIndex applies to class-index targets only, not to probability targets');
      const q = labelSmoothing > 0 ? t.mul(1 - labelSmoothing).add(labelSmoothing / C) : t;
      const logp = logSoftmax(x, 1);
      const loss = (weight ? logp.mul(q).mul(classView(weight, x.ndim)) : logp.mul(q)).sum(1).neg();
      return reduce(loss, reduction);
    }
    checkClassTargets('crossEntropy', x, t, ignoreIndex);
    const loss = apply(CROSS_ENTROPY_ROWS, weight ? [x, t, weight] : [x, t], { ignoreIndex, labelSmoothing, weight: !!weight });
    if (reduction !== 'mean') return reduce(loss, reduction);
    // the unweighted count stays an integer, which the division promotes (one cast dispatch fewer)
    const valid = t.ne(ignoreIndex);
    const total = weight ? where(valid, classMask(t, C).cast(x.dtype).mul(classView(weight, x.ndim)).sum(1), 0).sum() : valid.sum();
    return loss.sum().div(total);
  }, reduction);
}

export interface NllLossOptions { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }

/**
 * Negative log-likelihood of log-probabilities [N, C, d...] (or [C]) at class indices (i32, [N, d...]), as
 * torch.nn.functional.nll_loss: loss = -w[t] input[t]; 'mean' divides by the summed weight of non-ignored targets.
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = 'mean' } = opts;
  checkReduction('nllLoss', reduction, ['mean', 'sum', 'none']);
  return batched('nllLoss', input, target, (x, t) => {
    const C = x.shape[1];
    checkWeight('nllLoss', weight, x, C);
    checkClassTargets('nllLoss', x, t, ignoreIndex);
    const mask = classMask(t, C);
    const valid = t.ne(ignoreIndex);
    const picked = where(mask, x, 0).sum(1);
    const wt = where(valid, weight ? where(mask, classView(weight, x.ndim), 0).sum(1) : 1, 0);
    // an out-of-range class (possible only on webgpu, the cpu checks above) picks nothing: make it NaN, as crossEntropy
    const loss = where(mask.any(1).logicalOr(valid.logicalNot()), where(valid, picked.mul(wt).neg(), 0), NaN);
    return reduction === 'mean' ? loss.sum().div(wt.sum()) : reduce(loss, reduction);
  }, reduction);
}

/** Mean squared error (torch.nn.functional.mse_loss); input and target must have the same shape. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const { reduction = 'mean' } = opts;
  checkReduction('mseLoss', reduction, ['mean', 'sum', 'none']);
  checkSameShape('mseLoss', input, target);
  return reduce(input.sub(target).square(), reduction);
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  assertTensor(input, op);
  assertTensor(target, op);
  if (!sameShape(input.shape, target.shape) || !isFloat(input.dtype) || !isFloat(target.dtype)) {
    throw new Error(`${op}: input ${describe(input)} and target ${describe(target)} must be floating point and of the same shape`);
  }
}

export type KlReduction = Reduction | 'batchmean';

/**
 * Kullback-Leibler divergence with torch's convention (torch.nn.functional.kl_div): `input` holds log-probabilities,
 * `target` probabilities (or log-probabilities with logTarget); pointwise loss = target (log target - input), with
 * 0 log 0 = 0. 'batchmean' divides the sum by the batch size input.shape[0] (the true KL per sample); 'mean' (the
 * default, as in torch) by the number of elements.
 */
export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: KlReduction; logTarget?: boolean } = {}): Tensor {
  const { reduction = 'mean', logTarget = false } = opts;
  checkReduction('klDiv', reduction, ['mean', 'sum', 'none', 'batchmean']);
  checkSameShape('klDiv', input, target);
  // target log target with the 0 log 0 = 0 limit: log(1) = 0 stands in where the target is 0
  const loss = logTarget
    ? target.exp().mul(target.sub(input))
    : target.mul(where(target.eq(0), 1, target).log()).sub(target.mul(input));
  if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  return reduce(loss, reduction);
}

/**
 * Binary cross-entropy on logits (torch.nn.functional.binary_cross_entropy_with_logits), in the stable form
 *   loss = (1 - t) x + (1 + (posWeight - 1) t) softplus(-x),
 * which equals -[posWeight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]. weight and posWeight broadcast
 * (posWeight along the last, class dim).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const { weight = null, posWeight = null, reduction = 'mean' } = opts;
  checkReduction('binaryCrossEntropyWithLogits', reduction, ['mean', 'sum', 'none']);
  checkSameShape('binaryCrossEntropyWithLogits', input, target);
  const logWeight = posWeight ? posWeight.sub(1).mul(target).add(1) : null;
  const sp = softplus(input.neg());
  let loss = target.neg().add(1).mul(input).add(logWeight ? logWeight.mul(sp) : sp);
  if (weight) loss = loss.mul(weight);
  if (!sameShape(loss.shape, input.shape)) {
    throw new Error(`binaryCrossEntropyWithLogits: weight ${weight ? describe(weight) : '-'} and posWeight ` +
      `${posWeight ? describe(posWeight) : '-'} must broadcast to the input's shape ${fmtShape(input.shape)}`);
  }
  return reduce(loss, reduction);
}

// ---- regression and probability losses (composites of elementwise ops) ------------------------------------------

/** Mean absolute error (torch.nn.functional.l1_loss); input and target must have the same shape. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const { reduction = 'mean' } = opts;
  checkReduction('l1Loss', reduction, ['mean', 'sum', 'none']);
  checkSameShape('l1Loss', input, target);
  return reduce(input.sub(target).abs(), reduction);
}

/**
 * torch.nn.functional.smooth_l1_loss: with d = |input - target|, 0.5 d^2 / beta where d < beta, else d - 0.5 beta
 * (beta = 0 is the L1 loss).
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const { reduction = 'mean', beta = 1 } = opts;
  checkReduction('smoothL1Loss', reduction, ['mean', 'sum', 'none']);
  checkSameShape('smoothL1Loss', input, target);
  if (!(beta >= 0)) throw new Error(`smoothL1Loss: beta must be a non-negative number, got ${beta}`);
  const d = input.sub(target).abs();
  if (beta === 0) return reduce(d, reduction);
  return reduce(where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
}

/**
 * torch.nn.functional.huber_loss: with d = |input - target|, 0.5 d^2 where d <= delta, else delta (d - 0.5 delta)
 * (smoothL1Loss with beta = delta, times delta).
 */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const { reduction = 'mean', delta = 1 } = opts;
  checkReduction('huberLoss', reduction, ['mean', 'sum', 'none']);
  checkSameShape('huberLoss', input, target);
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be a positive number, got ${delta}`);
  const d = input.sub(target).abs();
  return reduce(where(d.le(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction);
}

/**
 * log(p) clamped below at -100, as torch's binary_cross_entropy: p = 0 gives -100 (and no NaN gradient, since
 * the log only ever sees p >= the smallest normal number; f32 denormals p < 1.2e-38 give log(1.2e-38) = -87.3
 * where torch gives log(p)).
 */
function clampedLog(p: Tensor): Tensor {
  const smallest = p.dtype === 'f64' ? Math.exp(-100) : 2 ** -126;
  return where(p.le(0), -100, p.clamp(smallest).log().clamp(-100));
}

/**
 * Binary cross-entropy of probabilities (torch.nn.functional.binary_cross_entropy):
 *   loss = -weight (target log(p) + (1 - target) log(1 - p)),   each log clamped below at -100 as torch does.
 * weight broadcasts to the input. Inputs outside [0, 1] are an error on the cpu (a NaN loss on webgpu).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const { weight = null, reduction = 'mean' } = opts;
  checkReduction('binaryCrossEntropy', reduction, ['mean', 'sum', 'none']);
  checkSameShape('binaryCrossEntropy', input, target);
  if (input.device === 'cpu' && valuesOf(input).some((p) => !(p >= 0 && p <= 1))) {
    throw new Error(`binaryCrossEntropy: all elements of input ${describe(input)} should be probabilities in [0, 1] ` +
      '(for logits use binaryCrossEntropyWithLogits)');
  }
  const inRange = input.ge(0).logicalAnd(input.le(1));
  const q = target.neg().add(1);
  let loss = target.mul(clampedLog(input)).add(q.mul(clampedLog(input.neg().add(1)))).neg();
  loss = where(inRange, loss, NaN);
  if (weight) loss = loss.mul(weight);
  if (!sameShape(loss.shape, input.shape)) {
    throw new Error(`binaryCrossEntropy: weight ${describe(weight!)} must broadcast to the input's shape ${fmtShape(input.shape)}`);
  }
  return reduce(loss, reduction);
}
