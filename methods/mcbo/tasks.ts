// The benchmark black boxes of spec §5 (minimised), each defined on its own search space:
//   ackley20c         20 nominal variables, 11 categories mapped to linspace(−32.768, 32.768, 11); optimum 0 at 5s
//   ackley20cShifted  the same with a fixed random category permutation per variable (the optimum moves)
//   ackley53          50 binary + 3 continuous variables in [−1, 1]; optimum 0 at the origin
//   pestControl       COMBO's 25-stage, 5-choice pest-control simulation
import { betaOneDraw, sampleIndices, seededRng } from './random.js';
import { searchSpace, type SearchSpace, type X } from './space.js';

export interface Task {
  name: string;
  space: SearchSpace;
  evaluate(x: X): number;
  /** the known minimum, when there is one */
  optimum?: number;
}

/** Ackley's function (a = 20, b = 0.2, c = 2π). */
export function ackley(z: readonly number[]): number {
  const d = z.length;
  let sq = 0;
  let cos = 0;
  for (const v of z) {
    sq += v * v;
    cos += Math.cos(2 * Math.PI * v);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(sq / d)) - Math.exp(cos / d) + 20 + Math.E;
}

const ACKLEY_GRID = Array.from({ length: 11 }, (_, i) => -32.768 + (65.536 * i) / 10);

export function ackley20c(): Task {
  const space = searchSpace(
    Array.from({ length: 20 }, (_, i) => ({ type: 'nominal' as const, name: `x${i}`, categories: 11 })),
  );
  return { name: 'ackley20c', space, optimum: 0, evaluate: (x) => ackley(x.map((k) => ACKLEY_GRID[k])) };
}

/** Each variable's categories are permuted (a fixed permutation per variable, drawn from `seed`). */
export function ackley20cShifted(seed = 2023): Task {
  const rng = seededRng(seed);
  const perms = Array.from({ length: 20 }, () => sampleIndices(rng, 11, 11));
  const space = ackley20c().space;
  return {
    name: 'ackley20cShifted',
    space,
    optimum: 0,
    evaluate: (x) => ackley(x.map((k, i) => ACKLEY_GRID[perms[i][k]])),
  };
}

export function ackley53(): Task {
  const space = searchSpace([
    ...Array.from({ length: 50 }, (_, i) => ({ type: 'nominal' as const, name: `b${i}`, categories: 2 })),
    ...Array.from({ length: 3 }, (_, i) => ({ type: 'continuous' as const, name: `c${i}`, lb: -1, ub: 1 })),
  ]);
  return { name: 'ackley53', space, optimum: 0, evaluate: (x) => ackley(space.inverse(x)) };
}

// COMBO / MCBO pest-control constants, indexed by pesticide 1..4 (index 0 unused)
const CONTROL_BETA = [0, 2 / 7, 3 / 7, 3 / 7, 5 / 7];
const TOLERANCE_RATE = [0, 1 / 7, 2.5 / 7, 2 / 7, 0.5 / 7];
const PRICE = [0, 1, 0.8, 0.7, 0.5];
const MAX_DISCOUNT = [0, 0.2, 0.3, 0.3, 0];

/**
 * COMBO's pest-control cost of a 25-stage schedule x ∈ {0..4}^25 (0 = no pesticide): over 100 simulated fields,
 * the fraction of fields above the 0.1 infestation threshold at each stage plus the price paid for pesticides.
 * Every call restarts the same seeded generator, so the score is a deterministic function of x (the Python code
 * draws from numpy's global generator; our numbers differ from it).
 */
export function pestControlScore(x: readonly number[], seed = 0): number {
  const rng = seededRng(seed);
  const sims = 100;
  const stages = x.length;
  const beta = CONTROL_BETA.slice();
  let frac = Float64Array.from({ length: sims }, () => betaOneDraw(rng, 30));
  let cost = 0;
  for (let t = 0; t < stages; t++) {
    const spread = Float64Array.from({ length: sims }, () => betaOneDraw(rng, 17 / 3));
    cost += frac.reduce((a, f) => a + (f > 0.1 ? 1 : 0), 0) / sims;
    const k = x[t];
    if (k > 0) {
      const control = Float64Array.from({ length: sims }, () => betaOneDraw(rng, beta[k]));
      frac = frac.map((f, i) => (1 - control[i]) * f);
      beta[k] += TOLERANCE_RATE[k] / stages; // the pests develop tolerance to pesticide k
      const uses = x.filter((v) => v === k).length;
      cost += PRICE[k] * (1 - (MAX_DISCOUNT[k] / stages) * uses); // bulk discount
    } else {
      frac = frac.map((f, i) => f + spread[i] * (1 - f));
    }
  }
  return cost;
}

export function pestControl(): Task {
  const space = searchSpace(
    Array.from({ length: 25 }, (_, i) => ({ type: 'nominal' as const, name: `stage${i}`, categories: 5 })),
  );
  return { name: 'pestControl', space, evaluate: (x) => pestControlScore(x) };
}

export const TASKS: Record<string, () => Task> = {
  ackley20c,
  ackley20cShifted: () => ackley20cShifted(),
  ackley53,
  pestControl,
};

export function makeTask(name: string): Task {
  const make = TASKS[name];
  if (!make) throw new Error(`mcbo.makeTask: unknown task '${name}'; known: ${Object.keys(TASKS).join(', ')}`);
  return make();
}
