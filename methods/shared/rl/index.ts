// The off-policy RL kit on tessera (see README.md): buffers, the squashed-Gaussian actor, twin Q critics, Polyak
// targets, SAC with automatic entropy tuning, Lagrange multipliers, rollouts/evaluation, learning curves, and
// the on-policy pieces of PPO (GAE, clipped surrogate).
export { makeRng, type Rng } from './random.js';
export { ReplayBuffer, concatBatches, disposeBatch, type FieldSpec, type Transition, type Batch } from './replay-buffer.js';
export { CPU64, mlp, QNetwork, TwinQ } from './networks.js';
export { SquashedGaussianActor, squashedGaussianLogProb, type ActorOptions } from './actor.js';
export { polyakUpdate, hardUpdate } from './polyak.js';
export { lagrangeStep, temperatureStep } from './multipliers.js';
export {
  SAC_FIELDS, SAC_DEFAULTS, softQTarget, twinQLoss, makeSacAgent, sacUpdate,
  type SacBatch, type SacConfig, type SacAgent, type SacLosses,
} from './sac.js';
export type { Env, StepResult } from './env.js';
export { rolloutLockstep, eventRates, type Episode } from './evaluate.js';
export { meanSd, formatMeanSd } from '../stats.js';
export { LearningCurves, type CurveRow } from './curves.js';
export { gae, ppoClipLoss, type GaeInput } from './ppo.js';
export { softmax, argmax, sampleCategorical, epsilonGreedy, categoricalKl } from './discrete.js';
export { dqnTarget } from './dqn.js';
