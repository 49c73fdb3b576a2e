// Training rollouts (spec §3): B episodes in lockstep, one batched forward per step; each action is drawn among
// the top-k unqueried candidates, its allowed set and log-probability stored for PPO, the reward is
// −log10(regret), and GAE(γ, λ) turns each episode's rewards and values into advantages and return targets.
import { noGrad, tidy } from '../../index.js';
import { gae, type Rng } from '../shared/rl/index.js';
import type { NapModel } from './model.js';
import { regretCurve, regretReward } from './regret.js';
import { entropyOf, maskedProbabilities, sampleAllowed, topKAllowed } from './sampling.js';
import { napInputs, queriedMask, type Horizon, type SearchState } from './state.js';
import type { Task } from './tasks.js';

export interface Transition {
  /** the state before the action (its history is a snapshot) */
  state: SearchState;
  action: number;
  /** candidates the action was drawn among (1 = allowed) */
  allowed: Uint8Array;
  oldLogProb: number;
  value: number;
  reward: number;
  advantage: number;
  /** the λ-return target of the value head */
  returnTarget: number;
}

/** n_init distinct random indices of a pool. */
export function initialQueries(n: number, nInit: number, rng: Rng): number[] {
  const out: number[] = [];
  while (out.length < nInit) {
    const i = rng.int(n);
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

export interface RolloutStats {
  /** mean final regret of the sampled episodes */
  finalRegret: number;
  /** mean entropy of the masked sampling distribution */
  entropy: number;
}

export async function rollout(
  model: NapModel,
  tasks: readonly Task[],
  h: Horizon,
  cfg: { topK: number; gamma: number; lambda: number },
  rng: Rng,
): Promise<{ transitions: Transition[]; stats: RolloutStats }> {
  const states: SearchState[] = tasks.map((task) => ({ task, history: initialQueries(task.y.length, h.nInit, rng) }));
  const episodes: Transition[][] = tasks.map(() => []);
  let entropySum = 0;
  for (let step = 0; step < h.steps; step++) {
    const out = tidy(() =>
      noGrad(() => {
        const o = model.forward(napInputs(states, h));
        return [o.acqLogits, o.value];
      }),
    );
    const [logits, values] = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
    for (const t of out) t.dispose();
    const N = tasks[0].y.length;
    states.forEach((s, b) => {
      const row = logits.subarray(b * N, (b + 1) * N);
      const allowed = topKAllowed(row, queriedMask(s), cfg.topK);
      const { action, logProb } = sampleAllowed(row, allowed, rng);
      entropySum += entropyOf(maskedProbabilities(row, allowed));
      const snapshot = { task: s.task, history: s.history.slice() };
      s.history.push(action);
      const regret = regretCurve(s.task.y, s.history);
      episodes[b].push({
        state: snapshot,
        action,
        allowed,
        oldLogProb: logProb,
        value: values[b],
        reward: regretReward(regret[regret.length - 1]),
        advantage: 0,
        returnTarget: 0,
      });
    });
  }
  for (const ep of episodes) {
    const T = ep.length;
    const { advantages, returns } = gae(
      {
        rewards: ep.map((tr) => tr.reward),
        values: ep.map((tr) => tr.value),
        nextValues: ep.map((_, t) => (t + 1 < T ? ep[t + 1].value : 0)),
        terminal: ep.map((_, t) => t === T - 1),
        done: ep.map((_, t) => t === T - 1),
      },
      cfg.gamma,
      cfg.lambda,
    );
    ep.forEach((tr, t) => ([tr.advantage, tr.returnTarget] = [advantages[t], returns[t]]));
  }
  const finalRegret =
    states.reduce((acc, s) => acc + regretCurve(s.task.y, s.history)[s.history.length - 1], 0) / states.length;
  return { transitions: episodes.flat(), stats: { finalRegret, entropy: entropySum / (tasks.length * h.steps) } };
}
