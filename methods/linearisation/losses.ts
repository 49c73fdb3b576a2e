// Stage-1 attention-transfer objectives.
//   LoLCATs (spec §3): 1000 × MSE between the converted layer's per-head outputs (before o_proj) and softmax's.
//   Hedgehog (Zhang et al. 2024, eq. 4): L_i = −Σ_j A^soft_ij log A^lin_ij with
//   A^lin_ij = φ(q_i)·φ(k_j) / Σ_{j′≤i} φ(q_i)·φ(k_{j′}), averaged over queries.
import { nn, type Tensor } from '../../index.js';

export const OUTPUT_MSE_SCALE = 1000;

export function attentionOutputMse(student: Tensor, teacher: Tensor): Tensor {
  return student.sub(teacher).square().mean().mul(OUTPUT_MSE_SCALE);
}

/** A^lin, the causally normalised linear-attention weights [B, H, T, T]. */
export function linearAttentionWeights(phiQ: Tensor, phiK: Tensor): Tensor {
  const T = phiQ.shape[2];
  const causal = nn.visibilityMask(T, T, { causal: true, window: 0, qOffset: 0 }, phiQ.device).cast(phiQ.dtype);
  const raw = phiQ.matmul(phiK.transpose(-1, -2)).mul(causal);
  return raw.div(raw.sum(-1, true));
}

/** Mean over queries of −Σ_j A^soft_ij log A^lin_ij (A^soft is 0 outside the causal set). */
export function attentionWeightXent(softWeights: Tensor, linWeights: Tensor): Tensor {
  return softWeights.mul(linWeights.clamp(1e-30).log()).sum(-1).mean().neg();
}
