// The Mixture-of-Attentions drafter (Zimmer et al. 2025, §3; official code huawei-noah/HEBO moa_spec/models/train/
// moa_spec.py). Three attentions:
//   LSA: per verified position t, X_t = [K_l(t) ∥ V_l(t)] over the L target layers (rows), one bidirectional layer with
//        rotary position = layer index, mean-pool over layers, Linear D -> d: c_t. Runs on the target side, once per
//        verified token (the `featureFn`).
//   SA:  a causal layer over the target's frozen token embeddings.
//   CA:  queries from SA at i, keys/values c_j for j <= s(i), the last verified position <= i.
// ĥ_i (the CA output) regresses the target's final normed state h(i); logits = head(ĥ_i) with the target's frozen head.
// Variants (spec §5): 'noLsa' (c_t = Linear(h(t))) and 'offPolicy' (training with s(i) = i and no staircase).
import { nn, tensor, arange, linear, logSoftmax, noGrad, tidy, type Tensor } from '../../index.js';
import { pathTokens, takeRows, type Drafter, type DraftContext } from './drafter.js';
import { EncoderLayer, CrossAttentionLayer, decoderLayer } from './layers.js';
import { featureDistillLoss } from './losses.js';
import { responseWeights, type TargetActivations } from './activations.js';

/**
 * Verified positions of a training sequence (spec §3): the prompt plus every r-th response token, counted from the
 * last prompt position; s(i) = the last verified position <= i.
 */
export function verifiedBoundaries(len: number, promptLen: number, r: number): { verified: number[]; s: number[] } {
  if (!(Number.isInteger(r) && r >= 1 && promptLen >= 1 && promptLen <= len)) {
    throw new Error(
      `verifiedBoundaries: need an integer r >= 1 and 1 <= promptLen <= len, got len ${len}, promptLen ${promptLen}, r ${r}`,
    );
  }
  const verified: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < len; i++) {
    if (i < promptLen || (i - (promptLen - 1)) % r === 0) verified.push(i);
    s.push(verified[verified.length - 1]);
  }
  return { verified, s };
}

export type MoaVariant = 'moa' | 'noLsa' | 'offPolicy';

export interface MoaConfig {
  variant: MoaVariant;
  heads: number;
  mlpHidden: number;
  lsaHeads: number;
  lsaMlpHidden: number;
}

/** Additive CA mask [B, 1, T, T]: position i sees c_j for j <= s_b(i). */
function crossMask(s: readonly (readonly number[])[], device: Tensor['device']): Tensor {
  const [B, T] = [s.length, s[0].length];
  const m = new Float32Array(B * T * T).fill(-Infinity);
  s.forEach((row, b) => row.forEach((si, i) => m.fill(0, (b * T + i) * T, (b * T + i) * T + si + 1)));
  return tensor(m, { shape: [B, 1, T, T], device });
}

/** Additive SA mask [B, 1, T, T]: staircase rows see only (s(i), i] ∪ {i}; the others are left to the causal mask. */
function staircaseMask(
  s: readonly (readonly number[])[],
  staircase: readonly boolean[],
  device: Tensor['device'],
): Tensor {
  const [B, T] = [s.length, s[0].length];
  const m = new Float32Array(B * T * T);
  s.forEach((row, b) => {
    if (!staircase[b]) return;
    row.forEach((si, i) => {
      for (let j = 0; j <= Math.min(si, i - 1); j++) m[(b * T + i) * T + j] = -Infinity;
    });
  });
  return tensor(m, { shape: [B, 1, T, T], device });
}

export class MoaDrafter extends nn.Module implements Drafter {
  readonly name: string;
  lsa: EncoderLayer | null;
  /** LSA's Linear D -> d, or for 'noLsa' the Linear d -> d applied to h(t) */
  contextProj: nn.Linear;
  sa: nn.Block;
  ca: CrossAttentionLayer;
  /** positions run through the context function (LSA) so far: once per verified token */
  contextRows = 0;
  readonly featureFn: (final: Tensor, layerRows: Tensor) => Tensor;

