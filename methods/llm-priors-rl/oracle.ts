// The cached prior (spec §3 "Caching", §4 featurize): every observation string is scored once; its prior over
// the admissible actions and their frozen features are kept. `queries` counts the prior forward passes made.
import { scoreObservation, type PriorModel, type Scored } from './prior.js';

export class PriorOracle {
  private readonly cache = new Map<string, Scored>();
  queries = 0;
  constructor(readonly model: PriorModel) {}

  async get(obs: string, admissible: readonly string[]): Promise<Scored> {
    const key = `${obs} | ${admissible.join(' ; ')}`;
    let s = this.cache.get(key);
    if (!s) {
      s = await scoreObservation(this.model, obs, admissible);
      this.cache.set(key, s);
      this.queries++;
    }
    return s;
  }

  /** the feature width (the prior's nEmbd) */
  get featureDim(): number {
    return this.model.gpt.config.nEmbd;
  }
}

/** What the agents read from a prior: per-action features and probabilities of an observation, and the width. */
export type ActionScorer = Pick<PriorOracle, 'get' | 'featureDim'>;
