// Sequence log-probabilities log π(y|x) = Σ_t log π(y_t | x, y_<t) of responses after prompts, for any causal
// language model that maps token ids [B, T] to next-token logits [B, T, V]. One batched forward; the prompt
// positions are masked out with crossEntropy's ignoreIndex, so only response tokens count.
import { crossEntropy, tensor, type Tensor, type DeviceName } from '../../index.js';

export interface CausalLM {
  forward(ids: Tensor): Tensor;
}

const IGNORE = -100;

/** [B] log-probabilities of each response given its prompt; all prompts share one length, all responses another. */
export function sequenceLogProb(model: CausalLM, promptIds: readonly (readonly number[])[], responseIds: readonly (readonly number[])[],
  opts: { device?: DeviceName } = {}): Tensor {
  const B = promptIds.length;
  if (B === 0 || responseIds.length !== B) throw new Error(`sequenceLogProb: need as many responses as prompts (> 0), got ${B} and ${responseIds.length}`);
  const P = promptIds[0].length;
  const R = responseIds[0].length;
  if (P < 1 || R < 1) throw new Error('sequenceLogProb: prompts and responses need at least one token each');
  const tokens: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) {
    if (promptIds[b].length !== P || responseIds[b].length !== R) throw new Error('sequenceLogProb: prompts (and responses) must share one length');
    const seq = [...promptIds[b], ...responseIds[b]];
    tokens.push(...seq.slice(0, -1));
    // position t predicts token t + 1; only predictions of response tokens (t + 1 ≥ P) count
    targets.push(...seq.slice(1).map((tok, t) => (t + 1 >= P ? tok : IGNORE)));
  }
  const T = P + R - 1;
  const ids = tensor(tokens, { shape: [B, T], dtype: 'i32', device: opts.device });
  const target = tensor(targets, { shape: [B * T], dtype: 'i32', device: opts.device });
  const logits = model.forward(ids);
  const nll = crossEntropy(logits.reshape([B * T, logits.shape[2]]), target, { reduction: 'none', ignoreIndex: IGNORE });
  return nll.reshape([B, T]).sum(1).neg();
}
