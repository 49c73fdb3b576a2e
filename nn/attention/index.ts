// Attention: the fused softmax and linear attention ops, RoPE, feature maps, the hybrid form and the module.
export { scaledDotProductAttention, attentionUnfused, attentionWeights, type AttentionOptions } from './softmax-attention.js';
export { rope, positionsFrom } from './rope.js';
export { visibilityBias, visibilityMask, type Visibility } from './bias.js';
export { linearAttention, linearAttentionParallel, LinearAttentionState, LINEAR_EPS } from './linear-attention.js';
export { hybridAttention, HybridState, type HybridOptions } from './hybrid.js';
export {
  eluPlusOne, reluFeatures, softmaxFeatures, applyFeatureMap, LearnableFeatureMap,
  type FeatureMap, type LearnableActivation, type LearnableFeatureMapOptions,
} from './feature-maps.js';
export {
  MultiHeadAttention, type MultiHeadAttentionOptions, type AttentionKind, type AttentionCall, type AttentionOutput,
} from './multi-head.js';
