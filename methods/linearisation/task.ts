// The synthetic task "MQAR + local" (spec §5 [R]): associative recall far outside the window, mixed with filler
// that is predictable from the previous two tokens (so inside any window W ≥ 2).
//   vocabulary: BOS, 16 keys, 16 values, 16 fillers
//   filler:  x_t = f(x_{t−1}, x_{t−2}) for a fixed random map f, replaced by another filler with 10% probability
//   recall:  BOS, 3 fillers, P fresh (key, value) pairs, fillers, then the P keys shuffled, each followed by its value
import { seededRandom } from './ssd.js';

export const BOS = 0;
export const N_KEYS = 16;
export const N_VALUES = 16;
export const N_FILLERS = 16;
export const KEY0 = 1;
export const VALUE0 = KEY0 + N_KEYS;
export const FILLER0 = VALUE0 + N_VALUES;
export const VOCAB = FILLER0 + N_FILLERS;

export interface TaskConfig {
  seqLen: number;
  pairs: number;
  noise: number;
  /** positions before this do not count for local accuracy (the window W) */
  window: number;
}

export const SPEC_TASK: TaskConfig = { seqLen: 64, pairs: 4, noise: 0.1, window: 8 };

export type SequenceKind = 'recall' | 'filler';

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
  const r = seededRandom(seed);
  return Array.from({ length: N_FILLERS }, () => Array.from({ length: N_FILLERS }, () => Math.floor(r() * N_FILLERS)));
}

function generate(kind: SequenceKind, cfg: TaskConfig, f: number[][], r: () => number): { tokens: number[]; local: boolean[]; recall: boolean[] } {
  const T = cfg.seqLen;
  const tokens = [BOS];
  const clean: boolean[] = [false];
  const isFiller = (t: number) => t >= FILLER0;
  const pushFiller = () => {
    const [a, b] = [tokens[tokens.length - 2], tokens[tokens.length - 1]];
    const predictable = a !== undefined && isFiller(a) && isFiller(b);
    if (!predictable) {
      tokens.push(FILLER0 + Math.floor(r() * N_FILLERS));
      clean.push(false);
      return;
    }
    const next = f[a - FILLER0][b - FILLER0];
    const noisy = r() < cfg.noise;
    // noise replaces the filler by a different, uniformly drawn one
    tokens.push(FILLER0 + (noisy ? (next + 1 + Math.floor(r() * (N_FILLERS - 1))) % N_FILLERS : next));
    clean.push(!noisy);
  };
  const recallAt = new Set<number>();
  if (kind === 'filler') {
    while (tokens.length < T) pushFiller();
  } else {
    for (let i = 0; i < 3; i++) pushFiller();
    const keys = shuffled(N_KEYS, r).slice(0, cfg.pairs);
    const values = keys.map(() => Math.floor(r() * N_VALUES));
    for (const [i, k] of keys.entries()) { tokens.push(KEY0 + k, VALUE0 + values[i]); clean.push(false, false); }
    while (tokens.length < T - 2 * cfg.pairs) pushFiller();
    for (const i of shuffled(cfg.pairs, r)) {
      recallAt.add(tokens.length);
      tokens.push(KEY0 + keys[i], VALUE0 + values[i]);
      clean.push(false, false);
    }
  }
  // targets are next tokens: position t is scored on predicting token t+1
  const local = tokens.map((_, t) => t + 1 < T && t >= cfg.window && clean[t + 1]);
  const recall = tokens.map((_, t) => recallAt.has(t));
  return { tokens, local, recall };
}

function shuffled(n: number, r: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** `n` sequences; each is a recall sequence with probability `recallFraction`, else filler-only. */
export function makeBatch(n: number, recallFraction: number, cfg: TaskConfig, f: number[][], r: () => number): Batch {
  const out: Batch = { tokens: [], local: [], recall: [] };
  for (let i = 0; i < n; i++) {
    const s = generate(r() < recallFraction ? 'recall' : 'filler', cfg, f, r);
    out.tokens.push(s.tokens);
    out.local.push(s.local);
    out.recall.push(s.recall);
  }
  return out;
}
