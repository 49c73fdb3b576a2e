// Lockstep evaluation: n copies of an environment, each on a task, advanced together so that every step makes one
// batched decision (one Q-network call) for all still-running episodes. Returns the success rate.
import type { TextEnv, TextObs } from './text-env.js';

/** chooses one admissible index per running episode */
export type BatchPolicy = (states: readonly TextObs[]) => Promise<number[]>;

export async function successRate(
  makeEnv: () => TextEnv,
  tasks: readonly number[],
  episodes: number,
  policy: BatchPolicy,
  onStep?: (s: TextObs, a: number) => void,
): Promise<number> {
  if (tasks.length === 0) throw new Error('successRate: no tasks to evaluate on');
  const envs = Array.from({ length: episodes }, () => makeEnv());
  let states: (TextObs | null)[] = envs.map((e, i) => e.reset(tasks[i % tasks.length]));
  let successes = 0;
  while (states.some((s) => s !== null)) {
    const live = states.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
    const actions = await policy(live.map((i) => states[i]!));
    const next = [...states];
    live.forEach((i, j) => {
      onStep?.(states[i]!, actions[j]);
      const r = envs[i].step(actions[j]);
      if (r.success) successes++;
      next[i] = r.done ? null : r;
    });
    states = next;
  }
  return successes / episodes;
}
