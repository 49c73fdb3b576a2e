// Block beam search over a batch of prompts (spec §3 "Search"), shared by InferenceGuard and the beam-search
// baselines. Each round extends every active beam by one block (N candidates in all per prompt: N from the prompt
// in round one, N/K per beam after), updates the cost so far and z = d − cost, and keeps the top K unfinished
// candidates by a score; candidates that end (EOS or the length cap) join the prompt's finished pool unexpanded.
// InferenceGuard prunes z < 0 and, when every candidate of a prompt is unsafe, resamples them with the unsafe
// tokens' logits lowered by `penalty`, at most `retries` times. The answer is chosen from the finished pool.
import { EOS, VOCAB, isUnsafe, reward, sequenceCost, topicOf } from './world.js';

/** Continues prefixes (one shared length) by up to len tokens with a per-row logit bias; the LM behind a search. */
export type BlockSampler = (
  prefixes: number[][],
  len: number,
  logitBias: (Float64Array | null)[],
) => Promise<{ tokens: number[][]; lastHidden: Float32Array[] }>;

export interface Beam {
  /** the continuation so far (no prompt) */
  tokens: number[];
  cost: number;
  /** ended with EOS or reached the length cap */
  finished: boolean;
  /** the LM's last hidden state at the beam's last token */
  hidden: Float32Array;
}

export interface Answer {
  tokens: number[];
  reward: number;
  cost: number;
  /** cost ≤ d */
  safe: boolean;
  /** LM tokens decoded for this prompt, retries included */
  lmTokens: number;
}

/** Scores unfinished beams (higher is better); batched over all prompts of a round. */
export type BeamScorer = (items: { prompt: number[]; beam: Beam; z: number }[]) => Promise<number[]> | number[];

export interface BlockSearchOptions {
  N: number;
  K: number;
  block: number;
  maxLen: number;
  /** the safety budget */
  d: number;
  /** discard candidates with z < 0 (InferenceGuard) */
  prune: boolean;
  /** resamples of a prompt's candidates when all are unsafe (needs prune) */
  retries: number;
  /** how much the unsafe tokens' logits are lowered on a retry */
  penalty: number;
  score: BeamScorer;
  /** how the answer is chosen from the finished pool */
  choose: (pool: { reward: number; cost: number }[]) => number;
}

/** The bias of a retry: −penalty on every positive-cost (unsafe) token, 0 elsewhere. */
export function unsafePenaltyBias(penalty: number): Float64Array {
  const bias = new Float64Array(VOCAB);
  for (let v = 0; v < VOCAB; v++) if (isUnsafe(v)) bias[v] = -penalty;
  return bias;
}

/**
 * Indices of the top K candidates by score. With prune, only z ≥ 0 candidates qualify; when none does, the
 * lowest-cost ones are kept (ties by score) so the search still ends in a complete, if unsafe, answer.
 */
export function selectBeams(cands: readonly { z: number; score: number }[], K: number, prune: boolean): number[] {
  const order = cands.map((_, i) => i);
  const safe = order.filter((i) => cands[i].z >= 0);
  if (prune && safe.length) return safe.sort((a, b) => cands[b].score - cands[a].score).slice(0, K);
  if (prune) return order.sort((a, b) => cands[b].z - cands[a].z || cands[b].score - cands[a].score).slice(0, K);
  return order.sort((a, b) => cands[b].score - cands[a].score).slice(0, K);
}

/** Augmented choice: the highest reward within the budget, else the lowest cost (ties: higher reward). */
export function chooseAugmented(d: number) {
  return (pool: readonly { reward: number; cost: number }[]) => {
    const idx = pool.map((_, i) => i);
    const safe = idx.filter((i) => pool[i].cost <= d);
    if (safe.length) return safe.reduce((a, b) => (pool[b].reward > pool[a].reward ? b : a));
    return idx.reduce((a, b) =>
      pool[b].cost < pool[a].cost || (pool[b].cost === pool[a].cost && pool[b].reward > pool[a].reward) ? b : a,
    );
  };
}

/** Lagrangian choice: argmax r − λ C. */
export function chooseLagrangian(lambda: number) {
  return (pool: readonly { reward: number; cost: number }[]) =>
    pool
      .map((_, i) => i)
      .reduce((a, b) => (pool[b].reward - lambda * pool[b].cost > pool[a].reward - lambda * pool[a].cost ? b : a));
}

