// Evaluation helpers: roll several environments in lockstep with one batched policy call per step, then count
// how episodes ended. The policy maps an [n, obsDim] observation tensor to [n, actDim] actions (for SAC-style
// actors: `(o) => actor.meanAction(o)`, the deterministic mean action).
import { noGrad, tensor, tidy, type Tensor } from '../../../index.js';
import type { Env, StepResult } from './env.js';

export interface Episode<R extends StepResult = StepResult> {
  /** how it ended: the last step's event */
  event: string;
  /** steps taken */
  length: number;
  /** sum of rewards */
  return: number;
  /** every step's result, in order (for trajectories and per-method metrics) */
  steps: R[];
}

/**
 * Runs one episode in each env (already reset, first observations given) until each is done or maxSteps pass.
 * `policy` sees only the still-running envs' observations.
 */
export async function rolloutLockstep<R extends StepResult>(
  envs: readonly Env<R>[],
  firstObs: readonly Float64Array[],
  policy: (obs: Tensor) => Tensor,
  maxSteps: number,
): Promise<Episode<R>[]> {
  if (envs.length !== firstObs.length)
    throw new Error(`rolloutLockstep: ${envs.length} envs but ${firstObs.length} first observations`);
  const episodes: Episode<R>[] = envs.map(() => ({ event: 'running', length: 0, return: 0, steps: [] }));
  const obs = [...firstObs];
  let live = envs.map((_, i) => i);
  for (let t = 0; t < maxSteps && live.length > 0; t++) {
    const d = envs[0].obsDim;
    const flat = new Float64Array(live.length * d);
    live.forEach((i, r) => flat.set(obs[i], r * d));
    const act = noGrad(() =>
      tidy(() => policy(tensor(flat, { shape: [live.length, d], dtype: 'f64', device: 'cpu' }))),
    );
    const a = await act.data();
    act.dispose();
    const k = envs[0].actDim;
    for (const [r, i] of live.entries()) {
      const res = envs[i].step(Array.from(a.slice(r * k, (r + 1) * k) as ArrayLike<number>));
      const ep = episodes[i];
      ep.steps.push(res);
      ep.length++;
      ep.return += res.reward;
      ep.event = res.event;
      obs[i] = res.obs;
    }
    live = live.filter((i) => !episodes[i].steps[episodes[i].steps.length - 1].done);
  }
  return episodes;
}

/** Percentage of episodes that ended with each of `events`. */
export function eventRates(episodes: readonly Episode[], events: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events)
    out[e] = episodes.length ? (100 * episodes.filter((ep) => ep.event === e).length) / episodes.length : NaN;
  return out;
}
