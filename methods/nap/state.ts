// A BO state s_t = {H_t, t, T} (spec §3): the task, the indices queried so far (the n_init random points first),
// and the horizon. napInputs packs a batch of states into the model's padded host arrays.
import type { NapInputs } from './model.js';
import type { Task } from './tasks.js';

export interface SearchState {
  task: Task;
  /** candidate indices queried so far, in order (the first nInit were drawn at random) */
  history: number[];
}

export interface Horizon {
  /** policy steps per episode T */
  steps: number;
  /** random initial queries before the first policy step */
  nInit: number;
}

/** History slots S the model needs for a horizon: the longest history at a decision is nInit + T − 1. */
export const slotsFor = (h: Horizon): number => h.nInit + h.steps - 1;

/** (y*, t/T): the incumbent and the fraction of the budget spent (the value head's and acquisition head's state). */
export function stateFeatures(s: SearchState, h: Horizon): [number, number] {
  let best = -Infinity;
  for (const i of s.history) best = Math.max(best, s.task.y[i]);
  return [best, (s.history.length - h.nInit) / h.steps];
}

export function queriedMask(s: SearchState): Uint8Array {
  const q = new Uint8Array(s.task.y.length);
  for (const i of s.history) q[i] = 1;
  return q;
}

export function napInputs(states: readonly SearchState[], h: Horizon): NapInputs {
  const B = states.length;
  const S = slotsFor(h);
  const N = states[0].task.y.length;
  const d = states[0].task.x[0].length;
  const inp: NapInputs = {
    batch: B,
    slots: S,
    pool: N,
    histX: new Float32Array(B * S * d),
    histY: new Float32Array(B * S),
    filled: new Int32Array(B),
    queryX: new Float32Array(B * N * d),
    state: new Float32Array(B * 2),
  };
  states.forEach((s, b) => {
    if (s.task.y.length !== N) throw new Error(`napInputs: pools must share one size, got ${s.task.y.length} and ${N}`);
    if (s.history.length > S || s.history.length < 1)
      throw new Error(`napInputs: a state holds ${s.history.length} queries, the model has ${S} slots (need 1..${S})`);
    s.history.forEach((i, k) => {
      inp.histX.set(s.task.x[i], (b * S + k) * d);
      inp.histY[b * S + k] = s.task.y[i];
    });
    inp.filled[b] = s.history.length;
    s.task.x.forEach((p, j) => inp.queryX.set(p, (b * N + j) * d));
    inp.state.set(stateFeatures(s, h), 2 * b);
  });
  return inp;
}
