// Normalising along a dim, and the cosine similarity built on it (torch.nn.functional.normalize, cosine_similarity).
import { assertTensor, type Tensor } from '../core/tensor.js';
import { broadcastShapes } from '../core/shape.js';
import { clamp } from './functional.js';

/** x / max(||x||_p, eps) along `dim` (torch.nn.functional.normalize). */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  assertTensor(x, 'normalize');
  return x.div(clamp(x.norm(p, dim, true), eps));
}

/**
 * x1 . x2 / (max(||x1||, eps) max(||x2||, eps)) along `dim`, the operands broadcast against each other first
 * (torch.nn.functional.cosine_similarity, the formula of its documentation; each operand is divided by its clamped
 * norm before the product, as torch computes it).
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim = 1, eps = 1e-8): Tensor {
  assertTensor(x1, 'cosineSimilarity');
  assertTensor(x2, 'cosineSimilarity');
  const shape = broadcastShapes('cosineSimilarity', x1.shape, x2.shape);
  const [a, b] = [x1.expand(shape), x2.expand(shape)];
  return normalize(a, 2, dim, eps)
    .mul(normalize(b, 2, dim, eps))
    .sum(dim);
}
