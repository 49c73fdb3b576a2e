// Divergences between two language models at every position, in log space (fp32 logits → log-softmax, never
// log(softmax)): the exact reverse KL over the full vocabulary, KL(π_s ‖ π_t)(s_t) = Σ_v π_s(v)·[log π_s(v) − log π_t(v)],
// and the single-sample estimate log π_s(y_t) − log π_t(y_t) of the same quantity (unbiased when y_t ~ π_s).
import { type Tensor } from '../../../index.js';

/** Exact per-token KL(student ‖ teacher) in nats: logits [B, T, V] each, mask [B, T] → [B, T] (0 where masked). */
export function tokenKl(studentLogits: Tensor, teacherLogits: Tensor, mask: Tensor): Tensor {
  if (studentLogits.shape.join() !== teacherLogits.shape.join() || studentLogits.ndim !== 3) {
    throw new Error(
      `tokenKl: student and teacher logits must both be [B, T, V]; got [${studentLogits.shape}] and [${teacherLogits.shape}]`,
    );
  }
  if (mask.shape.join() !== studentLogits.shape.slice(0, 2).join())
    throw new Error(`tokenKl: mask must be [B, T] = [${studentLogits.shape.slice(0, 2)}], got [${mask.shape}]`);
  const logP = studentLogits.logSoftmax(-1);
  const logQ = teacherLogits.logSoftmax(-1);
  return logP.exp().mul(logP.sub(logQ)).sum(-1).mul(mask);
}

/** Single-sample KL estimate per token: log π_s(y_t) − log π_t(y_t), [B, T] each → [B, T] (0 where masked). */
export function sampledLogRatio(studentLogProbs: Tensor, teacherLogProbs: Tensor, mask: Tensor): Tensor {
  if (
    studentLogProbs.shape.join() !== teacherLogProbs.shape.join() ||
    studentLogProbs.shape.join() !== mask.shape.join()
  ) {
    throw new Error(
      `sampledLogRatio: log-probs and mask must share one [B, T] shape; got [${studentLogProbs.shape}], [${teacherLogProbs.shape}], [${mask.shape}]`,
    );
  }
  return studentLogProbs.sub(teacherLogProbs).mul(mask);
}
