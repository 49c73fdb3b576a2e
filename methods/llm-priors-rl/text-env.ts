// The text-environment interface (spec §4): an observation string, the list of admissible action strings, and a
// scripted expert that knows the task's hidden state. `step(i)` takes the index of an admissible action.
import type { Rng } from '../shared/rl/index.js';

export interface TextObs {
  obs: string;
  admissible: string[];
}

export interface TextStep extends TextObs {
  reward: number;
  /** the episode is over (success, failure or the horizon) */
  done: boolean;
  /** a true terminal (success or failure): no bootstrap; a horizon cut is done but not terminal */
  terminal: boolean;
  success: boolean;
}

export interface TextEnv {
  readonly name: string;
  readonly horizon: number;
  /** task ids for training and for the held-out evaluation */
  readonly trainTasks: number[];
  readonly heldOutTasks: number[];
  /** every word the environment can print (the prior's vocabulary) */
  readonly words: string[];
  reset(taskId: number): TextObs;
  step(i: number): TextStep;
  /** index into the current admissible list of the scripted expert's action */
  expertAction(): number;
}

/** The expert, but a uniformly random admissible action with probability `noise` (the demonstrator of §5). */
export function noisyExpert(env: TextEnv, admissible: string[], noise: number, rng: Rng): number {
  return rng.uniform() < noise ? rng.int(admissible.length) : env.expertAction();
}

export function checkAction(env: TextEnv, i: number, admissible: string[]): void {
  if (!Number.isInteger(i) || i < 0 || i >= admissible.length) {
    throw new Error(`${env.name}.step: action index ${i} outside the ${admissible.length} admissible actions`);
  }
}
