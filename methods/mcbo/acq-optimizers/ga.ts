// MCBO's genetic acquisition optimiser: population 100 seeded with the incumbent, 5 generations, 10 elites kept,
// the rest bred by roulette selection (weights ∝ max − y + 1 on the minimised acquisition), one-point crossover
// and one-variable mutation, every child projected into the trust region.
import { randomInt, type Rng } from '../random.js';
import {
  argmin,
  crossover,
  mutateOne,
  project,
  randomCandidates,
  type AcqOptimizer,
  type OptimizeContext,
} from './common.js';
import type { X } from '../space.js';

export interface GaOptions {
  population?: number;
  generations?: number;
  elites?: number;
}

/** Index drawn with probability ∝ max(y) − y_i + 1. */
export function rouletteSelect(y: ArrayLike<number>, rng: Rng): number {
  let max = -Infinity;
  for (let i = 0; i < y.length; i++) max = Math.max(max, y[i]);
  let total = 0;
  for (let i = 0; i < y.length; i++) total += max - y[i] + 1;
  let u = rng() * total;
  for (let i = 0; i < y.length; i++) {
    u -= max - y[i] + 1;
    if (u <= 0) return i;
  }
  return randomInt(rng, y.length);
}

export function gaOptimizer(opts: GaOptions = {}): AcqOptimizer {
  const { population = 100, generations = 5, elites = 10 } = opts;
  return {
    name: 'GA',
    optimize(ctx: OptimizeContext): X {
      let pop = [ctx.incumbent.slice(), ...randomCandidates(ctx, population - 1)];
      let vals = ctx.acq(pop);
      let best = pop[argmin(vals)];
      let bestVal = vals[argmin(vals)];
      for (let g = 0; g < generations; g++) {
        const order = Array.from(vals.keys()).sort((a, b) => vals[a] - vals[b]);
        const next = order.slice(0, elites).map((i) => pop[i]);
        while (next.length < population) {
          const child = crossover(pop[rouletteSelect(vals, ctx.rng)], pop[rouletteSelect(vals, ctx.rng)], ctx.rng);
          next.push(project(ctx, mutateOne(child, ctx.space, ctx.rng)));
        }
        pop = next;
        vals = ctx.acq(pop);
        const i = argmin(vals);
        if (vals[i] < bestVal) [best, bestVal] = [pop[i], vals[i]];
      }
      return best.slice();
    },
  };
}
