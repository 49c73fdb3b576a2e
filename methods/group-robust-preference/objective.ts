// The group-robust objective min_θ max_{α∈Δ_K} Σ_g α_g·L_g(θ) (GRPO, Ramesh et al. 2024, eq. 6), on tensors of
// per-sample losses, and the stochastic Algorithm 1 step on plain arrays.
import { tensor, type Tensor } from '../../index.js';
import { mixingCoefficients, updateGroupWeights } from './group-weights.js';

/** 'mean': L_g = group g's batch-mean loss. 'totalCount': L_g = N·Σ_{i∈batch∩g} ℓ_i / N_g (the LLM trainer's form). */
export type GroupScaling = 'mean' | 'totalCount';

export interface GroupLossOptions {
  scaling?: GroupScaling;
  /** dataset size N and per-group sizes N_g, needed by 'totalCount' */
  N?: number;
  Ng?: readonly number[];
}

export interface GroupLosses {
  /** [K] per-group losses; 0 for a group absent from the batch */
  groupLoss: Tensor;
  /** whether each group has a sample in this batch */
  present: boolean[];
}

/** Per-group losses of a batch: a [K, B] membership mask times the per-sample losses, summed over the batch. */
export function groupLosses(perSampleLoss: Tensor, groupIds: readonly number[], groups: number, opts: GroupLossOptions = {}): GroupLosses {
  if (perSampleLoss.ndim !== 1 || perSampleLoss.shape[0] !== groupIds.length) {
    throw new Error(`groupLosses: need [B] losses with B group ids, got shape [${perSampleLoss.shape}] and ${groupIds.length} ids`);
  }
  const counts = new Array<number>(groups).fill(0);
  for (const g of groupIds) {
    if (!Number.isInteger(g) || g < 0 || g >= groups) throw new Error(`groupLosses: group id ${g} outside 0..${groups - 1}`);
    counts[g]++;
  }
  const scaling = opts.scaling ?? 'mean';
  if (scaling === 'totalCount' && (opts.N === undefined || opts.Ng?.length !== groups)) {
    throw new Error('groupLosses: totalCount scaling needs N and Ng for every group');
  }
  const scale = counts.map((c, g) => (c === 0 ? 0 : scaling === 'mean' ? 1 / c : opts.N! / opts.Ng![g]));
  const mask = new Array<number>(groups * groupIds.length).fill(0);
  groupIds.forEach((g, i) => { mask[g * groupIds.length + i] = scale[g]; });
  const weights = tensor(mask, { shape: [groups, groupIds.length], dtype: perSampleLoss.dtype, device: perSampleLoss.device });
  return { groupLoss: perSampleLoss.unsqueeze(0).mul(weights).sum(1), present: counts.map((c) => c > 0) };
}

/** Σ_g coef_g·L_g over the groups present; the coefficients are plain numbers, so no gradient flows into them. */
export function combineGroupLosses(groupLoss: Tensor, coef: readonly number[], present: readonly boolean[]): Tensor {
  const c = coef.map((v, g) => (present[g] ? v : 0));
  return groupLoss.mul(tensor(c, { dtype: groupLoss.dtype, device: groupLoss.device })).sum();
}

/** Σ_g [(1−χ)/K + χ·α_g]·L_g: α is detached by construction (it is a number array). */
export function mixGroupLosses(groupLoss: Tensor, alpha: readonly number[], chi: number, present: readonly boolean[]): Tensor {
  return combineGroupLosses(groupLoss, mixingCoefficients(alpha, chi), present);
}

/** Both steps at a given α: the per-group losses and the mixed objective whose gradient is Σ_g coef_g ∇L_g. */
export function groupRobustObjective(perSampleLoss: Tensor, groupIds: readonly number[], alpha: readonly number[],
  opts: GroupLossOptions & { chi?: number } = {}): { loss: Tensor; groupLoss: Tensor; present: boolean[] } {
  const { groupLoss, present } = groupLosses(perSampleLoss, groupIds, alpha.length, opts);
  return { loss: mixGroupLosses(groupLoss, alpha, opts.chi ?? 1, present), groupLoss, present };
}

export interface Algorithm1Sample {
  group: number;
  /** ℓ_i and ∇θ ℓ_i at the current θ */
  loss: number;
  grad: ArrayLike<number>;
}

/**
 * One step of GRPO Algorithm 1 for a sample i drawn with g ~ Cat(N_g/N): the importance weight N/N_g makes both
 * updates unbiased for the per-group means.
 *   α_g ← α_g·exp(η_α·(N/N_g)·ℓ_i), renormalise;   θ ← Proj(θ − η_θ·(N/N_g)·α_g·∇ℓ_i) with the new α.
 */
export function algorithm1Step(alpha: readonly number[], theta: ArrayLike<number>, sample: Algorithm1Sample,
  sizes: { N: number; Ng: readonly number[] }, steps: { etaAlpha: number; etaTheta: number; project?: (t: number[]) => number[] }): { alpha: number[]; theta: number[] } {
  const w = sizes.N / sizes.Ng[sample.group];
  const losses = alpha.map((_, g) => (g === sample.group ? w * sample.loss : 0));
  const present = alpha.map((_, g) => g === sample.group);
  const next = updateGroupWeights(alpha, losses, present, steps.etaAlpha);
  const stepped = Array.from(theta, (t, j) => t - steps.etaTheta * w * next[sample.group] * sample.grad[j]);
  return { alpha: next, theta: steps.project ? steps.project(stepped) : stepped };
}

/** mixGroupLosses with α as a tensor (kept on the device between steps); α is detached here. */
export function mixGroupLossesOnDevice(groupLoss: Tensor, alpha: Tensor, chi: number): Tensor {
  if (!(chi >= 0 && chi <= 1)) throw new Error(`mixGroupLossesOnDevice: χ must lie in [0, 1], got ${chi}`);
  const coef = alpha.detach().mul(chi).add((1 - chi) / alpha.shape[0]);
  return groupLoss.mul(coef).sum();
}
