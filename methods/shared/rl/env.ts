// The episodic environment interface the kit's rollout and evaluation helpers drive. An environment may return
// more than this (LBAC's adds its cost and the raw state); `event` names how a step ended ('goal', 'unsafe',
// 'timeout', ...) or is 'running'.
import type { Rng } from './random.js';

export interface StepResult {
  obs: Float64Array;
  reward: number;
  /** the episode is over (terminal or time limit) */
  done: boolean;
  /** a true terminal: no bootstrap from the next state (a time-limit cut is done but not terminal) */
  terminal: boolean;
  event: string;
}

export interface Env<R extends StepResult = StepResult> {
  readonly obsDim: number;
  readonly actDim: number;
  /** starts a new episode and returns its first observation */
  reset(rng: Rng): Float64Array;
  step(action: ArrayLike<number>): R;
}
