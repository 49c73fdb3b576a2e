// Block sampling for inference-time search: continue many prefixes (beams × candidates × prompts, one batch) by up
// to `len` tokens with a KV cache, with an optional additive logit bias per row (e.g. a penalty on unsafe tokens
// for retried rows) or a custom token rule (e.g. reward-guided decoding), and return each row's last-layer hidden
// state at its last token (what a latent critic reads) and the number of tokens the LM decoded.
import { tensor, tidy, noGrad, type nn } from '../../../index.js';
import { logSoftmaxRow } from './sample.js';

export interface BlockSampleOptions {
  /** tokens to add per row (a row stops early at its EOS, which it keeps) */
  len: number;
  /** softmax temperature (> 0) */
  temperature?: number;
  eosToken: number;
  /** what is fed after a row's EOS (never returned) */
  padToken: number;
  /** uniform numbers in [0, 1) */
  random: () => number;
  /** per row: an additive bias on the logits [V] (null: none) applied before the softmax */
  logitBias?: readonly (ArrayLike<number> | null)[];
  /** replaces sampling: chooses row b's next token from its log-probs, given the tokens it has drawn so far */
  pick?: (row: number, logProbs: Float64Array, sofar: readonly number[]) => number;
}

export interface Blocks {
  /** [B][≤ len] the new tokens of each row, ending at its EOS if it drew one */
  tokens: number[][];
  /** [B] ended with EOS */
  ended: boolean[];
  /** [B][nEmbd] the final (normed) hidden state at each row's last token, prefix + new tokens */
  lastHidden: Float32Array[];
  /** tokens decoded (sampled) by the LM, summed over rows */
  lmTokens: number;
}

export async function sampleBlocks(
  model: nn.GPT,
  prefixes: readonly (readonly number[])[],
  opts: BlockSampleOptions,
): Promise<Blocks> {
  const B = prefixes.length;
  if (B === 0) throw new Error('sampleBlocks: need at least one prefix');
  const P = prefixes[0].length;
  if (P === 0 || prefixes.some((p) => p.length !== P))
    throw new Error(
      `sampleBlocks: prefixes must share one non-zero length, got lengths ${[...new Set(prefixes.map((p) => p.length))].join(', ')}`,
    );
  if (!(Number.isInteger(opts.len) && opts.len > 0))
    throw new Error(`sampleBlocks: len must be a positive integer, got ${opts.len}`);
  const T = opts.temperature ?? 1;
  if (!(T > 0)) throw new Error(`sampleBlocks: temperature must be > 0, got ${T}`);
  if (opts.logitBias && opts.logitBias.length !== B)
    throw new Error(`sampleBlocks: logitBias needs one entry per prefix (${B}), got ${opts.logitBias.length}`);
  const V = model.config.vocabSize;
  const E = model.config.nEmbd;
  const device = model.wte.weight.device;
  const tokens: number[][] = prefixes.map(() => []);
  const ended = new Array<boolean>(B).fill(false);
  const lastHidden: Float32Array[] = new Array(B);
  let lmTokens = 0;
  const cache = model.createCache(B, P + opts.len + 1);
  try {
    let input: number[][] = prefixes.map((p) => [...p]);
    // fed[b]: the input of row b at this step is a real token (its hidden state is the row's latest)
    let fed = new Array<boolean>(B).fill(true);
    for (let t = 0; t <= opts.len && fed.includes(true); t++) {
      const [logitsT, finalT] = tidy(() =>
        noGrad(() => {
          const idx = tensor(Int32Array.from(input.flat()), { shape: [B, input[0].length], dtype: 'i32', device });
          const out = model.forward(idx, { cache });
          return [out.logits.select(1, -1), out.final.select(1, -1)];
        }),
      );
      const [logits, final] = [await logitsT.data(), await finalT.data()];
      logitsT.dispose();
      finalT.dispose();
      for (let b = 0; b < B; b++) if (fed[b]) lastHidden[b] = Float32Array.from(final.subarray(b * E, (b + 1) * E));
      if (t === opts.len) break;
      const nextFed = new Array<boolean>(B).fill(false);
      input = input.map((_, b) => {
        if (ended[b] || !fed[b]) return [opts.padToken];
        const row = Float64Array.from(logits.subarray(b * V, (b + 1) * V));
        const bias = opts.logitBias?.[b];
        if (bias) for (let v = 0; v < V; v++) row[v] += bias[v];
        const lp = logSoftmaxRow(row, T);
        const token = opts.pick ? opts.pick(b, lp, tokens[b]) : drawFrom(lp, opts.random());
        tokens[b].push(token);
        lmTokens++;
        if (token === opts.eosToken) ended[b] = true;
        nextFed[b] = true;
        return [token];
      });
      fed = nextFed;
    }
  } finally {
    cache.dispose();
  }
  return { tokens, ended, lastHidden, lmTokens };
}

/** Draws an index from log-probabilities with one uniform number (inverse CDF). */
function drawFrom(logProbs: Float64Array, u: number): number {
  for (let i = 0; i < logProbs.length; i++) {
    u -= Math.exp(logProbs[i]);
    if (u < 0) return i;
  }
  return logProbs.length - 1;
}
