// Picking the next token from a row of logits on the host: greedy argmax, or sampling at a temperature after
// keeping the top-k logits and/or the smallest set of tokens whose probability reaches top-p (nucleus sampling,
// Holtzman et al. 2020).
export interface SamplingOptions {
  temperature?: number;
  greedy?: boolean;
  topK?: number;
  topP?: number;
  /** uniform numbers in [0, 1) */
  random: () => number;
}

export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions): number {
  const temperature = opts.temperature ?? 1;
  if (opts.greedy || temperature === 0) return argmax(logits);
  if (temperature < 0) throw new Error(`sampleToken: temperature must be >= 0, got ${temperature}`);
  let order = Array.from(logits, (_, i) => i).sort((a, b) => logits[b] - logits[a]);
  if (opts.topK !== undefined) {
    if (!Number.isInteger(opts.topK) || opts.topK < 1) throw new Error(`sampleToken: topK must be a positive integer, got ${opts.topK}`);
    order = order.slice(0, opts.topK);
  }
  const max = logits[order[0]];
  let probs = order.map((i) => Math.exp((logits[i] - max) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  if (opts.topP !== undefined && opts.topP < 1) {
    let cumulative = 0;
    let keep = 0;
    while (keep < probs.length && cumulative < opts.topP * total) cumulative += probs[keep++];
    order = order.slice(0, Math.max(keep, 1));
    probs = probs.slice(0, order.length);
    total = probs.reduce((a, b) => a + b, 0);
  }
  let u = opts.random() * total;
  for (let n = 0; n < order.length; n++) {
    u -= probs[n];
    if (u < 0) return order[n];
  }
  return order[order.length - 1];
}
