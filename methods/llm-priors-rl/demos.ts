// Demonstrations for the prior (spec §5): episodes on the training tasks by the scripted expert that acts uniformly
// at random 40% of the time; each step becomes "observation => expert's chosen action". Also the prior's top-1
// agreement with the (noise-free) expert on held-aside expert states.
import { argmax, makeRng } from '../shared/rl/index.js';
import type { Demo } from './prior.js';
import type { PriorOracle } from './oracle.js';
import { noisyExpert, type TextEnv } from './text-env.js';

export function collectDemos(env: TextEnv, episodes: number, noise: number, seed: number): Demo[] {
  const rng = makeRng(seed);
  const demos: Demo[] = [];
  for (let e = 0; e < episodes; e++) {
    let s = env.reset(env.trainTasks[e % env.trainTasks.length]);
    for (;;) {
      const a = noisyExpert(env, s.admissible, noise, rng);
      demos.push({ context: s.obs, action: s.admissible[a] });
      const r = env.step(a);
      if (r.done) break;
      s = r;
    }
  }
  return demos;
}

/** fraction of states along noise-free expert episodes where argmax p_prior is the expert's action */
export async function top1Agreement(env: TextEnv, oracle: PriorOracle, tasks: readonly number[]): Promise<number> {
  let agree = 0;
  let n = 0;
  for (const task of tasks) {
    let s = env.reset(task);
    for (;;) {
      const a = env.expertAction();
      const { probs } = await oracle.get(s.obs, s.admissible);
      if (argmax(probs) === a) agree++;
      n++;
      const r = env.step(a);
      if (r.done) break;
      s = r;
    }
  }
  return agree / n;
}
