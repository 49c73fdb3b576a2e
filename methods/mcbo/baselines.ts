// The non-BO baselines of MCBO (optimizers/non_bo): random search, hill climbing, simulated annealing and a
// genetic algorithm, all on the true objective through the same suggest/observe interface.
import { crossover, mutateOne } from './acq-optimizers/common.js';
import { rouletteSelect } from './acq-optimizers/ga.js';
import { seededRng } from './random.js';
import { checkBatch, type Solver } from './solver.js';
import type { SearchSpace, X } from './space.js';

export function randomSearch(space: SearchSpace, seed: number): Solver {
  const rng = seededRng(seed);
  return {
    name: 'RS',
    suggest: (n = 1) => (checkBatch('randomSearch', n), space.sample(1, rng)),
    observe: () => {},
  };
}

/** After nInit random points, propose one-variable mutations of the best point so far; keep what improves. */
export function hillClimb(space: SearchSpace, seed: number, nInit: number): Solver {
  const rng = seededRng(seed);
  let best: { x: X; y: number } | null = null;
  let count = 0;
  return {
    name: 'HC',
    suggest(n = 1) {
      checkBatch('hillClimb', n);
      return [count < nInit || !best ? space.sample(1, rng)[0] : space.roundNumeric(mutateOne(best.x, space, rng))];
    },
    observe(x, y) {
      count++;
      if (!best || y < best.y) best = { x, y };
    },
  };
}

/**
 * After nInit random points, walk from the best by one-variable mutations, accepting a worse value with
 * probability exp(−Δ/T); T starts at the standard deviation of the initial values and is multiplied by 0.95 per
 * step (our schedule; MCBO's SA baseline differs in details).
 */
export function simAnneal(space: SearchSpace, seed: number, nInit: number): Solver {
  const rng = seededRng(seed);
  const initial: number[] = [];
  let current: { x: X; y: number } | null = null;
  let temperature = 0;
  return {
    name: 'SA',
    suggest(n = 1) {
      checkBatch('simAnneal', n);
      return [
        initial.length < nInit || !current
          ? space.sample(1, rng)[0]
          : space.roundNumeric(mutateOne(current.x, space, rng)),
      ];
    },
    observe(x, y) {
      if (initial.length < nInit) {
        initial.push(y);
        if (!current || y < current.y) current = { x, y };
        if (initial.length === nInit) {
          const m = initial.reduce((a, b) => a + b, 0) / nInit;
          temperature = Math.sqrt(initial.reduce((a, b) => a + (b - m) ** 2, 0) / nInit) || 1;
        }
        return;
      }
      if (y <= current!.y || rng() < Math.exp(-(y - current!.y) / temperature)) current = { x, y };
      temperature *= 0.95;
    },
  };
}

/** A generational GA on the true objective: population 20, 2 elites, roulette parents, crossover, mutation. */
export function genetic(space: SearchSpace, seed: number, population = 20, elites = 2): Solver {
  const rng = seededRng(seed);
  let queue: X[] = space.sample(population, rng);
  let generation: { x: X; y: number }[] = [];
  let evaluated: { x: X; y: number }[] = [];
  return {
    name: 'GA',
    suggest(n = 1) {
      checkBatch('genetic', n);
      if (!queue.length) {
        const ys = generation.map((d) => d.y);
        const order = Array.from(ys.keys()).sort((a, b) => ys[a] - ys[b]);
        queue = [];
        while (queue.length < population - elites) {
          const child = crossover(generation[rouletteSelect(ys, rng)].x, generation[rouletteSelect(ys, rng)].x, rng);
          queue.push(space.roundNumeric(mutateOne(child, space, rng)));
        }
        evaluated = order.slice(0, elites).map((i) => generation[i]); // the elites carry over unevaluated
      }
      return [queue.shift()!];
    },
    observe(x, y) {
      evaluated.push({ x, y });
      if (!queue.length) {
        generation = evaluated;
        evaluated = [];
      }
    },
  };
}
