// Multi-head attention as a module: one fused q/k/v projection and an output projection, optional RoPE, grouped-query heads, and three attention
// kinds over the projected heads: 'softmax' (fused; causal, sliding window, additive mask, KV cache), 'linear'
// (feature maps, prefix sums) and 'hybrid' (sliding-window softmax + linear over older keys, one normaliser,
// learnable per-head gate). `useWindow` / `useLinear` switch a hybrid's branches off at inference.
// Cross-attention: pass `context` [B, S, dModel]; its keys get no rotary embedding and no causal mask.
//
// The q, k and v projections are one Linear (`qkvProj`, rows [q heads | k heads | v heads], as torch's
// nn.MultiheadAttention in_proj_weight): self-attention runs one matmul and takes q, k, v as views of its output,
// which on a GPT step saves two matmuls and two bias adds forward and four matmuls, two bias sums and two adds of
// input gradients backward per layer. State dicts with separate qProj/kProj/vProj entries (tessera before the
// fusion) still load: upgradeStateDict concatenates them.
import { Tensor, type DeviceName, type DType } from '../../core/index.js';
import { arange, cat, linear } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { Linear } from '../layers/linear.js';
import { parameter } from '../layers/factory.js';
import { constant_ } from '../init.js';
import type { KVCache } from '../kv-cache.js';
import { packedSelfAttention, scaledDotProductAttention } from '../../ops/attention.js';
import { linearAttention } from '../../ops/linear-attention.js';
import { rope } from '../../ops/rope.js';
import { hybridAttention } from './hybrid.js';
import { LearnableFeatureMap, applyFeatureMap, type FeatureMap } from './feature-maps.js';

export type AttentionKind = 'softmax' | 'linear' | 'hybrid';

export interface MultiHeadAttentionOptions {
  dModel: number;
  nHeads: number;
  /** key/value heads (grouped-query attention); default nHeads */
  nKvHeads?: number;
  /** default dModel / nHeads */
  headDim?: number;
  bias?: boolean;
  /** rotate q and k by their positions (RoPE); default false */
  rope?: boolean;
  ropeBase?: number;
  /** default true (self-attention of a decoder) */
  causal?: boolean;
  /** sliding window of keys per query (softmax: optional; hybrid: required) */
  window?: number;
  kind?: AttentionKind;
  /** feature dim F of the learnable Hedgehog maps of linear/hybrid kinds (2F features); default headDim / 2 */
  featureDim?: number;
  /** initial gate logit g of the hybrid window branch (gamma = sigmoid(g)); default -2.197 (gamma = 0.1) */
  gateLogit?: number;
  device?: DeviceName;
  dtype?: DType;
}

export interface AttentionCall {
  /** cross-attention source [B, S, dModel] */
  context?: Tensor;
  /** positions of the new tokens for RoPE: i32 [T] or [B, T]; default cache length + 0..T-1 */
  positions?: Tensor;
  /** additive mask broadcastable to [B, H, T, S] (softmax kind) */
  mask?: Tensor;
  /** decode with this cache (softmax kind): the new keys are appended and all cached keys attended */
  cache?: KVCache;
  layer?: number;
}

export type AttentionOutput = {
  y: Tensor;
  /** keys and values attended, post-RoPE [B, Hkv, S, D] (cache views when a cache is used) */
  k: Tensor;
  v: Tensor;
  /** hybrid kind: each query's share of attention mass in the linear branch [B, H, T] */
  linearShare?: Tensor;
};

export class MultiHeadAttention extends Module {
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly headDim: number;
  readonly kind: AttentionKind;
  readonly causal: boolean;
  readonly window: number;
  readonly useRope: boolean;
  readonly ropeBase: number;
  /** hybrid kind: switches for the two branches (both on by default) */
  useWindow = true;
  useLinear = true;
  /** q, k, v projections in one: [(nHeads + 2 nKvHeads) headDim, dModel] */
  qkvProj: Linear;
  oProj: Linear;
  featureMapQ: LearnableFeatureMap | null = null;
  featureMapK: LearnableFeatureMap | null = null;
  gateLogit: Parameter | null = null;

