// Training loops of the experiment: the target by next-token prediction, then each drafter on the frozen target's
// activations (computed per batch). AdamW with gradient clipping; a progress bar per run.
import { nn, optim, tidy, type Tensor, type DeviceName } from '../../index.js';
import { targetActivations, type TargetActivations } from './activations.js';

export interface LoopOptions {
  steps: number;
  lr: number;
  clip: number;
  betas?: [number, number];
  label: string;
}

/** Runs `steps` AdamW steps on `loss(step)`; returns the mean loss of the last tenth of the steps. */
export async function trainLoop(
  params: nn.Parameter[],
  loss: (step: number) => Tensor,
  opts: LoopOptions,
): Promise<number> {
  const opt = new optim.AdamW(params, { lr: opts.lr, betas: opts.betas ?? [0.9, 0.999], weightDecay: 0 });
  const bar = new nn.ProgressBar(opts.steps, { label: opts.label });
  const tail: number[] = [];
  for (let step = 0; step < opts.steps; step++) {
    const l = tidy(() => {
      opt.zeroGrad();
      const value = loss(step);
      value.backward();
      optim.clipGradNorm_(params, opts.clip);
      opt.step();
      return value.detach();
    });
    const v = await l.item();
    l.dispose();
    if (step >= Math.floor(opts.steps * 0.9)) tail.push(v);
    bar.update(step + 1, { loss: v });
  }
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

export function batchSampler(
  tokens: Int32Array,
  batch: number,
  chunk: number,
  seed: number,
  device: DeviceName,
): nn.data.BatchSampler {
  return new nn.data.BatchSampler(tokens, { batchSize: batch, blockSize: chunk, seed, device });
}

export async function trainTarget(
  target: nn.GPT,
  tokens: Int32Array,
  o: { steps: number; batch: number; lr: number; chunk: number },
): Promise<number> {
  const sampler = batchSampler(tokens, o.batch, o.chunk, 12345, target.wte.weight.device);
  return trainLoop(
    target.parameters(),
    () => {
      const { x, y } = sampler.next();
      return target.loss(x, y);
    },
    { steps: o.steps, lr: o.lr, clip: 1, label: 'target' },
  );
}

/** Trains a drafter: each step draws a batch of `chunk` tokens and scores `loss(tokens, target activations, step)`. */
export async function trainDrafter(
  params: nn.Parameter[],
  target: nn.GPT,
  tokens: Int32Array,
  o: {
    steps: number;
    batch: number;
    lr: number;
    chunk: number;
    seed: number;
    clip: number;
    betas?: [number, number];
    label: string;
  },
  loss: (tokens: Tensor, acts: TargetActivations, step: number) => Tensor,
): Promise<number> {
  const sampler = batchSampler(tokens, o.batch, o.chunk, 777 + o.seed, target.wte.weight.device);
  return trainLoop(
    params,
    (step) => {
      const { x } = sampler.next();
      return loss(x, targetActivations(target, x), step);
    },
    o,
  );
}
