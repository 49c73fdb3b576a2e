// The provers' language models: nn.GPT over the symbol vocabulary, trained by next-symbol cross-entropy on the
// target half of (prompt <sep> target <eos>) rows (prompt positions masked with ignoreIndex), and sampled in
// batches: concurrent searches queue their requests and one GPT.generate call (KV cache, temperature) serves them.
import { nn, optim, tidy, tensor, crossEntropy, type DeviceName } from '../../index.js';
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
  lr: number;
  seed: number;
  onStep?: (step: number, total: number, loss: number) => void;
}

/** AdamW on the masked next-symbol loss; returns the loss of every step. Rows are padded to the batch's longest. */
export async function trainLM(model: nn.GPT, examples: readonly Example[], opts: TrainOptions): Promise<number[]> {
  const device = model.wte.weight.device;
  const rows = examples.filter((e) => fits(e, model.config.blockSize));
  if (!rows.length)
    throw new Error(`trainLM: none of ${examples.length} examples fits blockSize ${model.config.blockSize}`);
  const opt = new optim.AdamW(model.parameters(), { lr: opts.lr, weightDecay: 0.01 });
  const rng: Rng = makeRng(opts.seed);
  const steps = opts.steps;
  const losses: number[] = [];
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
      const loss = tidy(() => {
        opt.zeroGrad();
        const x = tensor(input, { shape: [batch.length, T], dtype: 'i32', device });
        const y = tensor(target, { shape: [batch.length * T], dtype: 'i32', device });
        const l = crossEntropy(model.forward(x).logits.reshape([-1, VOCAB.length]), y, { ignoreIndex: -1 });
        l.backward();
        opt.step();
        return l;
      });
      losses.push(await loss.item());
      loss.dispose();
      step++;
      opts.onStep?.(step, steps, losses[losses.length - 1]);
    }
  }
  opt.zeroGrad();
  opt.dispose();
  return losses;
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
