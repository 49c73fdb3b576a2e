// Proposals from the prior (spec §3 DQN-Prior): k draws with replacement, duplicates kept (they carry the prior's
// mass: the self-normalised importance weights of q ∝ p_prior·exp(Q/α) are then exp(βQ) per draw). The cache holds
// one proposal multiset per observation string, used both for acting and for targets (§8 "reuse proposals").
// Caching freezes a miss (§8 coverage); we do not refresh it, as in the official code.
import type { Rng } from '../shared/rl/index.js';

export function sampleProposals(probs: ArrayLike<number>, k: number, rng: Rng): number[] {
  if (!Number.isInteger(k) || k <= 0) throw new Error(`sampleProposals: k must be a positive integer, got ${k}`);
  const out: number[] = [];
  for (let j = 0; j < k; j++) {
    let u = rng.uniform();
    let i = 0;
    while (i < probs.length - 1 && u >= probs[i]) {
      u -= probs[i];
      i++;
    }
    out.push(i);
  }
  return out;
}

export class ProposalCache {
  private readonly cache = new Map<string, number[]>();
  constructor(
    readonly k: number,
    private readonly rng: Rng,
  ) {}

  /** the cached proposals for `obs`, drawn from `probs` the first time it is seen */
  get(obs: string, probs: ArrayLike<number>): number[] {
    let p = this.cache.get(obs);
    if (!p) {
      p = sampleProposals(probs, this.k, this.rng);
      this.cache.set(obs, p);
    }
    return p;
  }

  get size(): number {
    return this.cache.size;
  }
}
