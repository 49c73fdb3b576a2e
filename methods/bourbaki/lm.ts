// The provers' language models: nn.GPT over the symbol vocabulary, trained by next-symbol cross-entropy on the
// target half of (prompt <sep> target <eos>) rows (prompt positions masked with ignoreIndex), and sampled in
// batches: concurrent searches queue their requests and one GPT.generate call (KV cache, temperature) serves them.
import { nn, optim, tidy, tensor, noGrad, crossEntropy, type DeviceName } from '../../index.js';
import { BOS, SEP, EOS, PAD, VOCAB } from './tokenizer.js';
import { type Rng, makeRng, shuffle } from './random.js';

export interface LmConfig {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  seed: number;
  device: DeviceName;
}

/** One demonstration: the prompt's and the answer's symbol ids (without <bos>, <sep>, <eos>). */
export interface Example {
  prompt: number[];
  target: number[];
}

export function createLM(c: LmConfig): nn.GPT {
  return new nn.GPT({
    vocabSize: VOCAB.length,
    blockSize: c.blockSize,
    nLayer: c.nLayer,
    nHead: c.nHead,
    nEmbd: c.nEmbd,
    dropout: 0,
    seed: c.seed,
    device: c.device,
  });
}

export const promptIds = (prompt: readonly number[]) => [BOS, ...prompt, SEP];
export const fits = (e: Example, blockSize: number) => e.prompt.length + e.target.length + 3 <= blockSize;

export interface TrainOptions {
  /** AdamW steps; the rows are cycled in shuffled epochs until they are done */
  steps: number;
  batch: number;
  /** peak learning rate: linear warmup over `warmup` steps, then half a cosine down to lr · minLrFactor */
  lr: number;
  warmup?: number;
  minLrFactor?: number;
  seed: number;
  /**
   * held-out examples scored (masked loss) every `every` steps and at the end; the parameters with the lowest
   * validation loss are restored at the end (early stopping chosen on data the model is not trained on)
   */
  validation?: { examples: readonly Example[]; every: number };
  onStep?: (step: number, total: number, loss: number) => void;
  onValidation?: (step: number, loss: number) => void;
}

export interface TrainResult {
  /** training loss of every step */
  losses: number[];
  /** (step, validation loss) of every evaluation */
  validation: [number, number][];
  /** the step whose parameters were kept (the last one without validation) */
  bestStep: number;
}

/** Inputs and targets of a batch of rows: <bos> prompt <sep> answer <eos>, padded; prompt positions masked (-1). */
function batchArrays(batch: readonly Example[]): { input: Int32Array; target: Int32Array; T: number } {
  const seqs = batch.map((e) => [...promptIds(e.prompt), ...e.target, EOS]);
  const T = Math.max(...seqs.map((s) => s.length)) - 1;
  const input = new Int32Array(batch.length * T).fill(PAD);
  const target = new Int32Array(batch.length * T).fill(-1);
  seqs.forEach((s, b) => {
    const answerFrom = batch[b].prompt.length + 1; // position of <sep>: it predicts the first answer symbol
    for (let t = 0; t < s.length - 1; t++) {
      input[b * T + t] = s[t];
      if (t >= answerFrom) target[b * T + t] = s[t + 1];
    }
  });
  return { input, target, T };
}

/** The masked next-symbol loss of a batch (a scalar tensor on the model's device). */
function batchLoss(model: nn.GPT, batch: readonly Example[]) {
  const device = model.wte.weight.device;
  const { input, target, T } = batchArrays(batch);
  const x = tensor(input, { shape: [batch.length, T], dtype: 'i32', device });
  const y = tensor(target, { shape: [batch.length * T], dtype: 'i32', device });
  return crossEntropy(model.forward(x).logits.reshape([-1, VOCAB.length]), y, { ignoreIndex: -1 });
}

/** Mean masked loss over answer symbols of the examples (batches weighted by their answer symbols). */
export async function validationLoss(model: nn.GPT, examples: readonly Example[], batch = 64): Promise<number> {
  const rows = examples.filter((e) => fits(e, model.config.blockSize));
  if (!rows.length) throw new Error(`validationLoss: none of ${examples.length} examples fits the context`);
  let sum = 0;
  let symbols = 0;
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    const l = noGrad(() => batchLoss(model, part));
    const n = part.reduce((k, e) => k + e.target.length + 1, 0);
    sum += (await l.item()) * n;
    symbols += n;
    l.dispose();
  }
  return sum / symbols;
}

