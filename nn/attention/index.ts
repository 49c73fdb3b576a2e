// Attention: the fused softmax and linear attention ops, RoPE, feature maps, the hybrid form and the module.
// The ops themselves live in ops/ (kernels are dispatched there only); this folder holds what is built from them.
export { scaledDotProductAttention, attentionUnfused, attentionWeights, type AttentionOptions } from '../../ops/attention.js';
export { rope, positionsFrom } from '../../ops/rope.js';
export { visibilityBias, visibilityMask, type Visibility } from '../../ops/attention-bias.js';
export { linearAttention, linearAttentionParallel, LINEAR_EPS } from '../../ops/linear-attention.js';
export { LinearAttentionState } from './linear-attention-state.js';
export { hybridAttention, HybridState, type HybridOptions } from './hybrid.js';
export {
  eluPlusOne, reluFeatures, softmaxFeatures, applyFeatureMap, LearnableFeatureMap,
  type FeatureMap, type LearnableActivation, type LearnableFeatureMapOptions,
} from './feature-maps.js';
export {
  MultiHeadAttention, type MultiHeadAttentionOptions, type AttentionKind, type AttentionCall, type AttentionOutput,
} from './multi-head.js';
