// Batched on-policy sampling from a causal language model (nn.GPT): every prompt is continued at a temperature
// (0: greedy) with a KV cache until it emits the EOS token or reaches maxNewTokens. Returns the responses padded
// to one length, the mask of real response tokens (the EOS counts: it is an action the policy took) and the
// log-probability of each sampled token under the distribution it was drawn from.
import { tensor, tidy, noGrad, type nn } from '../../../index.js';

export interface SampleOptions {
  maxNewTokens: number;
  /** softmax temperature; 0 takes the argmax (the log-probs are then those of the T = 1 distribution) */
  temperature?: number;
  eosToken: number;
  /** what fills a response after its EOS */
  padToken: number;
  /** uniform numbers in [0, 1) (e.g. nn.data.seededRandom(seed)) */
  random: () => number;
}

export interface Rollout {
  prompts: number[][];
  /** [B][R] sampled tokens, padToken after the EOS */
  responses: number[][];
  /** [B][R] 1 for tokens up to and including the EOS, else 0 */
  mask: number[][];
  /** [B][R] log π(y_t | x, y_<t) at the sampling temperature (T = 1 when greedy); 0 where masked */
  logProbs: number[][];
  /** [B] number of real response tokens (the row sums of mask) */
  lengths: number[];
}

/** log-softmax of logits / temperature, on the host, in float64. */
export function logSoftmaxRow(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i] / temperature - max);
  const logZ = max + Math.log(total);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] / temperature - logZ;
  return out;
}

/** Draws an index from log-probabilities with one uniform number (inverse CDF). */
function drawFrom(logProbs: Float64Array, u: number): number {
  for (let i = 0; i < logProbs.length; i++) {
    u -= Math.exp(logProbs[i]);
    if (u < 0) return i;
  }
  return logProbs.length - 1;
}

export async function sampleResponses(model: nn.GPT, prompts: number[][], opts: SampleOptions): Promise<Rollout> {
  const B = prompts.length;
  if (B === 0) throw new Error('sampleResponses: need at least one prompt');
  const P = prompts[0].length;
  if (P === 0 || prompts.some((p) => p.length !== P))
    throw new Error(
      `sampleResponses: prompts must share one non-zero length, got lengths ${[...new Set(prompts.map((p) => p.length))].join(', ')}`,
    );
  const T = opts.temperature ?? 1;
  if (!(T >= 0)) throw new Error(`sampleResponses: temperature must be >= 0, got ${T}`);
  if (!(Number.isInteger(opts.maxNewTokens) && opts.maxNewTokens > 0))
    throw new Error(`sampleResponses: maxNewTokens must be a positive integer, got ${opts.maxNewTokens}`);
  const V = model.config.vocabSize;
  const device = model.wte.weight.device;
  const responses = prompts.map(() => new Array<number>(opts.maxNewTokens).fill(opts.padToken));
  const mask = prompts.map(() => new Array<number>(opts.maxNewTokens).fill(0));
  const logProbs = prompts.map(() => new Array<number>(opts.maxNewTokens).fill(0));
  const lengths = new Array<number>(B).fill(0);
  const done = new Array<boolean>(B).fill(false);
  const cache = model.createCache(B, P + opts.maxNewTokens);
  try {
    let input = prompts;
    for (let t = 0; t < opts.maxNewTokens && done.includes(false); t++) {
      const last = tidy(() =>
        noGrad(() => {
          const idx = tensor(Int32Array.from(input.flat()), { shape: [B, input[0].length], dtype: 'i32', device });
          return model.forward(idx, { cache }).logits.select(1, -1);
        }),
      );
      const flat = await last.data();
      last.dispose();
      const next: number[][] = [];
      for (let b = 0; b < B; b++) {
        if (done[b]) {
          next.push([opts.padToken]);
          continue;
        }
        const row = flat.subarray(b * V, (b + 1) * V);
        const lp = logSoftmaxRow(row, T === 0 ? 1 : T);
        const token = T === 0 ? argmaxOf(lp) : drawFrom(lp, opts.random());
        responses[b][t] = token;
        mask[b][t] = 1;
        logProbs[b][t] = lp[token];
        lengths[b]++;
        if (token === opts.eosToken) done[b] = true;
        next.push([token]);
      }
      input = next;
    }
  } finally {
    cache.dispose();
  }
  return { prompts, responses, mask, logProbs, lengths };
}

function argmaxOf(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}
