// The cached prior (spec §3 "Caching", §4 featurize): every observation string is scored once; its prior over
// the admissible actions and their frozen features are kept. `queries` counts the prior forward passes made.
// `standardize` fixes a per-dimension z-score of the features from states of the demonstrations (README
// "Feature standardisation"): the raw mean-pooled states share a large common component (kitchen: norm of the mean
// 5.8 against an rms spread of 2.0), which the Q network's first layer would otherwise have to undo.
import { scoreObservation, type PriorModel, type Scored } from './prior.js';
import type { TextObs } from './text-env.js';

export class PriorOracle {
  private readonly cache = new Map<string, Scored>();
  private norm: { mean: Float64Array; sd: Float64Array } | null = null;
  queries = 0;
  constructor(readonly model: PriorModel) {}

  async get(obs: string, admissible: readonly string[]): Promise<Scored> {
    const key = `${obs} | ${admissible.join(' ; ')}`;
    let s = this.cache.get(key);
    if (!s) {
      s = await scoreObservation(this.model, obs, admissible);
      const n = this.norm;
      if (n) s.features = s.features.map((f) => f.map((v, j) => (v - n.mean[j]) / n.sd[j]));
      this.cache.set(key, s);
      this.queries++;
    }
    return s;
  }

  /**
   * From now on, features are z-scored per dimension with the mean and sd over every admissible action of
   * `states` (the distinct demonstration states); must be called before the first `get`.
   */
  async standardize(states: readonly TextObs[]): Promise<void> {
    if (this.cache.size) throw new Error('PriorOracle.standardize: call it before the first get');
    if (!states.length) throw new Error('PriorOracle.standardize: no states');
    const rows: Float64Array[] = [];
    for (const s of states) rows.push(...(await scoreObservation(this.model, s.obs, s.admissible)).features);
    const d = rows[0].length;
    const mean = new Float64Array(d);
    const sd = new Float64Array(d);
    for (const r of rows) r.forEach((v, j) => (mean[j] += v / rows.length));
    for (const r of rows) r.forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / rows.length));
    this.norm = { mean, sd: sd.map((v) => Math.sqrt(v) + 1e-6) };
  }

  /** the feature width (the prior's nEmbd) */
  get featureDim(): number {
    return this.model.gpt.config.nEmbd;
  }
}

/** What the agents read from a prior: per-action features and probabilities of an observation, and the width. */
export type ActionScorer = Pick<PriorOracle, 'get' | 'featureDim'>;
