// tessera.nn: modules, layers, initialisers, LoRA, checkpoints (as bytes) and the training helper.
// `import { nn } from 'tessera'`; the optimisers are the separate `optim` namespace.
export { Module } from './module.js';
export { Parameter } from './parameter.js';
export * as init from './init.js';
export type { LayerOptions } from './layers/factory.js';
export { Linear } from './layers/linear.js';
export { Embedding } from './layers/embedding.js';
export { LayerNorm, RMSNorm, type NormOptions } from './layers/normalization.js';
export { Dropout, dropout } from './layers/dropout.js';
export { Conv1d, Conv2d, type ConvOptions } from './layers/conv.js';
export {
  MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d,
  type MaxPoolOptions, type AvgPoolLayerOptions, type PoolResult,
} from './layers/pool.js';
export { BatchNorm1d, BatchNorm2d, GroupNorm, type BatchNormOptions } from './layers/batch-norm.js';
export { Upsample } from './layers/upsample.js';
export { Flatten } from './layers/flatten.js';
export {
  Identity, ReLU, GELU, SiLU, Tanh, Sigmoid, LeakyReLU, ELU, Softplus, LogSigmoid, Hardtanh, ReLU6, Mish, SELU, CELU,
  Hardswish, Hardsigmoid, Softmin, GLU,
} from './layers/activation.js';
export { MLP, type MLPOptions } from './layers/mlp.js';
export { Sequential, ModuleList, ModuleDict } from './layers/containers.js';
export { LoRALinear, applyLoRA, mergeLoRA, unmergeLoRA, countParameters, type LoRAOptions } from './lora.js';
export * as safetensors from './safetensors.js';
export { GPT, Block, type GPTConfig, type GPTForwardOptions, type GPTOutput, type GenerateOptions } from './gpt.js';
export { KVCache, type KVCacheOptions } from './kv-cache.js';
export { sampleToken, argmax, type SamplingOptions } from './sampling.js';
export * from './attention/index.js';
export * as text from './text/index.js';
export * as data from './data/index.js';
export * as gp from './gp/index.js';
export { train, type TrainOptions, type TrainResult } from './train.js';
export { ProgressBar, formatProgress, formatDuration, type ProgressStream } from './progress.js';
export { linePlot, niceTicks, type Series, type PlotOptions } from './plot.js';
