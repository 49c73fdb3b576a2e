// What every acquisition optimiser is handed, and the moves they share (one-variable mutation, one-point
// crossover, candidates drawn in the trust region or the whole space).
import { randomInt, randomNormal, type Rng } from '../random.js';
import type { SearchSpace, X } from '../space.js';
import { projectToRegion, sampleInRegion, type TrustRegion } from '../trust-region.js';

export interface OptimizeContext {
  space: SearchSpace;
  /** the acquisition on a batch of candidates, lower is better */
  acq: (xs: X[]) => Float64Array;
  /** the trust region, or null when the solver uses none */
  region: TrustRegion | null;
  /** best observed point of the data the model was fitted on */
  incumbent: X;
  rng: Rng;
}

export interface AcqOptimizer {
  readonly name: string;
  optimize(ctx: OptimizeContext): X;
  /** told every evaluated point (only stateful optimisers such as the MAB use it) */
  observe?(x: X, y: number, allY: readonly number[]): void;
}

/** n random candidates inside the region (or the whole space). */
export const randomCandidates = (ctx: OptimizeContext, n: number): X[] =>
  ctx.region ? sampleInRegion(ctx.region, ctx.space, n, ctx.rng) : ctx.space.sample(n, ctx.rng);

/** Moves a point back into the region (or just onto the numeric grid). */
export const project = (ctx: OptimizeContext, x: X): X =>
  ctx.region ? projectToRegion(x, ctx.region, ctx.space, ctx.rng) : ctx.space.roundNumeric(x);

/** One variable changed: a nominal one to another category, a numeric one by a N(0, 0.1²) step. */
export function mutateOne(x: X, space: SearchSpace, rng: Rng): X {
  const y = x.slice();
  const d = randomInt(rng, space.params.length);
  const j = space.nominalDims.indexOf(d);
  if (j >= 0) y[d] = (y[d] + 1 + randomInt(rng, space.nCats[j] - 1)) % space.nCats[j];
  else y[d] += 0.1 * randomNormal(rng);
  return y;
}

/** One-point crossover: the head of a up to a random cut, the tail of b after it. */
export function crossover(a: X, b: X, rng: Rng): X {
  const cut = 1 + randomInt(rng, a.length - 1);
  return [...a.slice(0, cut), ...b.slice(cut)];
}

export function argmin(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] < v[best]) best = i;
  return best;
}
