// Recurrent decoding of the hybrid attention (spec §3 "Decoding"), one token at a time per head:
//   a ring buffer holds the last W (k, v); the key evicted when token t arrives is k_{t−W}, which leaves the window
//   and joins the linear state: S += φ(k) vᵀ, z += φ(k). Then
//   y = (Σ_win γ e^{s−m} v + λ φ(q)ᵀ S) / (Σ_win γ e^{s−m} + λ φ(q)ᵀ z),  m = max of the window scores.
// This equals the quadratic form of hybridAttention at every step.
import { keep, maximum, tidy, zeros, type Tensor } from '../../index.js';
import { DENOMINATOR_EPS } from './hybridAttention.js';

/** A feature map applied to [B, H, T, d] tensors (FeatureMap.forward). */
export type FeatureFn = (x: Tensor) => Tensor;

export interface HybridCache {
  readonly window: number;
  readonly lambda: number;
  readonly phiQ: FeatureFn;
  readonly phiK: FeatureFn;
  /** γ per head as [H, 1], or null for γ = 1 */
  readonly gamma: Tensor | null;
  /** ring buffers of the last W keys and values, each [B, H, d] */
  readonly keys: (Tensor | null)[];
  readonly values: (Tensor | null)[];
  /** tokens seen so far; the next token goes to slot `seen % W` */
  seen: number;
  /** linear state S = Σ φ(k) vᵀ [B, H, F, d] and normaliser z = Σ φ(k) [B, H, F] over evicted keys */
  S: Tensor | null;
  z: Tensor | null;
}

export function createHybridCache(opts: { window: number; phiQ: FeatureFn; phiK: FeatureFn; gateLogit?: Tensor | null; lambda?: number }): HybridCache {
  const gamma = opts.gateLogit ? keep(tidy(() => opts.gateLogit!.sigmoid().unsqueeze(-1))) : null;
  return {
    window: opts.window, lambda: opts.lambda ?? 1, phiQ: opts.phiQ, phiK: opts.phiK, gamma,
    keys: new Array(opts.window).fill(null), values: new Array(opts.window).fill(null), seen: 0, S: null, z: null,
  };
}

/** φ of one token: [B, H, d] → [B, H, F]. */
const featuresOf = (phi: FeatureFn, x: Tensor) => phi(x.unsqueeze(2)).squeeze(2);

function evictIntoState(cache: HybridCache, slot: number): void {
  const k = cache.keys[slot]!;
  const v = cache.values[slot]!;
  const [S, z] = tidy(() => {
    const fk = featuresOf(cache.phiK, k);
    const S0 = cache.S ?? zeros([...fk.shape, v.shape[2]], { device: v.device, dtype: v.dtype });
    const z0 = cache.z ?? zeros(fk.shape, { device: v.device, dtype: v.dtype });
    return [S0.add(fk.unsqueeze(-1).mul(v.unsqueeze(-2))), z0.add(fk)];
  });
  cache.S?.dispose();
  cache.z?.dispose();
  cache.S = keep(S);
  cache.z = keep(z);
  k.dispose();
  v.dispose();
}

/** Feeds token t's q, k, v (each [B, H, d]) and returns its output y_t [B, H, d]. */
export function hybridDecodeStep(cache: HybridCache, q: Tensor, k: Tensor, v: Tensor): Tensor {
  const slot = cache.seen % cache.window;
  if (cache.keys[slot]) evictIntoState(cache, slot);
  cache.keys[slot] = keep(tidy(() => k.clone()));
  cache.values[slot] = keep(tidy(() => v.clone()));
  cache.seen++;
  return tidy(() => {
    const d = q.shape[2];
    const filled = cache.keys.flatMap((kj, j) => (kj ? [{ k: kj, v: cache.values[j]! }] : []));
    const scores = filled.map((e) => q.mul(e.k).sum(-1, true).mul(1 / Math.sqrt(d)));
    const m = scores.reduce((a, b) => maximum(a, b));
    let num: Tensor = zeros(q.shape, { device: q.device, dtype: q.dtype });
    let den: Tensor = zeros([...q.shape.slice(0, 2), 1], { device: q.device, dtype: q.dtype });
    for (const [j, e] of filled.entries()) {
      const w = cache.gamma ? scores[j].sub(m).exp().mul(cache.gamma) : scores[j].sub(m).exp();
      num = num.add(w.mul(e.v));
      den = den.add(w);
    }
    if (cache.S && cache.z) {
      const fq = featuresOf(cache.phiQ, q);
      num = num.add(fq.unsqueeze(-2).matmul(cache.S).squeeze(-2).mul(cache.lambda));
      den = den.add(fq.mul(cache.z).sum(-1, true).mul(cache.lambda));
    }
    return num.div(den.add(DENOMINATOR_EPS));
  });
}

export function disposeHybridCache(cache: HybridCache): void {
  for (const t of [...cache.keys, ...cache.values, cache.S, cache.z, cache.gamma]) t?.dispose();
}
