// RL for language models on nn.GPT: sampling with per-token log-probs, re-scoring on the tape, masked sequence
// statistics, group-relative advantages, the policy-gradient loss and token-level KL between two models.
export { sampleResponses, logSoftmaxRow, type SampleOptions, type Rollout } from './sample.js';
export { responseLogits, tokenLogProbs } from './log-probs.js';
export { maskTensor, maskedSum, maskedMean, maskedRowSums } from './masked.js';
export { groupAdvantages } from './advantages.js';
export { pgLoss } from './pg-loss.js';
export { tokenKl, sampledLogRatio } from './kl.js';
export { sampleBlocks, type BlockSampleOptions, type Blocks } from './block-sample.js';
