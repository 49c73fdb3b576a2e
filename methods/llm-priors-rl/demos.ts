// Demonstrations for the prior (spec §5): episodes on the training tasks by the scripted expert that acts uniformly
// at random 40% of the time; each step becomes "observation => expert's chosen action". Also the prior's top-1
// agreement with the (noise-free) expert on held-aside expert states.
import { argmax, makeRng } from '../shared/rl/index.js';
import type { Demo } from './prior.js';
import type { PriorOracle } from './oracle.js';
import { noisyExpert, type TextEnv, type TextObs } from './text-env.js';

/** the noisy expert's steps on the training tasks: each state and the chosen action's index */
function* demoSteps(env: TextEnv, episodes: number, noise: number, seed: number): Generator<[TextObs, number]> {
  const rng = makeRng(seed);
  for (let e = 0; e < episodes; e++) {
    let s = env.reset(env.trainTasks[e % env.trainTasks.length]);
    for (;;) {
      const a = noisyExpert(env, s.admissible, noise, rng);
      yield [s, a];
      const r = env.step(a);
      if (r.done) break;
      s = r;
    }
  }
}

export function collectDemos(env: TextEnv, episodes: number, noise: number, seed: number): Demo[] {
  return [...demoSteps(env, episodes, noise, seed)].map(([s, a]) => ({ context: s.obs, action: s.admissible[a] }));
}

/** the first `max` distinct states of the same demonstrations (for the feature standardisation) */
export function demoStates(env: TextEnv, episodes: number, noise: number, seed: number, max: number): TextObs[] {
  const seen = new Map<string, TextObs>();
  for (const [s] of demoSteps(env, episodes, noise, seed)) {
    const key = `${s.obs} | ${s.admissible.join(';')}`;
    if (!seen.has(key)) seen.set(key, { obs: s.obs, admissible: [...s.admissible] });
    if (seen.size >= max) break;
  }
  return [...seen.values()];
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
