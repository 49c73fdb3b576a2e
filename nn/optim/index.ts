// tessera.optim: optimisers with fused update kernels, gradient clipping and learning-rate schedules.
export { Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { clipGradNorm_, clipGradValue_ } from './clip.js';
export { LRScheduler, constant, linearWarmup, stepDecay, linearDecay, cosine, compose, type Schedule } from './scheduler.js';
export { ADAM, SGD_MOMENTUM, SGD_PLAIN } from './fused.js';
export { runUpdate, type UpdateSpec } from '../../ops/fused-update.js';
