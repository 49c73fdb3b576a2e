// Conversion of a trained softmax GPT (nn.GPT) into a linear or hybrid model that keeps every q/k/v/o weight: each
// block's attention is replaced by a ConvertedAttention holding the same output projection, the q, k and v rows of
// the fused qkv projection as three layers of their own (so LoRA adapts q, k, v and o separately, as LoLCATs does),
// two feature maps (queries, keys) and a per-head window-gate logit g (γ = sigmoid(g), initialised at −2.197,
// i.e. γ ≈ 0.1).
import { full, noGrad, nn, type Tensor } from '../../index.js';
import { hybridAttention, type AttentionMode } from './hybridAttention.js';

export const GATE_INIT = -2.197;

/** Hedgehog: φ(x) = [softmax(xU) ∥ softmax(−xU)] (2F features); elu+1 and relu of xU for comparison (F features). */
export type FeatureMapKind = 'hedgehog' | 'elu+1' | 'relu';

export const hedgehogFeatureMap = (opts: { heads: number; headDim: number; featureDim: number; seed?: number }) =>
  new nn.LearnableFeatureMap({ ...opts, activation: 'hedgehog' });

export interface ConvertOptions {
  featureDim: number;
  window: number;
  featureMap?: FeatureMapKind;
  /** seed of the feature maps' initialisation (layer l uses seed + 2l and seed + 2l + 1) */
  seed?: number;
}

/** The projections and head layout a softmax attention module brings to the conversion. */
export interface SoftmaxAttentionLike extends nn.Module {
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  useRope: boolean;
  /** rows [q | k | v] */
  qkvProj: nn.Linear;
  oProj: nn.Linear;
}

/** Rows [start, start + out) of `fused` as a Linear of its own (copied). */
function rowsOf(fused: nn.Linear, start: number, out: number): nn.Linear {
  const layer = new nn.Linear(fused.inFeatures, out, { device: fused.weight.device, bias: fused.bias !== null });
  noGrad(() => {
    layer.weight.copy_(fused.weight.narrow(0, start, out));
    if (fused.bias) layer.bias!.copy_(fused.bias.narrow(0, start, out));
  });
  return layer;
}

type Projections = { qkvProj: nn.Module } | { qProj: nn.Module; kProj: nn.Module; vProj: nn.Module };

/** x [B, T, dModel] → q, k, v [B, H, T, d] through an attention module's projections (fused, or one each). */
export function projectHeads(attn: { nHeads: number; headDim: number } & Projections, x: Tensor) {
  const split = (t: Tensor) => t.reshape([x.shape[0], x.shape[1], attn.nHeads, attn.headDim]).transpose(1, 2);
  const run = (m: nn.Module) => (m as nn.Linear).forward(x);
  if ('qkvProj' in attn) {
    const inner = attn.nHeads * attn.headDim;
    const qkv = run(attn.qkvProj);
    const [q, k, v] = [0, 1, 2].map((i) => split(qkv.narrow(-1, i * inner, inner)));
    return { q, k, v };
  }
  return { q: split(run(attn.qProj)), k: split(run(attn.kProj)), v: split(run(attn.vProj)) };
}

export class ConvertedAttention extends nn.Module {
  readonly nHeads: number;
  readonly headDim: number;
  readonly window: number;
  qProj: nn.Linear;
  kProj: nn.Linear;
  vProj: nn.Linear;
  oProj: nn.Linear;
  featureMapQ: nn.LearnableFeatureMap;
  featureMapK: nn.LearnableFeatureMap;
  gateLogit: nn.Parameter;
  /** which attention runs (see AttentionMode) */
  mode: AttentionMode = 'hybrid';
  /** γ = sigmoid(g) when true; γ = 1 when false (the inference-time hybrid of a linear-only conversion) */
  useGate = true;
  /** set per step by Scheduled Sliding-window Dropout */
  dropSwa = false;

