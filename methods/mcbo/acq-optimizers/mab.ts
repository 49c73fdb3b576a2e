// CoCaBO's acquisition optimiser (Ru et al. 2020): one EXP3 bandit per nominal variable picks its category; the
// numeric variables are then chosen by the acquisition with the categories fixed (random candidates, best kept).
// After the evaluation, each bandit's chosen arm gets the reward (max y − y)/(max y − min y) ∈ [0, 1],
// importance-weighted by 1/p as in EXP3.
import type { X } from '../space.js';
import { argmin, project, randomCandidates, type AcqOptimizer, type OptimizeContext } from './common.js';
import type { Rng } from '../random.js';

function draw(p: readonly number[], rng: Rng): number {
  let u = rng();
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u <= 0) return i;
  }
  return p.length - 1;
}

export function mabOptimizer(opts: { budget: number; nCandidates?: number }): AcqOptimizer {
  const nCandidates = opts.nCandidates ?? 500;
  let weights: number[][] = [];
  let last: { x: X; probs: number[][]; dims: number[] } | null = null;
  const gammaFor = (k: number) => Math.min(1, Math.sqrt((k * Math.log(k)) / ((Math.E - 1) * opts.budget)));
  const probsOf = (w: number[]) => {
    const total = w.reduce((a, b) => a + b, 0);
    const g = gammaFor(w.length);
    return w.map((v) => (1 - g) * (v / total) + g / w.length);
  };
  return {
    name: 'MAB',
    optimize(ctx: OptimizeContext): X {
      const { space, rng } = ctx;
      if (!weights.length) weights = space.nCats.map((n) => new Array<number>(n).fill(1));
      const probs = weights.map(probsOf);
      const categories = probs.map((p) => draw(p, rng));
      const cands = randomCandidates(ctx, space.numericDims.length ? nCandidates : 1).map((c) => {
        space.nominalDims.forEach((d, j) => {
          c[d] = categories[j];
        });
        return project(ctx, c);
      });
      const x = cands[argmin(ctx.acq(cands))].slice();
      last = { x, probs, dims: space.nominalDims };
      return x;
    },
    observe(x, y, allY) {
      if (!last || last.x.some((v, i) => v !== x[i]) || !weights.length) return;
      const hi = Math.max(...allY);
      const lo = Math.min(...allY);
      const reward = hi > lo ? (hi - y) / (hi - lo) : 0;
      const { probs, dims } = last;
      dims.forEach((d, j) => {
        const arm = x[d];
        const k = weights[j].length;
        weights[j][arm] *= Math.exp((gammaFor(k) * reward) / (probs[j][arm] * k)); // EXP3: r̂ = r / p
      });
      weights = weights.map((w) => {
        const top = Math.max(...w);
        return w.map((v) => v / top);
      }); // against overflow; p unchanged
      last = null;
    },
  };
}