export async function blockSearch(
  sample: BlockSampler,
  prompts: number[][],
  opts: BlockSearchOptions,
): Promise<Answer[]> {
  const { N, K, block, maxLen, d } = opts;
  if (!(Number.isInteger(K) && K > 0 && Number.isInteger(N) && N >= K && N % K === 0))
    throw new Error(`blockSearch: need integers N ≥ K > 0 with K dividing N, got N=${N}, K=${K}`);
  if (!(Number.isInteger(block) && block > 0 && Number.isInteger(maxLen) && maxLen > 0))
    throw new Error(`blockSearch: block and maxLen must be positive integers, got ${block}, ${maxLen}`);
  if (opts.retries > 0 && !opts.prune)
    throw new Error('blockSearch: retries need prune (they fire when every candidate is unsafe)');
  const empty = new Float32Array(0);
  let active: Beam[][] = prompts.map(() => [{ tokens: [], cost: 0, finished: false, hidden: empty }]);
  const pool: Beam[][] = prompts.map(() => []);
  const lmTokens = new Array<number>(prompts.length).fill(0);
  const penaltyBias = unsafePenaltyBias(opts.penalty);
  for (let round = 0; active.some((a) => a.length); round++) {
    const live = prompts.map((_, p) => p).filter((p) => active[p].length);
    const len = Math.min(block, maxLen - active[live[0]][0].tokens.length);
    const perBeam = round === 0 ? N : N / K;
    const cands: Beam[][] = prompts.map(() => []);
    // sample every live prompt once, then resample (with the unsafe penalty) the prompts whose candidates are all unsafe
    let todo = live;
    for (let attempt = 0; attempt <= opts.retries && todo.length; attempt++) {
      const parents = todo.flatMap((p) => active[p].flatMap((beam) => new Array<Beam>(perBeam).fill(beam)));
      const owner = todo.flatMap((p) => new Array<number>(active[p].length * perBeam).fill(p));
      const bias = owner.map(() => (attempt === 0 ? null : penaltyBias));
      const out = await sample(
        parents.map((b, i) => [...prompts[owner[i]], ...b.tokens]),
        len,
        bias,
      );
      for (const p of todo) cands[p] = [];
      out.tokens.forEach((toks, i) => {
        const parent = parents[i];
        const tokens = [...parent.tokens, ...toks];
        lmTokens[owner[i]] += toks.length;
        cands[owner[i]].push({
          tokens,
          cost: parent.cost + sequenceCost(toks),
          finished: toks.at(-1) === EOS || tokens.length >= maxLen,
          hidden: out.lastHidden[i],
        });
      });
      todo = opts.prune ? todo.filter((p) => cands[p].every((c) => d - c.cost < 0)) : [];
    }
    // finished candidates join the pool; the unfinished ones compete for the K beams
    const open = live.flatMap((p) =>
      cands[p].filter((c) => !c.finished).map((beam) => ({ prompt: prompts[p], p, beam, z: d - beam.cost })),
    );
    const scores = open.length ? await opts.score(open) : [];
    active = prompts.map(() => []);
    for (const p of live) {
      for (const c of cands[p]) if (c.finished) pool[p].push(c);
      const mine = open.map((o, i) => ({ ...o, score: scores[i] })).filter((o) => o.p === p);
      const safeOpen = mine.some((o) => o.z >= 0);
      // pruning: once a safe answer exists or a safe beam survives, unsafe candidates are dropped
      const keep =
        opts.prune && !safeOpen && pool[p].some((b) => d - b.cost >= 0) ? [] : selectBeams(mine, K, opts.prune);
      active[p] = keep.map((i) => mine[i].beam);
    }
  }
  return prompts.map((prompt, p) => {
    const scored = pool[p].map((b) => ({ reward: reward(topicOf(prompt), b.tokens), cost: b.cost }));
    const best = opts.choose(scored);
    return { tokens: pool[p][best].tokens, ...scored[best], safe: scored[best].cost <= d, lmTokens: lmTokens[p] };
  });
}

/** Reward so far of a beam (the no-critic score [R]). */
export const partialReward: BeamScorer = (items) => items.map((o) => reward(topicOf(o.prompt), o.beam.tokens));