  constructor(opts: MultiHeadAttentionOptions) {
    super();
    this.nHeads = opts.nHeads;
    this.nKvHeads = opts.nKvHeads ?? opts.nHeads;
    this.headDim = opts.headDim ?? opts.dModel / opts.nHeads;
    if (!Number.isInteger(this.headDim) || this.nHeads % this.nKvHeads !== 0) {
      throw new Error(`MultiHeadAttention: dModel ${opts.dModel} / nHeads ${opts.nHeads} must be an integer head dim, ` +
        `and nHeads a multiple of nKvHeads ${this.nKvHeads}`);
    }
    this.kind = opts.kind ?? 'softmax';
    this.causal = opts.causal ?? true;
    this.window = opts.window ?? 0;
    if (this.kind === 'hybrid' && !(this.window > 0)) throw new Error('MultiHeadAttention: the hybrid kind needs a window');
    this.useRope = opts.rope ?? false;
    this.ropeBase = opts.ropeBase ?? 10000;
    const layer = { device: opts.device, dtype: opts.dtype, bias: opts.bias ?? false };
    this.qkvProj = new Linear(opts.dModel, (this.nHeads + 2 * this.nKvHeads) * this.headDim, layer);
    this.oProj = new Linear(this.nHeads * this.headDim, opts.dModel, layer);
    if (this.kind !== 'softmax') {
      const fm = { heads: this.nHeads, headDim: this.headDim, featureDim: opts.featureDim ?? Math.max(1, this.headDim / 2), device: opts.device, dtype: opts.dtype };
      this.featureMapQ = new LearnableFeatureMap(fm);
      this.featureMapK = new LearnableFeatureMap(fm);
    }
    if (this.kind === 'hybrid') {
      this.gateLogit = parameter([this.nHeads], { device: opts.device, dtype: opts.dtype }, (g) => constant_(g, opts.gateLogit ?? -2.197));
    }
  }

  /** K/V heads repeated to the query heads (linear and hybrid kinds work per query head). */
  private repeatKv(x: Tensor): Tensor {
    const group = this.nHeads / this.nKvHeads;
    if (group === 1) return x;
    const [B, H, S, D] = x.shape;
    return x.unsqueeze(2).expand([B, H, group, S, D]).reshape([B, H * group, S, D]);
  }

  /**
   * q, k, v projections of x (k, v of the context for cross-attention) as views [B, heads, T or S, D], and for
   * self-attention the projection they view, [B, T, H + 2 Hkv, D].
   */
  private project(x: Tensor, context?: Tensor): { q: Tensor; k: Tensor; v: Tensor; qkv: Tensor | null } {
    const [H, Hkv] = [this.nHeads, this.nKvHeads];
    const p: Module = this.qkvProj; // applyLoRA may have wrapped it
    const run = (t: Tensor) => (p.forward as (t: Tensor) => Tensor).call(p, t);
    // qs holds the q heads first; kvs holds the k heads and then the v heads from head kAt
    let qs: Tensor, kvs: Tensor, kAt: number;
    if (!context) {
      qs = kvs = run(x);
      kAt = H;
    } else if (p instanceof Linear) { // cross-attention: the q rows of the weight on x, the k and v rows on the context
      const [qDim, kvDim] = [H * this.headDim, 2 * Hkv * this.headDim];
      qs = linear(x, p.weight.narrow(0, 0, qDim), p.bias?.narrow(0, 0, qDim));
      kvs = linear(context, p.weight.narrow(0, qDim, kvDim), p.bias?.narrow(0, qDim, kvDim));
      kAt = 0;
    } else { // a wrapped projection (LoRA): run it whole on both
      [qs, kvs, kAt] = [run(x), run(context), H];
    }
    // Heads are split off before they are narrowed: the gradient of each narrowed head range (strided, coming back
    // through the transpose) then adds into [B, T, heads, D] in place, where narrowing [B, T, heads * D] first would
    // need a contiguous copy of each of q, k and v in the backward.
    const split = (t: Tensor) => t.reshape([t.shape[0], t.shape[1], -1, this.headDim]); // [B, T, heads, D]
    const qh = split(qs);
    const kvh = kvs === qs ? qh : split(kvs);
    const heads = (t: Tensor, start: number, n: number) => t.narrow(2, start, n).transpose(1, 2);
    return { q: heads(qh, 0, H), k: heads(kvh, kAt, Hkv), v: heads(kvh, kAt + Hkv, Hkv), qkv: kvh === qh ? qh : null };
  }

