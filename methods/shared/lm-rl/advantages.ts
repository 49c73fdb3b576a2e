// Group-relative advantages (GRPO, Shao et al. 2024, eq. 3's outcome supervision): the G samples drawn for one
// prompt form a group; each sample's advantage is its reward standardised within the group,
// A_i = (r_i − mean_g r) / (std_g r + eps), with the population std. A constant group gets all-zero advantages.

/** rewards [N·G] ordered group by group (G consecutive samples per prompt) → advantages [N·G]. */
export function groupAdvantages(rewards: readonly number[], groupSize: number, eps = 1e-4): number[] {
  if (!(Number.isInteger(groupSize) && groupSize > 0) || rewards.length % groupSize !== 0) {
    throw new Error(
      `groupAdvantages: groupSize must be a positive integer dividing the ${rewards.length} rewards, got ${groupSize}`,
    );
  }
  const out = new Array<number>(rewards.length);
  for (let start = 0; start < rewards.length; start += groupSize) {
    const group = rewards.slice(start, start + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    const std = Math.sqrt(group.reduce((a, r) => a + (r - mean) ** 2, 0) / groupSize);
    group.forEach((r, i) => {
      out[start + i] = (r - mean) / (std + eps);
    });
  }
  return out;
}
