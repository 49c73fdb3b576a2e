// On-policy pieces for PPO (Schulman et al. 2017) with generalised advantage estimation (Schulman et al. 2016):
//   δ_t = r_t + γ·(1 − terminal_t)·V(s_{t+1}) − V(s_t)
//   A_t = δ_t + γλ·(1 − done_t)·A_{t+1}          (GAE(γ, λ); the return target is A_t + V(s_t))
//   L_clip = −E[min(ρ_t·A_t, clip(ρ_t, 1 − ε, 1 + ε)·A_t)],  ρ_t = exp(log π(a_t|s_t) − log π_old(a_t|s_t))
// `terminal` stops bootstrapping (goal, crash); `done` (terminal or time-limit cut) stops the advantage sum, and a
// cut episode still bootstraps from V(s_{t+1}) through `nextValues`.
import { minimum, type Tensor } from '../../../index.js';

export interface GaeInput {
  rewards: ArrayLike<number>;
  /** V(s_t) */
  values: ArrayLike<number>;
  /** V(s_{t+1}) (the value of the observation after step t, also after a time-limit cut) */
  nextValues: ArrayLike<number>;
  terminal: ArrayLike<boolean | number>;
  done: ArrayLike<boolean | number>;
}

/** GAE advantages and return targets for one rollout of T steps (possibly spanning several episodes). */
export function gae(x: GaeInput, gamma: number, lambda: number): { advantages: Float64Array; returns: Float64Array } {
  const T = x.rewards.length;
  for (const k of ['values', 'nextValues', 'terminal', 'done'] as const) {
    if (x[k].length !== T) throw new Error(`gae: ${k} has ${x[k].length} entries, rewards has ${T}`);
  }
  if (!(gamma >= 0 && gamma <= 1 && lambda >= 0 && lambda <= 1))
    throw new Error(`gae: gamma and lambda must lie in [0, 1], got ${gamma}, ${lambda}`);
  const advantages = new Float64Array(T);
  let next = 0;
  for (let t = T - 1; t >= 0; t--) {
    const delta = x.rewards[t] + gamma * (x.terminal[t] ? 0 : x.nextValues[t]) - x.values[t];
    next = delta + gamma * lambda * (x.done[t] ? 0 : next);
    advantages[t] = next;
  }
  return { advantages, returns: advantages.map((a, t) => a + x.values[t]) };
}

/** PPO's clipped surrogate loss (to minimise) from new and old log-probabilities and advantages, all [B]. */
export function ppoClipLoss(logProb: Tensor, oldLogProb: Tensor, advantages: Tensor, clipEps = 0.2): Tensor {
  if (!(clipEps > 0)) throw new Error(`ppoClipLoss: clipEps must be positive, got ${clipEps}`);
  const ratio = logProb.sub(oldLogProb).exp();
  const clipped = ratio.clamp(1 - clipEps, 1 + clipEps);
  return minimum(ratio.mul(advantages), clipped.mul(advantages)).mean().neg();
}
