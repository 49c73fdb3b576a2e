// The Sauté safety state (spec §3): z_0 = d, z_{t+1} = z_t − c_safe(s_t, y_t); a sequence is safe while z ≥ 0.
// The augmented return is the task return when the budget held and −n when it was spent (n → ∞ makes every
// optimum almost surely safe).

export function safetyState(d: number) {
  if (!(d >= 0)) throw new Error(`safetyState: the budget d must be >= 0, got ${d}`);
  return {
    z0: d,
    step: (z: number, cost: number) => z - cost,
    isSafe: (z: number) => z >= 0,
  };
}

/** The trajectory z_0..z_T of a budget d under per-token costs (length T + 1). */
export function budgetTrajectory(d: number, costs: readonly number[]): number[] {
  const s = safetyState(d);
  const z = [s.z0];
  for (const c of costs) z.push(s.step(z[z.length - 1], c));
  return z;
}

/** r if the final budget z_T ≥ 0, else −n. */
export function augmentedReturn(r: number, zT: number, n: number): number {
  return zT >= 0 ? r : -n;
}
