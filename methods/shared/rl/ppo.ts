// PPO's clipped surrogate (Schulman et al. 2017, eq. 7), negated to a loss:
//   L = −mean_t min(ρ_t A_t, clip(ρ_t, 1 − ε, 1 + ε) A_t),  ρ_t = exp(log π_new − log π_old).
import { minimum, type Tensor } from '../../../index.js';

export function ppoClipLoss(logProbNew: Tensor, logProbOld: Tensor, advantages: Tensor, clip = 0.2): Tensor {
  if (!(clip > 0 && clip < 1)) throw new Error(`ppoClipLoss: clip must lie in (0, 1), got ${clip}`);
  const ratio = logProbNew.sub(logProbOld.detach()).exp();
  const adv = advantages.detach();
  return minimum(ratio.mul(adv), ratio.clamp(1 - clip, 1 + clip).mul(adv)).mean().neg();
}
