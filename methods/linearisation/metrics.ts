// From task batches to tensors, the next-token loss, and the two accuracies of the spec (§5):
// local_acc over noise-free predictable fillers at positions ≥ W, recall_acc over recalled values (chance 1/16).
import { crossEntropy, tensor, type Tensor, type DeviceName } from '../../index.js';
import type { Batch } from './task.js';

/** tokens [N, T] as i32 */
export function tokenTensor(batch: Batch, device: DeviceName): Tensor {
  return tensor(batch.tokens, { dtype: 'i32', device });
}

/** Mean cross-entropy of predicting token t+1 at every position t < T − 1. logits: [N, T, V]. */
export function nextTokenLoss(logits: Tensor, tokens: Tensor): Tensor {
  const [N, T, V] = logits.shape;
  const predictions = logits.slice(1, 0, T - 1).reshape([N * (T - 1), V]);
  return crossEntropy(predictions, tokens.slice(1, 1).reshape([N * (T - 1)]));
}

export interface Accuracy {
  local: number;
  recall: number;
}

/** Counts of correct argmax predictions on the local and recall positions. */
export async function countCorrect(logits: Tensor, batch: Batch): Promise<{ local: [number, number]; recall: [number, number] }> {
  const predicted = await logits.argmax(-1).data();
  const T = batch.tokens[0].length;
  const local: [number, number] = [0, 0];
  const recall: [number, number] = [0, 0];
  for (const [n, seq] of batch.tokens.entries()) {
    for (let t = 0; t + 1 < T; t++) {
      const hit = predicted[n * T + t] === seq[t + 1] ? 1 : 0;
      if (batch.local[n][t]) { local[0] += hit; local[1]++; }
      if (batch.recall[n][t]) { recall[0] += hit; recall[1]++; }
    }
  }
  return { local, recall };
}
