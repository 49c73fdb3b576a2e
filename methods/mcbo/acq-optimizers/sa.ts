// Simulated annealing on the acquisition (MCBO's SA optimiser, spec §3): 3 restarts x 100 steps from the
// incumbent and random points; T₀ is the range of the acquisition over the starting sample and T shrinks by 0.8
// per step; a neighbour (one variable changed, projected into the TR) is accepted with probability exp(−Δ/T).
import { argmin, mutateOne, project, randomCandidates, type AcqOptimizer, type OptimizeContext } from './common.js';
import type { X } from '../space.js';

export function saOptimizer(opts: { restarts?: number; steps?: number; cooling?: number } = {}): AcqOptimizer {
  const { restarts = 3, steps = 100, cooling = 0.8 } = opts;
  return {
    name: 'SA',
    optimize(ctx: OptimizeContext): X {
      const starts = [ctx.incumbent.slice(), ...randomCandidates(ctx, Math.max(restarts - 1, 20))];
      const startVals = ctx.acq(starts);
      const t0 = Math.max(Math.max(...startVals) - Math.min(...startVals), 1e-12);
      let best = starts[argmin(startVals)];
      let bestVal = startVals[argmin(startVals)];
      for (let r = 0; r < restarts; r++) {
        let x = starts[r];
        let fx = startVals[r];
        let t = t0;
        for (let s = 0; s < steps; s++) {
          const cand = project(ctx, mutateOne(x, ctx.space, ctx.rng));
          const fc = ctx.acq([cand])[0];
          if (fc <= fx || ctx.rng() < Math.exp(-(fc - fx) / t)) [x, fx] = [cand, fc];
          if (fx < bestVal) [best, bestVal] = [x, fx];
          t *= cooling;
        }
      }
      return best.slice();
    },
  };
}
