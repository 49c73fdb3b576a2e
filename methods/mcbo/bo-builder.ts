// boBuilder composes a BO solver from primitives (MCBO bo_builder.py): a surrogate (kernel name), an acquisition
// function, an acquisition optimiser and optionally a trust region. The loop (spec §3): n_init uniform points;
// then each step fits the GP (on the TR buffer only, with a TR), optimises the acquisition inside the TR, and after
// the evaluation updates the TR; when a radius collapses, the TR restarts at the LCB argmin of a GP fitted to
// the previous TRs' bests, followed by n_init − 1 points sampled around it.
import type { nn } from '../../index.js';
import { ACQ_FUNCS, lcb } from './acquisition.js';
import type { AcqOptimizer } from './acq-optimizers/common.js';
import { argmin } from './acq-optimizers/common.js';
import { surrogate, type KernelName } from './models.js';
import { seededRng } from './random.js';
import { checkBatch, type Solver } from './solver.js';
import type { SearchSpace, X } from './space.js';
import { TrManager, fullRegion, inRegion, sampleInRegion } from './trust-region.js';

export interface BoOptions {
  name?: string;
  space: SearchSpace;
  kernel: KernelName;
  acqFunc: 'ei' | 'lcb' | 'ts';
  acqOpt: AcqOptimizer;
  tr: boolean;
  nInit: number;
  /** Adam epochs per fit (MCBO 100; full tier 50), warm-started from the previous fit */
  epochs?: number;
  seed: number;
}

export interface BoSolver extends Solver {
  /** the surrogate as last fitted (for model-fit diagnostics) */
  readonly model: nn.gp.ExactGP;
  /** the number of TR restarts so far */
  readonly restarts: number;
}

export function boBuilder(opts: BoOptions): BoSolver {
  const { space, nInit } = opts;
  const rng = seededRng(opts.seed);
  const acqFunc = ACQ_FUNCS[opts.acqFunc];
  if (!acqFunc)
    throw new Error(`mcbo.boBuilder: unknown acqFunc '${opts.acqFunc}'; known: ${Object.keys(ACQ_FUNCS).join(', ')}`);
  if (!(nInit >= 1)) throw new Error(`mcbo.boBuilder: nInit must be >= 1, got ${nInit}`);
  const model = surrogate(opts.kernel, space, opts.seed);
  const tr = opts.tr ? new TrManager(space) : null;
  const all: { x: X; y: number }[] = [];
  let buffer: { x: X; y: number }[] = []; // the data the model is fitted on (the current TR's, with a TR)
  const restartBests: { x: X; y: number }[] = [];
  let queue: X[] = space.sample(nInit, rng); // points to evaluate before the model is used
  let lastFromModel = false;
  let restarts = 0;
  const seen = new Set<string>();
  const fit = (data: { x: X; y: number }[], gp: nn.gp.ExactGP) =>
    gp.fit(
      data.map((d) => d.x),
      data.map((d) => d.y),
      { epochs: opts.epochs ?? 100, warmStart: true },
    );

  function restart(): void {
    const best = buffer[argmin(buffer.map((d) => d.y))];
    restartBests.push(best);
    const restartGp = fit(restartBests, surrogate(opts.kernel, space, opts.seed + restarts + 1));
    const cands = space.sample(1000, rng);
    const centre = cands[argmin(lcb(cands, restartGp, { yBest: best.y, rng }))];
    tr!.restart();
    restarts++;
    const region = tr!.region(centre);
    queue = [centre, ...sampleInRegion(region, space, nInit - 1, rng)];
    buffer = all.filter((d) => inRegion(d.x, region, space)); // earlier points that fall in the new TR
  }

  function propose(): X {
    fit(buffer, model);
    const ys = buffer.map((d) => d.y);
    const incumbent = buffer[argmin(ys)].x;
    const region = tr ? tr.region(incumbent) : null;
    const ctx = { yBest: Math.min(...ys), rng };
    let x = opts.acqOpt.optimize({ space, region, incumbent, rng, acq: (xs) => acqFunc(xs, model, ctx) });
    // never re-evaluate a point: replace a duplicate by a random one in the region
    for (let tries = 0; seen.has(x.join(',')) && tries < 100; tries++) {
      x = sampleInRegion(region ?? fullRegion(incumbent, space), space, 1, rng)[0];
    }
    return x;
  }

  return {
    name: opts.name ?? `${opts.kernel}+${opts.acqOpt.name}+${opts.acqFunc.toUpperCase()}${opts.tr ? '+TR' : ''}`,
    model,
    get restarts() {
      return restarts;
    },
    suggest(n = 1) {
      checkBatch('boBuilder', n);
      lastFromModel = queue.length === 0;
      return [queue.length ? queue.shift()! : propose()];
    },
    observe(x, y) {
      if (tr && lastFromModel) tr.adjust(y < Math.min(...buffer.map((d) => d.y)));
      all.push({ x, y });
      buffer.push({ x, y });
      seen.add(x.join(','));
      opts.acqOpt.observe?.(
        x,
        y,
        all.map((d) => d.y),
      );
      if (tr?.needsRestart) restart();
    },
  };
}
