// Casmopolitan's interleaved search (spec §3): from 3 starts (the incumbent and random TR points), 100 iterations
// each of one Adam step (lr 1e-3) on the numeric variables and one nominal mutation kept only if it lowers the
// acquisition. The numeric gradient is a central finite difference of the acquisition (MCBO differentiates the
// GP with torch autograd; declared deviation).
import { nn } from '../../../index.js';
import { randomInt } from '../random.js';
import type { X } from '../space.js';
import { argmin, project, randomCandidates, type AcqOptimizer, type OptimizeContext } from './common.js';

export function interleavedSearch(opts: { restarts?: number; iterations?: number; lr?: number } = {}): AcqOptimizer {
  const { restarts = 3, iterations = 100, lr = 1e-3 } = opts;
  return {
    name: 'IS',
    optimize(ctx: OptimizeContext): X {
      const { space, rng } = ctx;
      const num = space.numericDims;
      const nom = space.nominalDims;
      const results: X[] = [];
      for (const start of [ctx.incumbent.slice(), ...randomCandidates(ctx, restarts - 1)]) {
        let x = start;
        let fx = ctx.acq([x])[0];
        const adam = new nn.gp.HostAdam(num.length, lr);
        for (let it = 0; it < iterations; it++) {
          if (num.length) {
            const h = 1e-4;
            const probes = num.flatMap((d) =>
              [1, -1].map((s) => {
                const p = x.slice();
                p[d] += s * h;
                return p;
              }),
            );
            const f = ctx.acq(probes);
            const params = Float64Array.from(num, (d) => x[d]);
            adam.step(
              params,
              Float64Array.from(num, (_, k) => (f[2 * k] - f[2 * k + 1]) / (2 * h)),
            );
            const moved = x.slice();
            num.forEach((d, k) => {
              moved[d] = params[k];
            });
            x = project(ctx, moved); // clip to the TR box and round discrete numerics after each step
            fx = ctx.acq([x])[0];
          }
          if (nom.length) {
            const cand = x.slice();
            const j = randomInt(rng, nom.length);
            cand[nom[j]] = (cand[nom[j]] + 1 + randomInt(rng, space.nCats[j] - 1)) % space.nCats[j];
            project(ctx, cand);
            const fc = ctx.acq([cand])[0];
            if (fc < fx) [x, fx] = [cand, fc];
          }
        }
        results.push(x);
      }
      return results[argmin(ctx.acq(results))].slice();
    },
  };
}
