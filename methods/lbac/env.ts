// The episodic Quad2D obstacle task (spec §3, "Quad2D obstacle (Dawson-style)"): start distributions, the cost
// signal shared by every arm, and the episode rules (goal and unsafe are terminal, the horizon is a time limit).
//   cost   c(s) = (1 − γ)·min(‖p − p_goal‖/D, 1), D = 2   (keeps safe discounted costs below the level c = 1)
//   reward r(s) = −min(‖p − p_goal‖/D, 1), and −10 on entering the unsafe set (the SAC arms' signal)
import type { Env, Rng, StepResult } from '../shared/rl/index.js';
import {
  ACT_DIM,
  OBS_DIM,
  isGoal,
  isSafe,
  isUnsafe,
  observe,
  quad2dStep,
  QUAD_PARAMS,
  type QuadParams,
} from './quad2d.js';

export type QuadEvent = 'running' | 'goal' | 'unsafe' | 'timeout';

export interface QuadStep extends StepResult {
  event: QuadEvent;
  /** c(s) of the state the step left */
  cost: number;
  /** the state the step reached, and its set memberships */
  state: Float64Array;
  nextSafe: boolean;
  nextUnsafe: boolean;
  nextGoal: boolean;
}

export interface QuadEnvConfig {
  horizon: number;
  gamma: number;
  /** distance scale D of the cost */
  distanceScale: number;
  /** SAC's reward on entering the unsafe set */
  crashReward: number;
  params: QuadParams;
  /** draws a start state */
  start: (rng: Rng) => Float64Array;
}

/** normalised distance to the goal position, min(‖p‖/D, 1) */
export const goalDistance = (s: ArrayLike<number>, D: number) => Math.min(Math.hypot(s[0], s[1]) / D, 1);

/** c(s) = (1 − γ)·min(‖p‖/D, 1) */
export const stageCost = (s: ArrayLike<number>, gamma: number, D: number) => (1 - gamma) * goalDistance(s, D);

function rejectUntil(draw: () => Float64Array, ok: (s: Float64Array) => boolean): Float64Array {
  for (let i = 0; i < 10_000; i++) {
    const s = draw();
    if (ok(s)) return s;
  }
  throw new Error('start distribution: no acceptable state in 10000 draws');
}

/** Training starts: px ∈ [−0.9, −0.6], pz ∈ [0.6, 1.0], θ and velocities within ±0.2, unsafe draws rejected. */
export const trainingStart = (rng: Rng): Float64Array =>
  rejectUntil(
    () =>
      Float64Array.of(
        rng.range(-0.9, -0.6),
        rng.range(0.6, 1.0),
        rng.range(-0.2, 0.2),
        rng.range(-0.2, 0.2),
        rng.range(-0.2, 0.2),
        rng.range(-0.2, 0.2),
      ),
    (s) => !isUnsafe(s),
  );

/** Wide evaluation starts: safe (and not already goal) states at rest with px ∈ [−1.5, 1.5], pz ∈ [0, 1.5]. */
export const wideStart = (rng: Rng): Float64Array =>
  rejectUntil(
    () => Float64Array.of(rng.range(-1.5, 1.5), rng.range(0, 1.5), 0, 0, 0, 0),
    (s) => isSafe(s) && !isGoal(s),
  );

export const QUAD_ENV_DEFAULTS: Omit<QuadEnvConfig, 'start'> = {
  horizon: 200,
  gamma: 0.99,
  distanceScale: 2,
  crashReward: -10,
  params: QUAD_PARAMS,
};

export interface QuadEnv extends Env<QuadStep> {
  /** starts an episode from a given state instead of a draw */
  resetTo(state: ArrayLike<number>): Float64Array;
  readonly state: Float64Array;
}

export function makeQuadEnv(cfg: Partial<QuadEnvConfig> & Pick<QuadEnvConfig, 'start'>): QuadEnv {
  const c: QuadEnvConfig = { ...QUAD_ENV_DEFAULTS, ...cfg };
  let state: Float64Array = new Float64Array(6);
  let t = 0;
  const resetTo = (s: ArrayLike<number>) => {
    state = Float64Array.from(s);
    t = 0;
    return observe(state);
  };
  return {
    obsDim: OBS_DIM,
    actDim: ACT_DIM,
    get state() {
      return state;
    },
    reset: (rng) => resetTo(c.start(rng)),
    resetTo,
    step(action) {
      const cost = stageCost(state, c.gamma, c.distanceScale);
      let reward = -goalDistance(state, c.distanceScale);
      const next = quad2dStep(state, action, c.params);
      t++;
      const nextUnsafe = isUnsafe(next);
      const nextGoal = !nextUnsafe && isGoal(next);
      const event: QuadEvent = nextUnsafe ? 'unsafe' : nextGoal ? 'goal' : t >= c.horizon ? 'timeout' : 'running';
      if (nextUnsafe) reward = c.crashReward;
      state = next;
      return {
        obs: observe(next),
        reward,
        cost,
        event,
        state: next,
        done: event !== 'running',
        terminal: nextUnsafe || nextGoal,
        nextSafe: isSafe(next),
        nextUnsafe,
        nextGoal,
      };
    },
  };
}
