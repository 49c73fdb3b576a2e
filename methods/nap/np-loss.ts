// The auxiliary neural-process loss (spec §3 "Loss"; official ppo_nap.py, SL_iid): for each stored state, a fresh
// context of c ~ U{1..T−1} pool points (uniform, with replacement, with their true y) and the bar-distribution
// NLL of every pool point's y given that context. It trains the NP head on informative data where the regret
// rewards are sparse.
import type { Rng } from '../shared/rl/index.js';
import type { SearchState } from './state.js';
import type { Task } from './tasks.js';

/** One random-context state per task: c ~ U{1..maxContext} indices drawn uniformly with replacement. */
export function randomContexts(tasks: readonly Task[], maxContext: number, rng: Rng): SearchState[] {
  if (!(maxContext >= 1)) throw new Error(`randomContexts: maxContext must be >= 1, got ${maxContext}`);
  return tasks.map((task) => {
    const c = 1 + rng.int(maxContext);
    return { task, history: Array.from({ length: c }, () => rng.int(task.y.length)) };
  });
}

/** The NLL targets of those states: every pool point's y, row-major [B, N]. */
export function poolTargets(states: readonly SearchState[]): Float64Array {
  const N = states[0].task.y.length;
  const out = new Float64Array(states.length * N);
  states.forEach((s, b) => out.set(s.task.y, b * N));
  return out;
}
