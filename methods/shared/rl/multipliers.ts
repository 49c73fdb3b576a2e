// Scalar dual variables kept in log space (positive by construction, multiplicative steps):
//   Lagrange multiplier (dual ascent on a constraint E[Δ] ≤ 0):   log μ ← clip(log μ + η·E[Δ], −∞, log μ_max)
//   SAC temperature (Haarnoja et al. 2018b, eq. 18):              J(α) = E[−α·(log π + H̄)],
//     so ∂J/∂log α = −α·E[log π + H̄] and gradient descent on log α (the official codes' parameter) raises α when
//     the policy's entropy −E[log π] falls below the target H̄ (e.g. H̄ = −dim A).
// Both are plain gradient steps on one number, so the caller keeps them as JS numbers.

/** One dual-ascent step on log μ: the multiplier grows while the constraint is violated on average (E[Δ] > 0). */
export function lagrangeStep(logMu: number, meanDelta: number, lr: number, muMax = Infinity): number {
  for (const [k, v] of [
    ['logMu', logMu],
    ['meanDelta', meanDelta],
    ['lr', lr],
  ] as const) {
    if (!Number.isFinite(v)) throw new Error(`lagrangeStep: ${k} must be finite, got ${v}`);
  }
  if (!(muMax > 0)) throw new Error(`lagrangeStep: muMax must be positive, got ${muMax}`);
  return Math.min(logMu + lr * meanDelta, Math.log(muMax));
}

/**
 * One gradient-descent step on log α for SAC's automatic entropy tuning, from the batch mean of log π(a|s).
 * The step is taken on the log parameter with gradient −E[log π + H̄] (the official SAC/LAC codes differentiate
 * −log α·(log π + H̄) with respect to log α), so log α ← log α + lr·(E[log π] + H̄).
 */
export function temperatureStep(logAlpha: number, meanLogProb: number, targetEntropy: number, lr: number): number {
  for (const [k, v] of [
    ['logAlpha', logAlpha],
    ['meanLogProb', meanLogProb],
    ['targetEntropy', targetEntropy],
    ['lr', lr],
  ] as const) {
    if (!Number.isFinite(v)) throw new Error(`temperatureStep: ${k} must be finite, got ${v}`);
  }
  return logAlpha + lr * (meanLogProb + targetEntropy);
}
