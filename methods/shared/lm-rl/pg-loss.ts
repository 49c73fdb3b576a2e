// The policy-gradient (REINFORCE with a baseline) surrogate: L = −mean_i A_i · mean_t log π_θ(y_it | x_i, y_i<t).
// Its gradient is −mean_i A_i ∇ mean_t log π_θ(y_it): descending it raises the likelihood of samples with positive
// advantage. The advantages are constants (host numbers or a detached tensor), so no gradient reaches the reward.
import { tensor, type Tensor } from '../../../index.js';
import { maskedMean } from './masked.js';

/** logProbs [B, T] (on the tape), advantages [B], mask [B, T] of real tokens → scalar loss. */
export function pgLoss(logProbs: Tensor, advantages: readonly number[] | Tensor, mask: Tensor): Tensor {
  const B = logProbs.shape[0];
  const A = Array.isArray(advantages)
    ? tensor(Float32Array.from(advantages as number[]), { shape: [B], dtype: logProbs.dtype, device: logProbs.device })
    : (advantages as Tensor).detach();
  if (logProbs.ndim !== 2 || A.shape.join() !== String(B))
    throw new Error(`pgLoss: logProbs must be [B, T] and advantages [B]; got [${logProbs.shape}] and [${A.shape}]`);
  return maskedMean(logProbs, mask).mul(A).mean().neg();
}
