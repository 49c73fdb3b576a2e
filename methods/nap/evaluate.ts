// Regret evaluation (spec §4 evaluateRegret): every policy runs on the same fixed tasks from the same n_init
// random initial points (drawn from the task's index and a seed), deterministically thereafter; the result is
// the simple-regret matrix [task][k], k = 0 (after the initial points) .. T policy steps.
import { noGrad, tidy } from '../../index.js';
import { makeRng, type Rng } from '../shared/rl/index.js';
import type { BarDistribution } from './bar.js';
import type { NapModel } from './model.js';
import { randomContexts, poolTargets } from './np-loss.js';
import type { Policy } from './policies.js';
import { regretCurve } from './regret.js';
import { initialQueries } from './rollout.js';
import { napInputs, type Horizon, type SearchState } from './state.js';
import type { Task } from './tasks.js';

export async function evaluateRegret(
  policy: Policy,
  tasks: readonly Task[],
  h: Horizon,
  seed: number,
): Promise<Float64Array[]> {
  const states: SearchState[] = tasks.map((task, i) => ({
    task,
    history: initialQueries(task.y.length, h.nInit, makeRng(seed * 100003 + i)),
  }));
  for (let step = 0; step < h.steps; step++) {
    const actions = await policy.choose(states, h);
    states.forEach((s, b) => s.history.push(actions[b]));
  }
  return states.map((s) => regretCurve(s.task.y, s.history).slice(h.nInit - 1));
}

/** Mean bar-distribution NLL per pool point given random contexts of 1..maxContext points (held-out tasks). */
export async function heldOutNll(
  model: NapModel,
  bar: BarDistribution,
  tasks: readonly Task[],
  h: Horizon,
  rng: Rng,
): Promise<number> {
  const states = randomContexts(tasks, h.steps - 1, rng);
  const nll = tidy(() =>
    noGrad(() =>
      bar
        .logDensity(model.forward(napInputs(states, h)).bucketLogits, poolTargets(states))
        .mean()
        .neg(),
    ),
  );
  const v = await nll.item();
  nll.dispose();
  return v;
}
