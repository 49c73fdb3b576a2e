// Teacher forcing for stage 1: run the softmax teacher once and, for every layer, keep the inputs its attention
// saw (projected to q, k, v heads) and what its softmax attention produced (per-head outputs before o_proj, and
// the causal softmax weights for the Hedgehog loss). Every converted layer then trains on its own layer's inputs,
// all layers in parallel, without the student's earlier layers in the loop.
import { nn, noGrad, type Tensor } from '../../index.js';
import { projectHeads, type SoftmaxAttentionLike } from './convert.js';

export interface LayerIO {
  q: Tensor;
  k: Tensor;
  v: Tensor;
  /** the teacher's causal softmax weights [B, H, T, T] */
  weights: Tensor;
  /** the teacher's per-head outputs [B, H, T, d] */
  y: Tensor;
}

export function captureLayerIO(teacher: nn.GPT, tokens: Tensor): LayerIO[] {
  return noGrad(() => {
    const { hidden } = teacher.forward(tokens, { hidden: true });
    return Array.from({ length: teacher.blocks.length }, (_, l) => {
      const block = teacher.blocks.at(l);
      const { q, k, v } = projectHeads(block.attn as unknown as SoftmaxAttentionLike, block.norm1.forward(hidden![l]));
      const weights = nn.attentionWeights(q, k, { causal: true });
      return { q, k, v, weights, y: weights.matmul(v) };
    });
  });
}