/** AdamW on the masked next-symbol loss. Rows are padded to the batch's longest. */
export async function trainLM(model: nn.GPT, examples: readonly Example[], opts: TrainOptions): Promise<TrainResult> {
  const rows = examples.filter((e) => fits(e, model.config.blockSize));
  if (!rows.length)
    throw new Error(`trainLM: none of ${examples.length} examples fits blockSize ${model.config.blockSize}`);
  const opt = new optim.AdamW(model.parameters(), { lr: opts.lr, weightDecay: 0.01 });
  const steps = opts.steps;
  const sched = new optim.LRScheduler(
    opt,
    optim.cosine({ totalSteps: steps, warmupSteps: opts.warmup ?? 0, minFactor: opts.minLrFactor ?? 1 }),
  );
  const rng: Rng = makeRng(opts.seed);
  const losses: number[] = [];
  const validation: [number, number][] = [];
  let best: { step: number; loss: number; params: Float32Array[] } | null = null;
  const validate = async (step: number) => {
    if (!opts.validation) return;
    const loss = await validationLoss(model, opts.validation.examples);
    validation.push([step, loss]);
    opts.onValidation?.(step, loss);
    if (!best || loss < best.loss) {
      const params = await Promise.all(model.parameters().map(async (p) => Float32Array.from(await p.data())));
      best = { step, loss, params };
    }
  };
  let step = 0;
  while (step < steps) {
    // sort shuffled rows into length-similar batches, then shuffle the batches: less padding, same data
    const order = shuffle(rng, rows);
    const batches: Example[][] = [];
    for (let i = 0; i < order.length; i += opts.batch * 8) {
      const chunk = order
        .slice(i, i + opts.batch * 8)
        .sort((a, b) => a.prompt.length + a.target.length - b.prompt.length - b.target.length);
      for (let j = 0; j < chunk.length; j += opts.batch) batches.push(chunk.slice(j, j + opts.batch));
    }
    for (const batch of shuffle(rng, batches)) {
      if (step >= steps) break;
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = batchLoss(model, batch);
        l.backward();
        opt.step();
        return l;
      });
      sched.step();
      losses.push(await loss.item());
      loss.dispose();
      step++;
      opts.onStep?.(step, steps, losses[losses.length - 1]);
      if (opts.validation && step % opts.validation.every === 0 && step < steps) await validate(step);
    }
  }
  await validate(steps);
  opt.zeroGrad();
  opt.dispose();
  const kept = best as { step: number; loss: number; params: Float32Array[] } | null;
  if (kept && kept.step !== steps) {
    const device = model.wte.weight.device;
    noGrad(() =>
      model.parameters().forEach((p, i) => {
        const saved = tensor(kept.params[i], { shape: p.shape, device });
        p.copy_(saved);
        saved.dispose();
      }),
    );
  }
  return { losses, validation, bestStep: kept?.step ?? steps };
}

/** Greedy exact-match accuracy of the answer (held-out top-1 accuracy). */
export async function top1Accuracy(
  model: nn.GPT,
  examples: readonly Example[],
  maxNewTokens: number,
  chunk = 256,
): Promise<number> {
  const rows = examples.filter((e) => e.prompt.length + 2 + maxNewTokens <= model.config.blockSize);
  let correct = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const out = await model.generate(
      part.map((e) => promptIds(e.prompt)),
      { maxNewTokens, greedy: true, stopTokens: [EOS] },
    );
    part.forEach((e, j) => {
      if (out[j].join() === e.target.join()) correct++;
    });
  }
  return rows.length ? correct / rows.length : 0;
}

interface Request {
  prompt: number[];
  resolve: (out: number[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Queues sampling requests from concurrent searches and serves each queue in one batched GPT.generate call on the
 * next turn of the event loop. Counts symbols generated (the spec's token budget).
 */
export class SampleBatcher {
  private queue: Request[] = [];
  private scheduled = false;
  private calls = 0;
  tokens = 0;

  constructor(
    readonly model: nn.GPT,
    readonly opts: { temperature: number; maxNewTokens: number; seed: number; chunk?: number },
  ) {}

  /**
   * One sample continuing the prompt (answer symbols, no <eos>), at most maxNewTokens or what the context leaves;
   * an empty answer when the prompt leaves no room.
   */
  sample(prompt: readonly number[]): Promise<number[]> {
    const ids = promptIds(prompt);
    if (ids.length + 2 > this.model.config.blockSize) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ prompt: ids, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    // sorted by length, so a chunk's longest prompt limits the room of prompts of similar length only
    const queue = this.queue.sort((a, b) => a.prompt.length - b.prompt.length);
    this.queue = [];
    this.scheduled = false;
    // chunks of at most `chunk` rows keep the attention scores [B, H, T, T] within the device's buffer limits
    for (let i = 0; i < queue.length; i += this.opts.chunk ?? 256) {
      const batch = queue.slice(i, i + (this.opts.chunk ?? 256));
      try {
        const longest = Math.max(...batch.map((r) => r.prompt.length));
        const maxNewTokens = Math.min(this.opts.maxNewTokens, this.model.config.blockSize - longest);
        const out = await this.model.generate(
          batch.map((r) => r.prompt),
          {
            maxNewTokens,
            temperature: this.opts.temperature,
            stopTokens: [EOS],
            seed: this.opts.seed * 100_003 + this.calls++,
          },
        );
        batch.forEach((r, j) => {
          this.tokens += out[j].length + 1;
          r.resolve(out[j]);
        });
      } catch (e) {
        batch.forEach((r) => r.reject(e));
      }
    }
  }
}
