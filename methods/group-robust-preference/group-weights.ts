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
 * Importance weights for unequal group sizes: each sample of group g counts N/(K·N_g), so the sample average of
 * weighted losses equals the group-balanced mean (1/K)·Σ_g L_g. These are the fixed weights of IS-DPO / IS-IPO.
 */
export function importanceWeights(groupCounts: readonly number[]): number[] {
  const n = groupCounts.reduce((s, c) => s + c, 0);
  return groupCounts.map((c) => (c > 0 ? n / (groupCounts.length * c) : 0));
}

/**
 * The same mirror-ascent step with α and the group losses as tensors, so a training step needs no readback
 * (the official LLM trainer's form): α ← softmax(log α + η_α·L), with L detached. An absent group's loss is 0,
 * so its multiplier is 1. Groups lie along the last dim ([K], or [S, K] for S independent runs).
 */
export function updateGroupWeightsOnDevice(alpha: Tensor, groupLoss: Tensor, etaAlpha: number): Tensor {
  return softmax(alpha.log().add(groupLoss.detach().mul(etaAlpha)), -1);
}
