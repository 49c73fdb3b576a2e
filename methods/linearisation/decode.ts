// Recurrent decoding of the converted hybrid attention (spec §3 "Decoding"), over nn.HybridState: a ring buffer of
// the last W (k, v); the key evicted when token t arrives (k_{t−W}) joins the linear state S += φ(k)vᵀ, z += φ(k);
//   y = (Σ_win γ e^{s−m} v + λ φ(q)ᵀ S) / (Σ_win γ e^{s−m} + λ φ(q)ᵀ z),  m = the max of the window scores.
// It equals the quadratic form of hybridAttention at every step (tested).
import { nn, keep, tidy, type Tensor } from '../../index.js';

export interface HybridCache {
  state: nn.HybridState;
  featureMapQ: nn.LearnableFeatureMap;
  featureMapK: nn.LearnableFeatureMap;
  /** γ per head [H], or 1 (the inference-time hybrid) */
  gamma: Tensor | number;
  lambda: number;
}

export function createHybridCache(opts: {
  batch: number; heads: number; headDim: number; window: number;
  featureMapQ: nn.LearnableFeatureMap; featureMapK: nn.LearnableFeatureMap; gateLogit?: Tensor | null; lambda?: number;
}): HybridCache {
  const device = opts.featureMapQ.weight.device;
  const state = new nn.HybridState({ B: opts.batch, H: opts.heads, d: opts.headDim, F: opts.featureMapK.outDim, Dv: opts.headDim },
    { window: opts.window, device });
  const gamma = opts.gateLogit ? keep(tidy(() => opts.gateLogit!.sigmoid())) : 1;
  return { state, featureMapQ: opts.featureMapQ, featureMapK: opts.featureMapK, gamma, lambda: opts.lambda ?? 1 };
}

/** Feeds one token's q, k, v (each [B, H, 1, d]) and returns its output [B, H, 1, d]. */
export function hybridDecodeStep(cache: HybridCache, q: Tensor, k: Tensor, v: Tensor): Tensor {
  return tidy(() => cache.state.step(q, k, v, cache.featureMapQ.forward(q), cache.featureMapK.forward(k),
    { gate: cache.gamma, lambda: cache.lambda }));
}

export function disposeHybridCache(cache: HybridCache): void {
  cache.state.dispose();
  if (typeof cache.gamma !== 'number') cache.gamma.dispose();
}
