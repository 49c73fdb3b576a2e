// Regret bookkeeping (spec §3 "MDP"): on a task with y normalised to [0, 1] and maximised, the simple regret after
// a sequence of queries is R = y_max − max_{i ≤ t} y_i, and each step's reward is r_t = −log10 max(R_t, 1e-20)
// (regret 0.01 → 2; regret 0 → 20). The sparsity argument counts how often the incumbent improves.

export const REGRET_FLOOR = 1e-20;

export const regretReward = (regret: number): number => -Math.log10(Math.max(regret, REGRET_FLOOR));

/** Simple regret after each prefix of the query order: out[k] = y_max − max(y[order[0..k]]). */
export function regretCurve(y: ArrayLike<number>, order: readonly number[]): Float64Array {
  let yMax = -Infinity;
  for (let i = 0; i < y.length; i++) yMax = Math.max(yMax, y[i]);
  let best = -Infinity;
  return Float64Array.from(order, (i) => {
    best = Math.max(best, y[i]);
    return yMax - best;
  });
}

/** How many times the running maximum is set (the first value counts): E = H_T = Σ_{t ≤ T} 1/t for random order. */
export function countRecords(values: ArrayLike<number>): number {
  let best = -Infinity;
  let records = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > best) {
      best = values[i];
      records++;
    }
  }
  return records;
}

/** The harmonic number H_T = Σ_{t=1..T} 1/t (3.1032 at T = 12). */
export function harmonic(t: number): number {
  let s = 0;
  for (let i = 1; i <= t; i++) s += 1 / i;
  return s;
}
