// The drafters' training losses (spec §3 "Training"; official code moa_spec/models/train/moa_spec.py):
// SmoothL1(ĥ_i, h(i)) averaged over the feature dim, plus 0.1 × the forward KL's cross-entropy term
// -Σ_v softmax(head h(i))_v · log_softmax(head ĥ_i)_v, both averaged over the response positions only.
import { clamp, logSoftmax, softmax, type Tensor } from '../../index.js';

/** Per-position SmoothL1 (β = 1) averaged over the last dim: 0.5 d² where |d| < 1, |d| − 0.5 elsewhere. */
export function smoothL1PerRow(pred: Tensor, target: Tensor): Tensor {
  const d = pred.sub(target).abs();
  const m = clamp(d, null, 1);
  // 0.5 m² + (d − m) equals 0.5 d² below 1 and d − 0.5 above
  return m.mul(m).mul(0.5).add(d.sub(m)).mean(-1);
}

/** -Σ_v p_v log q_v per position, with p = softmax(teacherLogits) (no gradient) and log q = log_softmax(studentLogits). */
export function softCrossEntropyPerRow(studentLogits: Tensor, teacherLogits: Tensor): Tensor {
  return softmax(teacherLogits.detach(), -1).mul(logSoftmax(studentLogits, -1)).sum(-1).neg();
}

/** Mean of per-position values [B, T] over the positions where `weights` [B, T] is 1. */
export function maskedMean(values: Tensor, weights: Tensor): Tensor {
  return values.mul(weights).sum().div(weights.sum().add(1e-5));
}

/** The feature + 0.1 CE loss of spec §3 over response positions; `weights` [B, T] marks them. */
export function featureDistillLoss(
  predH: Tensor,
  targetH: Tensor,
  predLogits: Tensor,
  targetLogits: Tensor,
  weights: Tensor,
): Tensor {
  const feature = maskedMean(smoothL1PerRow(predH, targetH), weights);
  const ce = maskedMean(softCrossEntropyPerRow(predLogits, targetLogits), weights);
  return feature.add(ce.mul(0.1));
}
