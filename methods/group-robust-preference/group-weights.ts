// The adversary's weights α on the simplex Δ_K and their exponentiated-gradient (mirror ascent) update,
// GRPO Algorithm 1 (Ramesh et al. 2024): α_g ← α_g · exp(η_α · L_g), then renormalise.
import { softmax, type Tensor } from '../../index.js';

/** Uniform weights 1/K. */
export function createGroupWeights(groups: number): number[] {
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`createGroupWeights: need a positive group count, got ${groups}`);
  return new Array<number>(groups).fill(1 / groups);
}

/**
 * One mirror-ascent step on α with the groups' current losses. A group absent from the batch (present[g] false)
 * keeps its multiplier at 1 and moves only through the renormalisation. Computed in log space so that a large
 * η_α·L cannot overflow.
 */
export function updateGroupWeights(alpha: readonly number[], groupLoss: ArrayLike<number>, present: readonly boolean[], etaAlpha: number): number[] {
  if (groupLoss.length !== alpha.length || present.length !== alpha.length) {
    throw new Error(`updateGroupWeights: ${alpha.length} weights but ${groupLoss.length} losses and ${present.length} presence flags`);
  }
  const logits = alpha.map((a, g) => Math.log(a) + (present[g] ? etaAlpha * groupLoss[g] : 0));
  const top = Math.max(...logits);
  const unnormalised = logits.map((l) => Math.exp(l - top));
  const total = unnormalised.reduce((s, v) => s + v, 0);
  return unnormalised.map((v) => v / total);
}

/**
 * The coefficient each group's mean loss gets in the θ objective: (1−χ)/K + χ·α_g. χ = 1 is GRPO (worst group),
 * χ = 0 the group-balanced average.
 */
export function mixingCoefficients(alpha: readonly number[], chi: number): number[] {
  if (!(chi >= 0 && chi <= 1)) throw new Error(`mixingCoefficients: χ must lie in [0, 1], got ${chi}`);
  return alpha.map((a) => (1 - chi) / alpha.length + chi * a);
}

/**
 * Two readings of the paper's weightings. 'official' (the default) follows the authors' bandit code
 * (group_robust_dpo_vectorised_gradfix.py); 'normalised' is this method's first reading, kept as an option:
 * - IS baselines: official per-sample weights w_g = (1/N_g)/Σ_h(1/N_h) (normalised to sum 1 over groups), with the
 *   weighted losses summed over the batch and divided by its size, so group g's mean loss gets w_g·N_g/N;
 *   normalised: every group mean gets 1/K (the group-balanced mean; 1.6-2x larger steps in the bandit settings).
 * - GR-IPO closed form: official W = diag((1−χ)/K + χ·α_g(i)); normalised W = diag(((1−χ)/K + χ·α_g(i))/N_g(i)),
 *   the exact minimiser of Σ_g α_g·(group-mean IPO loss).
 * - α step: official α_g ← α_g·exp(χ·η_α·L_g); normalised α_g ← α_g·exp(η_α·L_g) (the same at χ = 1).
 */
export type Convention = 'official' | 'normalised';

/**
 * Importance weights for unequal group sizes. 'official': w_g = (1/N_g)/Σ_h(1/N_h) per sample (the authors'
 * bandit code), so the batch average Σ_i w_g(i)·ℓ_i/N gives group g's mean w_g·N_g/N, the same for every group.
 * 'normalised': N/(K·N_g) per sample, so that batch average is exactly the group-balanced mean (1/K)·Σ_g L_g.
 * These are the fixed weights of IS-DPO / IS-IPO. A group without samples gets 0.
 */
export function importanceWeights(groupCounts: readonly number[], convention: Convention = 'official'): number[] {
  const n = groupCounts.reduce((s, c) => s + c, 0);
  if (convention === 'normalised') return groupCounts.map((c) => (c > 0 ? n / (groupCounts.length * c) : 0));
  const inverse = groupCounts.map((c) => (c > 0 ? 1 / c : 0));
  const total = inverse.reduce((s, v) => s + v, 0);
  return inverse.map((v) => v / total);
}

/** The exponent's step in the α update: χ·η_α in the official code, η_α in the normalised reading. */
export const alphaStep = (etaAlpha: number, chi: number, convention: Convention = 'official'): number =>
  convention === 'official' ? chi * etaAlpha : etaAlpha;

/**
 * The same mirror-ascent step with α and the group losses as tensors, so a training step needs no readback
 * (the official LLM trainer's form): α ← softmax(log α + η_α·L), with L detached. An absent group's loss is 0,
 * so its multiplier is 1. Groups lie along the last dim ([K], or [S, K] for S independent runs).
 */
export function updateGroupWeightsOnDevice(alpha: Tensor, groupLoss: Tensor, etaAlpha: number): Tensor {
  return softmax(alpha.log().add(groupLoss.detach().mul(etaAlpha)), -1);
}
