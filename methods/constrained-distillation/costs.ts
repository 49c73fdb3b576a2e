// Trajectory costs and the Sauté safety state (spec §3). Per-token costs c_t (the exact reverse KL to the teacher,
// from the lm-rl kit's tokenKl) add up to C(x, y) = Σ_t c_t. Sauté RL (Sootla et al. 2022, HEBO/SAUTE's
// saute_env.py) tracks the remaining budget z_0 = 1, z_{t+1} = (z_t − c_t/d)/γ_c; here γ_c = 1, so
// z_{T} = 1 − C/d and z_T ≥ 0 ⇔ C ≤ d.

/** C[B] = Σ_t mask·c per row. */
export function trajectoryCost(c: readonly (readonly number[])[], mask: readonly (readonly number[])[]): number[] {
  if (c.length !== mask.length) throw new Error(`trajectoryCost: ${c.length} cost rows but ${mask.length} mask rows`);
  return c.map((row, b) => {
    if (row.length !== mask[b].length)
      throw new Error(`trajectoryCost: row ${b} has ${row.length} costs but ${mask[b].length} mask entries`);
    return row.reduce((s, v, t) => s + (mask[b][t] ? v : 0), 0);
  });
}

/** z[T + 1] of one trajectory's costs c[T] with budget d > 0 (γ_c = 1 unless given). */
export function sauteState(c: readonly number[], d: number, gammaC = 1): number[] {
  if (!(d > 0)) throw new Error(`sauteState: the budget d must be > 0, got ${d}`);
  if (!(gammaC > 0 && gammaC <= 1)) throw new Error(`sauteState: gammaC must be in (0, 1], got ${gammaC}`);
  const z = [1];
  for (const ct of c) z.push((z[z.length - 1] - ct / d) / gammaC);
  return z;
}
