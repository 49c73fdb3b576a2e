// Re-scoring sampled responses with the tape on: one forward of a causal LM over prompt + response gives the
// logits that predicted each response token ([B, R, V]), and from them the per-token log-probabilities.
import { tensor, gather, type Tensor, type nn } from '../../../index.js';

/**
 * Logits [B, R, V] at the positions that predicted response tokens 0..R-1 (position P - 1 + t predicts token t).
 * Every prompt has length P and every response length R (pad after EOS and mask later).
 */
export function responseLogits(
  model: nn.GPT,
  prompts: readonly (readonly number[])[],
  responses: readonly (readonly number[])[],
): Tensor {
  const B = prompts.length;
  if (B === 0 || responses.length !== B)
    throw new Error(`responseLogits: need as many responses as prompts (> 0), got ${B} and ${responses.length}`);
  const P = prompts[0].length;
  const R = responses[0].length;
  if (P < 1 || R < 1 || prompts.some((p) => p.length !== P) || responses.some((r) => r.length !== R)) {
    throw new Error('responseLogits: prompts must share one length >= 1 and responses one length >= 1');
  }
  // the last response token predicts nothing we score, so the input stops one short
  const ids = prompts.flatMap((p, b) => [...p, ...responses[b].slice(0, R - 1)]);
  const idx = tensor(Int32Array.from(ids), { shape: [B, P + R - 1], dtype: 'i32', device: model.wte.weight.device });
  return model.forward(idx).logits.slice(1, P - 1, P + R - 1);
}

/** log π(y_t | ·) [B, R] of the tokens [B][R] under logits [B, R, V] (full-vocabulary log-softmax, then a gather). */
export function tokenLogProbs(logits: Tensor, tokens: readonly (readonly number[])[]): Tensor {
  const [B, R] = logits.shape;
  if (logits.ndim !== 3 || tokens.length !== B || tokens.some((r) => r.length !== R)) {
    throw new Error(
      `tokenLogProbs: logits must be [B, R, V] and tokens [B][R]; got logits [${logits.shape}] and ${tokens.length} rows of tokens`,
    );
  }
  const index = tensor(Int32Array.from(tokens.flat()), { shape: [B, R, 1], dtype: 'i32', device: logits.device });
  return gather(logits.logSoftmax(-1), 2, index).squeeze(2);
}
