// Stage-1 attention-transfer objectives.
//   LoLCATs (spec §3): 1000 × MSE between the converted layer's per-head outputs (before o_proj) and softmax's.
//   Hedgehog (Zhang et al. 2024, eq. 4): L_i = −Σ_j A^soft_ij log A^lin_ij with
//   A^lin_ij = φ(q_i)·φ(k_j) / Σ_{j′≤i} φ(q_i)·φ(k_{j′}), averaged over queries.
import { where, type Tensor } from '../../index.js';
import { causalMask } from './masks.js';

export const OUTPUT_MSE_SCALE = 1000;

export function attentionOutputMse(student: Tensor, teacher: Tensor): Tensor {
  return student.sub(teacher).square().mean().mul(OUTPUT_MSE_SCALE);
}

/** The causal softmax weights of the teacher, [B, H, T, T]. */
export function softmaxAttentionWeights(q: Tensor, k: Tensor): Tensor {
  const s = q.matmul(k.transpose(-1, -2)).mul(1 / Math.sqrt(q.shape[q.ndim - 1]));
  return where(causalMask(q.shape[2], q.device), s, -Infinity).softmax(-1);
}

/** A^lin, the causally normalised linear-attention weights, [B, H, T, T]. */
export function linearAttentionWeights(phiQ: Tensor, phiK: Tensor): Tensor {
  const raw = where(causalMask(phiQ.shape[2], phiQ.device), phiQ.matmul(phiK.transpose(-1, -2)), 0);
  return raw.div(raw.sum(-1, true));
}

/** Mean over queries of −Σ_j A^soft_ij log A^lin_ij (entries outside the causal set are 0 in A^soft). */
export function attentionWeightXent(softWeights: Tensor, linWeights: Tensor): Tensor {
  return softWeights.mul(linWeights.clamp(1e-30).log()).sum(-1).mean().neg();
}
