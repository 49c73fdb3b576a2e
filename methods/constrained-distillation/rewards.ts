// Rewards of the arms (spec §3). The paper's modified reward folds the Sauté budget into the terminal reward:
// r̃(x, y) = R(x, y) if C(x, y) ≤ d (z_T ≥ 0), else −n. Baselines: the soft Lagrangian R − λC with fixed λ, the dual
// update λ ← max(0, λ + η_λ(mean C − d)), and the per-token Sauté ablation that charges −n on every token taken
// once the budget is spent.
import { sauteState } from './costs.js';

/** r̃ = R when C ≤ d (the boundary is feasible), −n otherwise. */
export function modifiedReward(R: number, C: number, d: number, n: number): number {
  if (!(n >= 0)) throw new Error(`modifiedReward: the penalty n must be >= 0, got ${n}`);
  return C <= d ? R : -n;
}

/**
 * Per-token Sauté rewards r_t of one trajectory with costs c[T] (real tokens only) and terminal task reward R:
 * r_t = −n for each token after which the budget is exhausted (z_{t+1} < 0); the terminal token also earns R when
 * the whole trajectory stayed within budget. On a feasible trajectory Σ_t r_t = R, the terminal form.
 */
export function perTokenSauteRewards(R: number, c: readonly number[], d: number, n: number): number[] {
  if (!(n >= 0)) throw new Error(`perTokenSauteRewards: the penalty n must be >= 0, got ${n}`);
  if (c.length === 0) throw new Error('perTokenSauteRewards: a trajectory needs at least one token');
  const z = sauteState(c, d);
  const r = c.map((_, t) => (z[t + 1] < 0 ? -n : 0));
  if (z[c.length] >= 0) r[c.length - 1] += R;
  return r;
}

/** The soft-Lagrangian reward R − λC. */
export function lagrangianReward(R: number, C: number, lambda: number): number {
  if (!(lambda >= 0)) throw new Error(`lagrangianReward: lambda must be >= 0, got ${lambda}`);
  return R - lambda * C;
}

/** Projected dual ascent on the multiplier: max(0, λ + η(mean C − d)). */
export function dualUpdate(lambda: number, meanC: number, d: number, eta: number): number {
  if (!(eta > 0)) throw new Error(`dualUpdate: the step eta must be > 0, got ${eta}`);
  return Math.max(0, lambda + eta * (meanC - d));
}