  constructor(
    private readonly target: () => nn.GPT,
    readonly cfg: MoaConfig,
    name?: string,
  ) {
    super();
    const t = target();
    const device = t.wte.weight.device;
    const d = t.config.nEmbd;
    const kvDim = 2 * (t.config.nKvHead ?? t.config.nHead) * (d / t.config.nHead);
    this.name = name ?? cfg.variant;
    this.lsa =
      cfg.variant === 'noLsa'
        ? null
        : new EncoderLayer({ dim: kvDim, heads: cfg.lsaHeads, mlpHidden: cfg.lsaMlpHidden, device });
    this.contextProj = new nn.Linear(cfg.variant === 'noLsa' ? d : kvDim, d, { device });
    this.sa = decoderLayer({ dim: d, heads: cfg.heads, mlpHidden: cfg.mlpHidden, device });
    this.ca = new CrossAttentionLayer({ dim: d, heads: cfg.heads, mlpHidden: cfg.mlpHidden, device });
    this.featureFn = (final, layerRows) => this.context(final, layerRows);
  }

  /** c_t [N, d] of N verified positions from their final states [N, d] and layer rows [N, L, D]. */
  context(final: Tensor, layerRows: Tensor): Tensor {
    this.contextRows += final.shape[0];
    if (!this.lsa) return this.contextProj.forward(final);
    const L = layerRows.shape[1];
    const x = this.lsa.forward(layerRows, arange(0, L, 1, { dtype: 'i32', device: layerRows.device }));
    return this.contextProj.forward(x.mean(1));
  }

  /** ĥ [B, T, d] from tokens [B, T], contexts c [B, T, d], boundaries s [B][T] and optional staircase rows. */
  hidden(tokens: Tensor, c: Tensor, s: readonly (readonly number[])[], staircase?: readonly boolean[]): Tensor {
    const emb = noGrad(() => this.target().wte.forward(tokens));
    const saMask = staircase?.some((x) => x) ? staircaseMask(s, staircase, tokens.device) : undefined;
    const x = this.sa.forwardWithKV(emb, { layer: 0, mask: saMask }).x;
    return this.ca.forward(x, c, crossMask(s, tokens.device));
  }

  logits(h: Tensor): Tensor {
    return linear(h, this.target().wte.weight.detach());
  }

  forward(tokens: Tensor, c: Tensor, s: readonly (readonly number[])[]): Tensor {
    return this.logits(this.hidden(tokens, c, s));
  }

  async nextLogProbs(ctx: DraftContext, paths: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const device = this.contextProj.weight.device;
    const n = ctx.tokens.length;
    const T = n + paths[0].length;
    const nVerified = ctx.features.length;
    const d = this.target().config.nEmbd;
    const lp = tidy(() =>
      noGrad(() => {
        const ids = pathTokens(ctx, paths, device);
        const cRows = new Float32Array(T * d);
        ctx.features.forEach((f, j) => cRows.set(f, j * d));
        const c = tensor(cRows, { shape: [1, T, d], device }).expand([paths.length, T, d]);
        const s = Array.from({ length: T }, (_, i) => Math.min(i, nVerified - 1));
        const h = this.hidden(
          ids,
          c,
          paths.map(() => s),
        );
        return logSoftmax(this.logits(h.select(1, T - 1)), -1);
      }),
    );
    return takeRows(lp);
  }
}

export interface MoaLossOptions {
  promptLen: number;
  /** r ~ U{rRange[0] .. rRange[1]} per sequence */
  rRange: [number, number];
  /** probability that a sequence gets the staircase SA mask */
  staircaseP: number;
  random: () => number;
}

/**
 * MoA's one-pass on-policy loss (spec §3): per sequence draw r, build s(i) (or s(i) = i for 'offPolicy'), draw the
 * staircase mask, and score ĥ against h(i) and the target softmax on response positions.
 */
export function moaLoss(drafter: MoaDrafter, tokens: Tensor, acts: TargetActivations, opts: MoaLossOptions): Tensor {
  const [B, T] = tokens.shape;
  const d = acts.final.shape[2];
  const offPolicy = drafter.cfg.variant === 'offPolicy';
  const s: number[][] = [];
  const staircase: boolean[] = [];
  for (let b = 0; b < B; b++) {
    const [lo, hi] = opts.rRange;
    const r = lo + Math.floor(opts.random() * (hi - lo + 1));
    s.push(offPolicy ? Array.from({ length: T }, (_, i) => i) : verifiedBoundaries(T, opts.promptLen, r).s);
    staircase.push(!offPolicy && opts.random() < opts.staircaseP);
  }
  const c = drafter.context(acts.final.reshape([B * T, d]), acts.layerRows).reshape([B, T, d]);
  const h = drafter.hidden(tokens, c, s, staircase);
  const weights = responseWeights(B, T, opts.promptLen, tokens.device);
  return featureDistillLoss(h, acts.final, drafter.logits(h), acts.logits, weights);
}
