// The three training loops of the experiment: the softmax teacher, stage 1 (attention transfer of feature maps and
// gates, teacher-forced, every layer at once) and stage 2 (LoRA next-token fine-tuning, optionally with Scheduled
// Sliding-window Dropout and early stopping on a held-out loss).
import { nn, optim, keep, noGrad, tidy, type Tensor } from '../../index.js';
import { captureLayerIO } from './capture.js';
import { convertedLayers, setSwaDrops } from './convert.js';
import { attentionOutputMse, attentionWeightXent, linearAttentionWeights } from './losses.js';
import { nextTokenLoss } from './metrics.js';
import { drawSwaDrops } from './ssd.js';
import { PlateauSchedule, type PlateauOptions } from './plateau.js';

/** Makes a token batch [N, T] for a training step. */
export type BatchFn = (step: number) => Tensor;
export type LogFn = (step: number, loss: number) => void;

/** Steps `opt` on the loss `lossOf` returns; returns the loss value. */
async function step(opt: optim.Optimizer<optim.AdamOptions>, lossOf: () => Tensor): Promise<number> {
  const loss = tidy(() => {
    opt.zeroGrad();
    const l = lossOf();
    l.backward();
    opt.step();
    return l;
  });
  const value = await loss.item();
  loss.dispose();
  return value;
}

export async function trainTeacher(model: nn.GPT, opts: { steps: number; lr: number; batch: BatchFn; log?: LogFn }): Promise<void> {
  const opt = new optim.AdamW(model.parameters(), { lr: opts.lr, weightDecay: 0.01 });
  for (let s = 0; s < opts.steps; s++) {
    // linear decay to 10% of the rate over training
    for (const g of opt.paramGroups) g.lr = opts.lr * (1 - 0.9 * s / opts.steps);
    const tokens = opts.batch(s);
    const loss = await step(opt, () => nextTokenLoss(model.forward(tokens).logits, tokens));
    tokens.dispose();
    opts.log?.(s, loss);
  }
}

export type TransferObjective = 'outputMse' | 'weightXent';

/**
 * Stage 1 (spec §3): trains only the feature maps U (and, for the hybrid output-MSE objective, the gates g).
 *   outputMse:  1000 × MSE of per-head hybrid outputs against softmax (LoLCATs), averaged over layers.
 *   weightXent: −Σ_j A^soft log A^lin of the linear-only (laFull) weights (Hedgehog), averaged over layers.
 * AdamW without weight decay. Every `plateau.every` steps the mean training loss of those steps is one evaluation
 * of LoLCATs' reduce-on-plateau schedule (PlateauSchedule). Returns how often the rate was lowered.
 */
export async function trainStage1(teacher: nn.GPT, student: nn.GPT, opts: {
  objective: TransferObjective; steps: number; lr: number; batch: BatchFn; plateau: PlateauOptions & { every: number }; log?: LogFn;
}): Promise<{ lrReductions: number }> {
  const layers = convertedLayers(student);
  const params = layers.flatMap((a) => [a.featureMapQ.weight, a.featureMapK.weight, ...(opts.objective === 'outputMse' ? [a.gateLogit] : [])]);
  const opt = new optim.AdamW(params, { lr: opts.lr, weightDecay: 0 });
  const schedule = new PlateauSchedule(opts.plateau);
  let recent: number[] = [];
  for (let s = 0; s < opts.steps; s++) {
    const tokens = opts.batch(s);
    const io = captureLayerIO(teacher, tokens);
    const loss = await step(opt, () => {
      const perLayer = layers.map((a, l) => {
        const { q, k, v } = io[l];
        if (opts.objective === 'outputMse') return attentionOutputMse(a.attend(q, k, v).y, io[l].y);
        return attentionWeightXent(io[l].weights, linearAttentionWeights(a.featureMapQ.forward(q), a.featureMapK.forward(k)));
      });
      return perLayer.reduce((x, y) => x.add(y)).div(perLayer.length);
    });
    for (const t of [tokens, ...io.flatMap((x) => Object.values(x))]) t.dispose();
    opts.log?.(s, loss);
    recent.push(loss);
    if (recent.length === opts.plateau.every) {
      const mean = recent.reduce((a, b) => a + b) / recent.length;
      for (const g of opt.paramGroups) g.lr = schedule.step(mean, g.lr);
      recent = [];
    }
  }
  return { lrReductions: schedule.reductions };
}

export interface Stage2Options {
  steps: number;
  lr: number;
  batch: BatchFn;
  /** Scheduled Sliding-window Dropout: one draw per (layer, step) from `random` with the SSD schedule */
  ssd?: { random: () => number; probs?: readonly number[] };
  /** evaluate `heldOut` every `every` steps; stop after `patience` checks without improvement, keep the best */
  earlyStop?: { heldOut: Tensor; every: number; patience: number };
  log?: LogFn;
}

async function heldOutLoss(model: nn.GPT, tokens: Tensor): Promise<number> {
  const loss = tidy(() => noGrad(() => nextTokenLoss(model.forward(tokens).logits, tokens)));
  const value = await loss.item();
  loss.dispose();
  return value;
}

/** Stage 2: next-token LoRA fine-tuning of the trainable parameters of `model` (the adapters). Returns steps run. */
export async function trainStage2(model: nn.GPT, opts: Stage2Options): Promise<number> {
  const params = model.parameters().filter((p) => p.requiresGrad);
  const opt = new optim.AdamW(params, { lr: opts.lr, weightDecay: 0 });
  const layers = convertedLayers(model).length;
  let best = Infinity;
  let sinceBest = 0;
  let snapshot: Tensor[] | null = null;
  let s = 0;
  for (; s < opts.steps; s++) {
    if (opts.ssd) setSwaDrops(model, drawSwaDrops(s, opts.steps, layers, opts.ssd.random, opts.ssd.probs));
    const tokens = opts.batch(s);
    const loss = await step(opt, () => nextTokenLoss(model.forward(tokens).logits, tokens));
    tokens.dispose();
    opts.log?.(s, loss);
    const stop = opts.earlyStop;
    if (stop && (s + 1) % stop.every === 0) {
      setSwaDrops(model, new Array(layers).fill(false));
      const held = await heldOutLoss(model, stop.heldOut);
      if (held < best) {
        best = held;
        sinceBest = 0;
        snapshot?.forEach((t) => t.dispose());
        snapshot = params.map((p) => keep(tidy(() => p.detach().clone())));
      } else if (++sinceBest >= stop.patience) {
        s++;
        break;
      }
    }
  }
  if (snapshot) {
    noGrad(() => params.forEach((p, i) => p.copy_(snapshot![i])));
    snapshot.forEach((t) => t.dispose());
  }
  setSwaDrops(model, new Array(layers).fill(false));
  return s;
}
