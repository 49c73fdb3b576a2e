// The synthetic task "MQAR + local" (spec §5 [R]): associative recall far outside the window, mixed with filler
// that is predictable from the previous two tokens (so inside any window W ≥ 2).
//   vocabulary: BOS, keys, values, 16 fillers (and, with pairTokens, one token per (key, value) binding)
//   filler:  x_t = f(x_{t−1}, x_{t−2}) for a fixed random map f, replaced by another filler with 10% probability
//   recall:  BOS, 3 fillers, P fresh bindings, fillers, then the P keys shuffled, each followed by its value.
//            A binding is the two tokens (key, value) in the spec's format; with pairTokens it is one token
//            naming both, so a one-hop lookup answers it (see README "Protocol" for why the experiment uses it).

import { nn } from '../../index.js';

export const N_FILLERS = 16;

export interface TaskConfig {
  seqLen: number;
  pairs: number;
  keys: number;
  values: number;
  pairTokens: boolean;
  noise: number;
  /** positions before this do not count for local accuracy (the window W) */
  window: number;
}

export const SPEC_TASK: TaskConfig = { seqLen: 64, pairs: 4, keys: 16, values: 16, pairTokens: false, noise: 0.1, window: 8 };

/** Token ids of a task's vocabulary. */
export function vocabulary(cfg: TaskConfig) {
  const key0 = 1;
  const value0 = key0 + cfg.keys;
  const pair0 = value0 + cfg.values;
  const filler0 = pair0 + (cfg.pairTokens ? cfg.keys * cfg.values : 0);
  return { bos: 0, key0, value0, pair0, filler0, size: filler0 + N_FILLERS };
}

export interface Batch {
  /** tokens [N][T] */
  tokens: number[][];
  /** local[n][t]: token t+1 is a noise-free filler predictable from tokens t−1, t (and t ≥ W) */
  local: boolean[][];
  /** recall[n][t]: token t is a recalled key and token t+1 its value */
  recall: boolean[][];
}

/** The fixed filler map f(a, b) for a task seed, as a table over filler indices. */
export function fillerMap(seed: number): number[][] {
  const r = nn.data.seededRandom(seed);
  return Array.from({ length: N_FILLERS }, () => Array.from({ length: N_FILLERS }, () => Math.floor(r() * N_FILLERS)));
}

function shuffled(n: number, r: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function generate(recallSequence: boolean, cfg: TaskConfig, f: number[][], r: () => number) {
  const V = vocabulary(cfg);
  const T = cfg.seqLen;
  const tokens = [V.bos];
  const clean: boolean[] = [false];
  const isFiller = (t: number | undefined) => t !== undefined && t >= V.filler0;
  const push = (token: number, isClean = false) => { tokens.push(token); clean.push(isClean); };
  const pushFiller = () => {
    const [a, b] = [tokens[tokens.length - 2], tokens[tokens.length - 1]];
    if (!isFiller(a) || !isFiller(b)) return push(V.filler0 + Math.floor(r() * N_FILLERS));
    const next = f[a - V.filler0][b - V.filler0];
    const noisy = r() < cfg.noise;
    // noise replaces the filler by a different, uniformly drawn one
    push(V.filler0 + (noisy ? (next + 1 + Math.floor(r() * (N_FILLERS - 1))) % N_FILLERS : next), !noisy);
  };
  const recallAt = new Set<number>();
  if (!recallSequence) {
    while (tokens.length < T) pushFiller();
  } else {
    for (let i = 0; i < 3; i++) pushFiller();
    const keys = shuffled(cfg.keys, r).slice(0, cfg.pairs);
    const values = keys.map(() => Math.floor(r() * cfg.values));
    for (const [i, k] of keys.entries()) {
      if (cfg.pairTokens) push(V.pair0 + k * cfg.values + values[i]);
      else { push(V.key0 + k); push(V.value0 + values[i]); }
    }
    while (tokens.length < T - 2 * cfg.pairs) pushFiller();
    for (const i of shuffled(cfg.pairs, r)) {
      recallAt.add(tokens.length);
      push(V.key0 + keys[i]);
      push(V.value0 + values[i]);
    }
  }
  // targets are next tokens: position t is scored on predicting token t+1
  const local = tokens.map((_, t) => t + 1 < T && t >= cfg.window && clean[t + 1]);
  const recall = tokens.map((_, t) => recallAt.has(t));
  return { tokens, local, recall };
}

/** `n` sequences; each is a recall sequence with probability `recallFraction`, else filler-only. */
export function makeBatch(n: number, recallFraction: number, cfg: TaskConfig, f: number[][], r: () => number): Batch {
  const out: Batch = { tokens: [], local: [], recall: [] };
  for (let i = 0; i < n; i++) {
    const s = generate(r() < recallFraction, cfg, f, r);
    out.tokens.push(s.tokens);
    out.local.push(s.local);
    out.recall.push(s.recall);
  }
  return out;
}
