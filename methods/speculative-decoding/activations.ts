// Target activations for drafter training, computed on the fly per batch (no grad): logits, the final normed state
// h(i) and every layer's post-RoPE K/V rows — the same rows the KV cache holds at inference (spec §8 "LSA").
import { nn, cat, noGrad, tensor, type Tensor } from '../../index.js';

export interface TargetActivations {
  /** [B, T, V] */
  logits: Tensor;
  /** [B, T, d] */
  final: Tensor;
  /** [B·T, L, 2·nKv·dHead] */
  layerRows: Tensor;
}

export function targetActivations(target: nn.GPT, tokens: Tensor): TargetActivations {
  return noGrad(() => {
    const [B, T] = tokens.shape;
    const out = target.forward(tokens, { kv: true });
    // per layer [B, Hkv, T, dh] -> [B·T, 1, Hkv·dh]
    const rows = (t: Tensor) => t.permute([0, 2, 1, 3]).reshape([B * T, 1, -1]);
    const layerRows = cat(
      out.kv!.map(({ k, v }) => cat([rows(k), rows(v)], 2)),
      1,
    );
    return { logits: out.logits, final: out.final, layerRows };
  });
}

/** Response weights [B, T]: 1 at positions i ≥ promptLen − 1 (h(i) predicts a response token), 0 before. */
export function responseWeights(B: number, T: number, promptLen: number, device: Tensor['device']): Tensor {
  const w = new Float32Array(B * T);
  for (let b = 0; b < B; b++) for (let i = promptLen - 1; i < T; i++) w[b * T + i] = 1;
  return tensor(w, { shape: [B, T], device });
}
