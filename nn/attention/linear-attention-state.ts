// The recurrent form of causal linear attention (ops/linear-attention.ts) for decoding one token at a time.
import { keep, noGrad, tidy, type Tensor } from '../../core/index.js';
import { zeros } from '../../ops/index.js';
import { LINEAR_EPS } from '../../ops/linear-attention.js';

/**
 * The recurrent form for decoding: S = sum phi(k_j) v_j^T [B, H, F, Dv] and z = sum phi(k_j) [B, H, F, 1] over the
 * tokens seen so far. Not differentiable (decoding runs without grad); `dispose()` frees the state.
 */
export class LinearAttentionState {
  S: Tensor;
  z: Tensor;
  length = 0;

  constructor(
    B: number,
    H: number,
    F: number,
    Dv: number,
    opts: { device?: 'cpu' | 'webgpu'; dtype?: 'f32' | 'f64' } = {},
  ) {
    this.S = keep(zeros([B, H, F, Dv], opts));
    this.z = keep(zeros([B, H, F, 1], opts));
  }

  /** Folds in keys/values [B, H, n, F] / [B, H, n, Dv] (several at once, e.g. a prompt). */
  absorb(phiK: Tensor, v: Tensor): void {
    const [S, z] = tidy(() =>
      noGrad(() => [this.S.add(phiK.transpose(-1, -2).matmul(v)), this.z.add(phiK.sum(2).unsqueeze(-1))]),
    );
    this.S.dispose();
    this.z.dispose();
    this.S = keep(S);
    this.z = keep(z);
    this.length += phiK.shape[2];
  }

  /** Reads out y = phi(q) S / (phi(q) z + eps) for queries [B, H, n, F] against the current state. */
  read(phiQ: Tensor, eps = LINEAR_EPS): Tensor {
    return tidy(() => noGrad(() => phiQ.matmul(this.S).div(phiQ.matmul(this.z).add(eps))));
  }

  /** One decoding step: absorb the new key/value, then read the new query (so the token sees itself). */
  step(phiQ: Tensor, phiK: Tensor, v: Tensor, eps = LINEAR_EPS): Tensor {
    this.absorb(phiK, v);
    return this.read(phiQ, eps);
  }

  dispose(): void {
    this.S.dispose();
    this.z.dispose();
  }
}