  constructor(base: SoftmaxAttentionLike, opts: ConvertOptions, layerSeed: number) {
    super();
    if (base.useRope) throw new Error('ConvertedAttention: RoPE models are not supported; convert a learned-position GPT');
    if (base.nKvHeads !== base.nHeads) throw new Error('ConvertedAttention: grouped-query attention is not supported');
    this.nHeads = base.nHeads;
    this.headDim = base.headDim;
    this.window = opts.window;
    const inner = this.nHeads * this.headDim;
    [this.qProj, this.kProj, this.vProj] = [0, 1, 2].map((i) => rowsOf(base.qkvProj, i * inner, inner));
    base.qkvProj.dispose(); // the base module is replaced: its fused weights are not used again
    this.oProj = base.oProj;
    const device = base.oProj.weight.device;
    const fm = { heads: this.nHeads, headDim: this.headDim, featureDim: opts.featureDim, activation: opts.featureMap ?? 'hedgehog', device };
    this.featureMapQ = new nn.LearnableFeatureMap({ ...fm, seed: layerSeed });
    this.featureMapK = new nn.LearnableFeatureMap({ ...fm, seed: layerSeed + 1 });
    const g = full([this.nHeads], GATE_INIT, { device });
    this.gateLogit = new nn.Parameter(g);
    g.dispose();
  }

  project(x: Tensor): { q: Tensor; k: Tensor; v: Tensor } {
    return projectHeads(this, x);
  }

  /** Per-head outputs (before o_proj) and the linear branch's mass share, from projected heads. */
  attend(q: Tensor, k: Tensor, v: Tensor): { y: Tensor; laMass: Tensor } {
    return hybridAttention(q, k, v, {
      window: this.window, phiQ: this.featureMapQ.forward(q), phiK: this.featureMapK.forward(k),
      gateLogit: this.useGate ? this.gateLogit : null, mode: this.mode, dropSwa: this.dropSwa,
    });
  }

  /** The interface nn.Block calls: output [B, T, dModel], keys/values, and the linear share per query. */
  forwardWithKV(x: Tensor): { y: Tensor; k: Tensor; v: Tensor; linearShare: Tensor } {
    const [B, T] = x.shape;
    const { q, k, v } = this.project(x);
    const { y, laMass } = this.attend(q, k, v);
    const merged = y.transpose(1, 2).reshape([B, T, this.nHeads * this.headDim]);
    return { y: this.oProj.forward(merged), k, v, linearShare: laMass };
  }

  forward(x: Tensor): Tensor {
    return this.forwardWithKV(x).y;
  }
}

/** The converted attention modules of a model, by layer. */
export function convertedLayers(model: nn.GPT): ConvertedAttention[] {
  return Array.from({ length: model.blocks.length }, (_, l) => model.blocks.at(l).attn as unknown as ConvertedAttention)
    .filter((a) => a instanceof ConvertedAttention);
}

/** Replaces every block's softmax attention of `model` (in place) by a ConvertedAttention over the same weights. */
export function convertAttention(model: nn.GPT, opts: ConvertOptions): ConvertedAttention[] {
  for (let l = 0; l < model.blocks.length; l++) {
    const block = model.blocks.at(l);
    block.setChild('attn', new ConvertedAttention(block.attn as unknown as SoftmaxAttentionLike, opts, (opts.seed ?? 0) + 2 * l));
  }
  return convertedLayers(model);
}

export function setAttentionMode(model: nn.GPT, mode: AttentionMode, opts: { useGate?: boolean } = {}): void {
  for (const layer of convertedLayers(model)) {
    layer.mode = mode;
    if (opts.useGate !== undefined) layer.useGate = opts.useGate;
  }
}

/** Switches the window branch off in the layers marked true (Scheduled Sliding-window Dropout), on elsewhere. */
export function setSwaDrops(model: nn.GPT, drops: boolean[]): void {
  convertedLayers(model).forEach((layer, l) => { layer.dropSwa = drops[l]; });
}
