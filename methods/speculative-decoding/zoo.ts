// The five drafters of spec §5 at this experiment's size, each with its training recipe:
//   moa (LSA + SA + CA, on-policy one-pass loss with staircase), noLsa (c_t = Linear(h(t))), offPolicy (s(i) = i, no
//   staircase), eagle (FC + one layer, feature noise, AdamW β = (0.9, 0.95), clip 0.5), independent (2-layer LM).
import { nn, manualSeed, type Tensor } from '../../index.js';
import type { Drafter } from './drafter.js';
import { MoaDrafter, moaLoss, type MoaVariant } from './moa.js';
import { EagleDrafter, eagleLoss } from './eagle.js';
import { IndependentDrafter, distillLoss } from './independent.js';
import type { TargetActivations } from './activations.js';
import type { Protocol } from './protocol.js';

export type DrafterKind = 'moa' | 'eagle' | 'noLsa' | 'offPolicy' | 'independent';

export interface Recipe {
  drafter: Drafter;
  /** what to move between devices and train */
  module: nn.Module;
  clip: number;
  betas?: [number, number];
  loss: (tokens: Tensor, acts: TargetActivations, step: number) => Tensor;
}

export function buildDrafter(kind: DrafterKind, target: nn.GPT, seed: number, p: Protocol): Recipe {
  manualSeed(1000 + seed);
  const random = nn.data.seededRandom(seed);
  const promptLen = p.promptLen;
  if (kind === 'eagle') {
    const drafter = new EagleDrafter(() => target, { heads: 4, mlpHidden: 530 });
    return {
      drafter,
      module: drafter,
      clip: 0.5,
      betas: [0.9, 0.95],
      loss: (x, acts, step) =>
        eagleLoss(drafter, x, acts, { promptLen, noise: p.drafters.eagleNoise, seed: seed * 100000 + step }),
    };
  }
  if (kind === 'independent') {
    const drafter = new IndependentDrafter({
      vocabSize: target.config.vocabSize,
      nLayer: 2,
      nEmbd: 64,
      nHead: 4,
      mlpHidden: 256,
      blockSize: 256,
      seed: 1000 + seed,
      device: target.wte.weight.device,
    });
    return { drafter, module: drafter.lm, clip: 1, loss: (x, acts) => distillLoss(drafter, x, acts, { promptLen }) };
  }
  const variant: MoaVariant = kind;
  const drafter = new MoaDrafter(
    () => target,
    { variant, heads: 4, mlpHidden: 128, lsaHeads: 4, lsaMlpHidden: 128 },
    kind,
  );
  return {
    drafter,
    module: drafter,
    clip: 1,
    loss: (x, acts, step) =>
      moaLoss(drafter, x, acts, {
        promptLen,
        rRange: p.drafters.rRange,
        random,
        // staircase with probability 1 − step / (staircase steps), as the official schedule 1 − epoch / (E / 2)
        staircaseP: Math.max(0, 1 - step / p.drafters.staircaseSteps),
      }),
  };
}
