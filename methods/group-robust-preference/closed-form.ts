// Closed-form IPO for a log-linear policy πθ(a|x) ∝ exp(θᵀφ(x, a)) with a uniform reference (GRPO paper, §4.2).
// Then h_i = θᵀY_i with Y_i = φ(x, y_w) − φ(x, y_l), and the weighted ridge objective
//   Σ_i w_i (θᵀY_i − 1/(2β))² + λ‖θ‖²
// has the normal equations (YᵀWY + λI)θ = (1/(2β))·YᵀW1, so θ = (1/(2β))·(YᵀWY + λI)⁻¹YᵀW1.
// Everything is batched over a leading dim S (one problem per seed).
import { cat, eye, type Tensor } from '../../index.js';
import type { BanditBatch } from './bandit-trainer.js';
import type { Convention } from './group-weights.js';

/**
 * Solves A x = b for a batch of small symmetric positive definite A [S, d, d], b [S, d, 1] by Gauss-Jordan
 * elimination. Without pivoting, which is stable for positive definite matrices (the Gram matrices here, full
 * rank Y or λ > 0). Column k: divide pivot row k by its pivot, then subtract A[i, k]·(that row) from every other
 * row i; the row update M − (M[:, k] − e_k)·row_k does both at once.
 */
export function solvePositiveDefinite(a: Tensor, b: Tensor): Tensor {
  const d = a.shape[1];
  let m = cat([a, b], -1); // [S, d, d + 1]
  const basis = eye(d, d, { dtype: a.dtype, device: a.device });
  for (let k = 0; k < d; k++) {
    const row = m.narrow(1, k, 1).div(m.narrow(1, k, 1).narrow(2, k, 1)); // [S, 1, d + 1]
    m = m.sub(m.narrow(2, k, 1).sub(basis.narrow(1, k, 1)).mul(row));
  }
  return m.narrow(2, d, 1);
}

/** The weighted IPO minimiser θ [S, d, 1] for rows Y [S, N, d] and per-sample weights w [S, N]. */
export function weightedIpoClosedForm(Y: Tensor, w: Tensor, beta: number, lambda: number): Tensor {
  const ytw = Y.transpose(1, 2).mul(w.unsqueeze(1)); // YᵀW, [S, d, N]
  const gram = ytw.matmul(Y).add(eye(Y.shape[2], Y.shape[2], { dtype: Y.dtype, device: Y.device }).mul(lambda));
  return solvePositiveDefinite(gram, ytw.sum(-1, true).div(2 * beta));
}

/**
 * θ(α) [S, d, 1] for GR-IPO from each group's coefficient c [S, K] (α_g, or (1−χ)/K + χ·α_g). 'official' (the
 * paper's formula and the authors' WeightedRegression): W = diag(c_g(i)), so each pair counts c_g and a large group
 * weighs N_g times more; 'normalised': W = diag(c_g(i)/N_g(i)), the exact minimiser of Σ_g c_g·L_g + λ‖θ‖² with L_g
 * group g's mean IPO loss.
 */
export function grIpoClosedForm(data: BanditBatch, coef: Tensor, beta: number, lambda: number, convention: Convention = 'official'): Tensor {
  const perPair = coef.unsqueeze(1).matmul(convention === 'official' ? data.membership : data.groupMean).squeeze(1);
  return weightedIpoClosedForm(data.Y, perPair, beta, lambda);
}
