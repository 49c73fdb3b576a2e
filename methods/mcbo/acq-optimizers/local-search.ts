// COMBO's acquisition optimiser (spec §3): score N random points, then steepest descent over Hamming-1
// neighbours (every other category of every nominal variable) from the best few, until no neighbour improves.
// MCBO scores 20,000 points and descends from 20; COMBO-lite uses fewer (spec §5 [R]).
import type { X } from '../space.js';
import { argmin, project, randomCandidates, type AcqOptimizer, type OptimizeContext } from './common.js';

export function localSearch(opts: { nRandom?: number; nStarts?: number; maxSteps?: number } = {}): AcqOptimizer {
  const { nRandom = 20000, nStarts = 20, maxSteps = 50 } = opts;
  return {
    name: 'LS',
    optimize(ctx: OptimizeContext): X {
      const { space } = ctx;
      const pool = [ctx.incumbent.slice(), ...randomCandidates(ctx, nRandom - 1)];
      const vals = ctx.acq(pool);
      const order = Array.from(vals.keys())
        .sort((a, b) => vals[a] - vals[b])
        .slice(0, nStarts);
      const finals: X[] = [];
      const finalVals: number[] = [];
      for (const s of order) {
        let x = pool[s];
        let fx = vals[s];
        for (let step = 0; step < maxSteps; step++) {
          const neighbours: X[] = [];
          space.nominalDims.forEach((d, j) => {
            for (let c = 0; c < space.nCats[j]; c++) {
              if (c === x[d]) continue;
              const n = x.slice();
              n[d] = c;
              neighbours.push(project(ctx, n));
            }
          });
          const nv = ctx.acq(neighbours);
          const i = argmin(nv);
          if (!(nv[i] < fx)) break;
          [x, fx] = [neighbours[i], nv[i]];
        }
        finals.push(x);
        finalVals.push(fx);
      }
      return finals[argmin(finalVals)].slice();
    },
  };
}
