// The EAGLE drafter (Li et al. 2024, "EAGLE", §3; official code SafeAILab/EAGLE eagle/model/cnets.py):
//   ĥ_{i+1} = Layer(FC([emb(t_{i+1}) ∥ h_i]))
// a causal decoder layer over the fused (token, feature) pairs; logits = head(ĥ) with the target's frozen head.
// It sees only the target's top-layer state h, trained off-policy (teacher-forced target features plus uniform
// noise); while drafting, its own ĥ are fed back in place of the target's features.
import { nn, tensor, cat, linear, logSoftmax, noGrad, tidy, rand, type Tensor } from '../../index.js';
import type { Drafter, DraftContext } from './drafter.js';
import { decoderLayer } from './layers.js';
import { featureDistillLoss } from './losses.js';
import { responseWeights, type TargetActivations } from './activations.js';

export class EagleDrafter extends nn.Module implements Drafter {
  readonly name = 'eagle';
  fc: nn.Linear;
  layer: nn.Block;
  readonly featureFn = (final: Tensor) => final;
  /** ĥ at the end of each path drafted from the current context (fed back to its children) */
  private fedBack = new Map<string, Float32Array>();
  private fedBackFor: DraftContext | null = null;
  private fedBackLength = -1;

  constructor(
    private readonly target: () => nn.GPT,
    opts: { heads: number; mlpHidden: number },
  ) {
    super();
    const t = target();
    const device = t.wte.weight.device;
    const d = t.config.nEmbd;
    this.fc = new nn.Linear(2 * d, d, { device, bias: false });
    this.layer = decoderLayer({ dim: d, heads: opts.heads, mlpHidden: opts.mlpHidden, device });
  }

  /** ĥ [B, T, d] at positions 1..T from next tokens [B, T] (t_{i+1}) and features [B, T, d] (h_i). */
  hidden(nextTokens: Tensor, features: Tensor): Tensor {
    const emb = noGrad(() => this.target().wte.forward(nextTokens));
    return this.layer.forwardWithKV(this.fc.forward(cat([emb, features], -1)), { layer: 0 }).x;
  }

  logits(h: Tensor): Tensor {
    return linear(h, this.target().wte.weight.detach());
  }

  forward(nextTokens: Tensor, features: Tensor): Tensor {
    return this.logits(this.hidden(nextTokens, features));
  }

  async nextLogProbs(ctx: DraftContext, paths: readonly (readonly number[])[]): Promise<Float32Array[]> {
    if (ctx !== this.fedBackFor || ctx.tokens.length !== this.fedBackLength) {
      this.fedBack.clear();
      [this.fedBackFor, this.fedBackLength] = [ctx, ctx.tokens.length];
    }
    const device = this.fc.weight.device;
    const d = this.target().config.nEmbd;
    const n = ctx.tokens.length;
    const depth = paths[0].length;
    const T = n - 1 + depth; // inputs at positions 0 .. n - 2 + depth
    const feats = new Float32Array(paths.length * T * d);
    paths.forEach((p, b) => {
      ctx.features.forEach((f, i) => feats.set(f, (b * T + i) * d));
      // draft positions n - 1 + j take the ĥ drafted for the path prefix of length j
      for (let j = 0; j < depth; j++) {
        const h = this.fedBack.get(p.slice(0, j).join());
        if (!h)
          throw new Error(
            `EagleDrafter: no fed-back state for path prefix [${p.slice(0, j)}]; draft parents before children`,
          );
        feats.set(h, (b * T + n - 1 + j) * d);
      }
    });
    const out = tidy(() =>
      noGrad(() => {
        const next = tensor(Int32Array.from(paths.flatMap((p) => [...ctx.tokens.slice(1), ...p])), {
          shape: [paths.length, T],
          dtype: 'i32',
          device,
        });
        const h = this.hidden(next, tensor(feats, { shape: [paths.length, T, d], device })).select(1, T - 1);
        return { h, lp: logSoftmax(this.logits(h), -1) };
      }),
    );
    try {
      const [hData, lpData] = [await out.h.data(), await out.lp.data()];
      const V = out.lp.shape[1];
      return paths.map((p, i) => {
        this.fedBack.set(p.join(), Float32Array.from(hData.subarray(i * d, (i + 1) * d)));
        return Float32Array.from(lpData.subarray(i * V, (i + 1) * V));
      });
    } finally {
      out.h.dispose();
      out.lp.dispose();
    }
  }
}

/**
 * EAGLE's loss: inputs (t_{i+1}, h_i + u), u ~ U(−0.1·std, 0.1·std) per element (std of the batch's features),
 * targets h(i+1) and the target softmax there, on response positions.
 */
export function eagleLoss(
  drafter: EagleDrafter,
  tokens: Tensor,
  acts: TargetActivations,
  opts: { promptLen: number; noise: number; seed: number },
): Tensor {
  const [B, T] = tokens.shape;
  const d = acts.final.shape[2];
  const inputs = acts.final.narrow(1, 0, T - 1);
  const std = noGrad(() => inputs.std());
  const u = rand([B, T - 1, d], { device: tokens.device, seed: opts.seed })
    .sub(0.5)
    .mul(2 * opts.noise)
    .mul(std);
  const h = drafter.hidden(tokens.narrow(1, 1, T - 1), inputs.add(u));
  const weights = responseWeights(B, T, opts.promptLen, tokens.device).narrow(1, 1, T - 1);
  return featureDistillLoss(
    h,
    acts.final.narrow(1, 1, T - 1),
    drafter.logits(h),
    acts.logits.narrow(1, 1, T - 1),
    weights,
  );
}
