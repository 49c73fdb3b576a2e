// The "LLM" prior (spec §4-5): a small word-level nn.GPT trained on expert demonstrations "context => action <eos>".
// Scoring: log p(action | context) is the sum of the action's token log-probabilities (its <eos> included), and the
// prior over the admissible list is their softmax (§4 priorProbs). The same forward pass gives each (context,
// action) pair a frozen feature, the mean-pooled final hidden state, on which the Q network is trained.
import { logSoftmax, nn, type DeviceName, noGrad, optim, readTensors, tensor, tidy, type Tensor } from '../../index.js';
import { makeRng } from '../shared/rl/index.js';

const SPECIALS = ['<pad>', '<unk>', '=>', '<eos>'];
const [PAD, UNK, SEP, EOS] = [0, 1, 2, 3];

export interface PriorConfig {
  nEmbd: number;
  nLayer: number;
  nHead: number;
  blockSize: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** where the prior trains and scores (cpu: see the README's timing) */
  device: DeviceName;
}

export const PRIOR_DEFAULTS: PriorConfig = {
  nEmbd: 32,
  nLayer: 2,
  nHead: 4,
  blockSize: 32,
  epochs: 2,
  batchSize: 32,
  lr: 3e-3,
  seed: 0,
  device: 'cpu',
};

export interface PriorModel {
  gpt: nn.GPT;
  vocab: Map<string, number>;
  blockSize: number;
  device: DeviceName;
}

export interface Demo {
  context: string;
  action: string;
}

export function makeVocab(words: readonly string[]): Map<string, number> {
  return new Map([...SPECIALS, ...new Set(words)].map((w, i) => [w, i]));
}

/** token ids of "context => action <eos>" and the index where the action begins */
function encode(model: PriorModel, context: string, action: string): { ids: number[]; actionStart: number } {
  const ids = (s: string) =>
    s
      .split(' ')
      .filter(Boolean)
      .map((w) => model.vocab.get(w) ?? UNK);
  const ctx = [...ids(context), SEP];
  const all = [...ctx, ...ids(action), EOS];
  if (all.length > model.blockSize)
    throw new Error(`prior: "${context} => ${action}" is ${all.length} tokens, over blockSize ${model.blockSize}`);
  return { ids: all, actionStart: ctx.length };
}

/**
 * One forward pass over (context, action) pairs: the summed action log-probabilities [B] (differentiable) and the
 * mean-pooled final hidden states [B, nEmbd].
 */
export function scorePairs(model: PriorModel, pairs: readonly Demo[]): { logProb: Tensor; pooled: Tensor } {
  const enc = pairs.map((p) => encode(model, p.context, p.action));
  const T = Math.max(...enc.map((e) => e.ids.length)) - 1;
  const B = enc.length;
  const input = new Int32Array(B * T);
  const target = new Int32Array(B * T);
  const actionMask = new Float32Array(B * T);
  const tokenMask = new Float32Array(B * T);
  enc.forEach(({ ids, actionStart }, b) => {
    for (let t = 0; t < T; t++) {
      input[b * T + t] = ids[t] ?? PAD;
      target[b * T + t] = ids[t + 1] ?? PAD;
      if (t < ids.length - 1) tokenMask[b * T + t] = 1;
      if (t + 1 >= actionStart && t + 1 < ids.length) actionMask[b * T + t] = 1; // predicting an action token
    }
  });
  const cpu = { device: model.device };
  const idx = tensor(input, { shape: [B, T], dtype: 'i32', ...cpu });
  const { logits, final } = model.gpt.forward(idx);
  const tokenLogProb = logSoftmax(logits, -1)
    .gather(2, tensor(target, { shape: [B, T, 1], dtype: 'i32', ...cpu }))
    .squeeze(-1);
  const logProb = tokenLogProb.mul(tensor(actionMask, { shape: [B, T], ...cpu })).sum(1);
  const m = tensor(tokenMask, { shape: [B, T, 1], ...cpu });
  const pooled = final.reshape([B, T, -1]).mul(m).sum(1).div(m.sum(1));
  return { logProb, pooled };
}

/** Trains the prior by maximum likelihood of the demonstrated actions given their contexts. */
export async function trainPrior(
  demos: readonly Demo[],
  words: readonly string[],
  cfg: PriorConfig,
  onStep?: (step: number, total: number, loss: number) => void,
): Promise<PriorModel> {
  if (demos.length === 0) throw new Error('trainPrior: no demonstrations');
  const vocab = makeVocab(words);
  const gpt = new nn.GPT({
    vocabSize: vocab.size,
    blockSize: cfg.blockSize,
    nLayer: cfg.nLayer,
    nHead: cfg.nHead,
    nEmbd: cfg.nEmbd,
    seed: cfg.seed,
    device: cfg.device,
    dtype: 'f32',
  });
  const model: PriorModel = { gpt, vocab, blockSize: cfg.blockSize, device: cfg.device };
  const opt = new optim.AdamW(gpt.parameters(), { lr: cfg.lr, weightDecay: 0.01 });
  const rng = makeRng(cfg.seed + 1);
  const stepsPerEpoch = Math.ceil(demos.length / cfg.batchSize);
  const total = cfg.epochs * stepsPerEpoch;
  for (let epoch = 0, step = 0; epoch < cfg.epochs; epoch++) {
    const order = demos.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s < stepsPerEpoch; s++, step++) {
      const batch = order.slice(s * cfg.batchSize, (s + 1) * cfg.batchSize).map((i) => demos[i]);
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = scorePairs(model, batch).logProb.mean().neg();
        l.backward();
        optim.clipGradNorm_(gpt.parameters(), 1);
        opt.step();
        return l.detach();
      });
      const [v] = await readTensors([loss]);
      loss.dispose();
      onStep?.(step + 1, total, v[0]);
    }
  }
  return model;
}

export interface Scored {
  /** the prior over the admissible actions (softmax of summed log-probabilities at temperature 1) */
  probs: Float64Array;
  /** one frozen feature row per admissible action */
  features: Float64Array[];
}

/** priorProbs and featurize for one observation in a single batched forward pass. */
export async function scoreObservation(
  model: PriorModel,
  context: string,
  admissible: readonly string[],
): Promise<Scored> {
  if (admissible.length === 0) throw new Error(`scoreObservation: no admissible actions for "${context}"`);
  const [lp, pooled] = tidy(() =>
    noGrad(() => {
      const { logProb, pooled } = scorePairs(
        model,
        admissible.map((action) => ({ context, action })),
      );
      return [logProb, pooled];
    }),
  );
  const [lpv, pv] = await readTensors([lp, pooled]);
  lp.dispose();
  pooled.dispose();
  const d = pv.length / admissible.length;
  return {
    probs: softmaxOf(Array.from(lpv)),
    features: admissible.map((_, i) => Float64Array.from(pv.slice(i * d, (i + 1) * d))),
  };
}

export async function priorProbs(
  model: PriorModel,
  context: string,
  admissible: readonly string[],
): Promise<Float64Array> {
  return (await scoreObservation(model, context, admissible)).probs;
}

export function softmaxOf(logits: readonly number[]): Float64Array {
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return Float64Array.from(e, (v) => v / z);
}