  /**
   * Loads state dicts saved before the q/k/v fusion: `<prefix>qProj.weight`, `kProj.weight`, `vProj.weight` (and
   * biases) become one `<prefix>qkvProj.weight` (torch's load_state_dict pre-hook). Returns the tensors it made.
   */
  override upgradeStateDict(state: Map<string, Tensor>, prefix: string): Tensor[] {
    const made: Tensor[] = [];
    for (const kind of ['weight', 'bias']) {
      const names = ['qProj', 'kProj', 'vProj'].map((n) => `${prefix}${n}.${kind}`);
      const fused = `${prefix}qkvProj.${kind}`;
      if (state.has(fused) || !names.every((n) => state.has(n))) continue;
      const t = cat(names.map((n) => state.get(n)!), 0);
      made.push(t);
      state.set(fused, t);
      names.forEach((n) => state.delete(n));
    }
    return made;
  }

  forwardWithKV(x: Tensor, call: AttentionCall = {}): AttentionOutput {
    const [B, T] = x.shape;
    const projected = this.project(x, call.context);
    let { q, k, v } = projected;
    const past = call.cache?.lengthOf(call.layer ?? 0) ?? 0;
    if (this.useRope && !call.context) {
      const positions = call.positions ?? arange(past, past + T, 1, { dtype: 'i32', device: x.device });
      q = rope(q, positions, { base: this.ropeBase });
      k = rope(k, positions, { base: this.ropeBase });
    }
    if (call.cache) ({ k, v } = call.cache.append(call.layer ?? 0, k, v));
    let y: Tensor;
    let linearShare: Tensor | undefined;
    const selfCausal = this.causal && !call.context;
    if (this.kind === 'softmax' && projected.qkv && !this.useRope && !call.cache) {
      // q, k, v are still heads of one projection: attention reads them there, writes the whole projection's
      // gradient in one tensor and its output as [B, T, H, D] (5 dispatches fewer per call than the views)
      const opts = { causal: selfCausal, window: this.window, mask: call.mask };
      const merged = packedSelfAttention(projected.qkv, this.nHeads, this.nKvHeads, opts).reshape([B, T, -1]);
      return { y: this.oProj.forward(merged), k, v };
    }
    if (this.kind === 'softmax') {
      y = scaledDotProductAttention(q, k, v, { causal: selfCausal, window: this.window, mask: call.mask });
    } else {
      if (call.cache || call.context || call.mask) throw new Error(`MultiHeadAttention: the ${this.kind} kind runs on whole causal sequences (no cache, context or mask); decode with LinearAttentionState / HybridState`);
      const [kh, vh] = [this.repeatKv(k), this.repeatKv(v)];
      const phiQ = applyFeatureMap(this.featureMapQ as FeatureMap, q);
      const phiK = applyFeatureMap(this.featureMapK as FeatureMap, kh);
      if (this.kind === 'linear') y = linearAttention(phiQ, phiK, vh);
      else ({ y, linearShare } = hybridAttention(q, kh, vh, { window: this.window, phiQ, phiK, gate: this.gateLogit!.sigmoid(), useWindow: this.useWindow, useLinear: this.useLinear }));
    }
    const merged = y.transpose(1, 2).reshape([B, T, this.nHeads * this.headDim]);
    return { y: this.oProj.forward(merged), k, v, linearShare };
  }

  forward(x: Tensor, call: AttentionCall = {}): Tensor {
    return this.forwardWithKV(x, call).y;
  }
}
