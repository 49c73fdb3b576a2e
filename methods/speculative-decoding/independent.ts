// The independent drafter: a small causal LM of its own (embeddings, 2 layers, tied head), distilled on the target's
// soft labels over response positions. It needs no target features, so it runs anywhere, connected or not.
import { nn, logSoftmax, noGrad, tidy, type Tensor, type DeviceName } from '../../index.js';
import { pathTokens, takeRows, type Drafter, type DraftContext } from './drafter.js';
import { maskedMean, softCrossEntropyPerRow } from './losses.js';
import { responseWeights, type TargetActivations } from './activations.js';

export class IndependentDrafter implements Drafter {
  readonly name = 'independent';
  readonly featureFn = null;
  readonly lm: nn.GPT;

  constructor(cfg: {
    vocabSize: number;
    nLayer: number;
    nEmbd: number;
    nHead: number;
    mlpHidden: number;
    blockSize: number;
    seed?: number;
    device?: DeviceName;
  }) {
    this.lm = new nn.GPT({ ...cfg, positions: 'rope', norm: 'rms', mlp: 'gelu', bias: false, dropout: 0 });
  }

  async nextLogProbs(ctx: DraftContext, paths: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const T = ctx.tokens.length + paths[0].length;
    const device = this.lm.wte.weight.device;
    const lp = tidy(() =>
      noGrad(() => {
        const ids = pathTokens(ctx, paths, device);
        return logSoftmax(this.lm.forward(ids).logits.select(1, T - 1), -1);
      }),
    );
    return takeRows(lp);
  }
}

/** Distillation: cross-entropy of the drafter's softmax against the target's, on response positions. */
export function distillLoss(
  drafter: IndependentDrafter,
  tokens: Tensor,
  acts: TargetActivations,
  opts: { promptLen: number },
): Tensor {
  const [B, T] = tokens.shape;
  const logits = drafter.lm.forward(tokens).logits;
  return maskedMean(softCrossEntropyPerRow(logits, acts.logits), responseWeights(B, T, opts.promptLen, tokens.device));
}
