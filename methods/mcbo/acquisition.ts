// Acquisition functions, all to be minimised (MCBO acq_funcs): −EI, LCB = μ − 1.96σ, and a Thompson draw.
// The Gaussian formulas live in nn.gp; these adapt them to a fitted model and a batch of candidates.
import { nn } from '../../index.js';
import type { Rng } from './random.js';
import type { X } from './space.js';

export interface AcqContext {
  /** best (lowest) observed value of the data the model was fitted on */
  yBest: number;
  rng: Rng;
}

export type AcqFunc = (xs: X[], model: nn.gp.ExactGP, ctx: AcqContext) => Float64Array;

export const ei: AcqFunc = (xs, model, ctx) => {
  const { mean, var: v } = model.predict(xs);
  return mean.map((m, i) => -nn.gp.expectedImprovement(m, Math.sqrt(v[i]), ctx.yBest));
};

export const lcb: AcqFunc = (xs, model) => {
  const { mean, var: v } = model.predict(xs);
  return mean.map((m, i) => nn.gp.lowerConfidenceBound(m, Math.sqrt(v[i]), 1.96));
};

/** A single joint posterior draw over the candidates. */
export const thompson: AcqFunc = (xs, model, ctx) => model.sample(xs, ctx.rng);

export const ACQ_FUNCS: Record<string, AcqFunc> = { ei, lcb, ts: thompson };
