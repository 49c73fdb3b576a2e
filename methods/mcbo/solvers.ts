// The named solvers of spec §5 as compositions of primitives, and the baselines. A sweep job names one of these;
// names are validated here before anything runs.
import { gaOptimizer } from './acq-optimizers/ga.js';
import { interleavedSearch } from './acq-optimizers/interleaved.js';
import { localSearch } from './acq-optimizers/local-search.js';
import { mabOptimizer } from './acq-optimizers/mab.js';
import { saOptimizer } from './acq-optimizers/sa.js';
import { genetic, hillClimb, randomSearch, simAnneal } from './baselines.js';
import { boBuilder } from './bo-builder.js';
import type { KernelName } from './models.js';
import type { Solver } from './solver.js';
import type { Task } from './tasks.js';

export interface SolverSettings {
  seed: number;
  nInit: number;
  budget: number;
  epochs: number;
}

/** The primitives of a BO solver (for the primitive ablation table); null for the baselines. */
export interface Primitives {
  kernel: KernelName;
  acqOpt: 'GA' | 'IS' | 'SA' | 'LS' | 'MAB';
  tr: boolean;
}

interface SolverEntry {
  primitives: Primitives | null;
  /** CoCaBO needs numeric variables (it runs on Ackley-53 only) */
  mixedOnly?: boolean;
  make(task: Task, s: SolverSettings): Solver;
}

const bo = (name: string, kernel: KernelName, acqOpt: Primitives['acqOpt'], tr: boolean): SolverEntry => ({
  primitives: { kernel, acqOpt, tr },
  mixedOnly: acqOpt === 'MAB',
  make: (task, s) =>
    boBuilder({
      name,
      space: task.space,
      kernel,
      acqFunc: 'ei',
      tr,
      nInit: s.nInit,
      epochs: s.epochs,
      seed: s.seed,
      acqOpt:
        acqOpt === 'GA'
          ? gaOptimizer()
          : acqOpt === 'IS'
            ? interleavedSearch()
            : acqOpt === 'SA'
              ? saOptimizer()
              : acqOpt === 'LS'
                ? localSearch({ nRandom: 2000, nStarts: 5 })
                : mabOptimizer({ budget: s.budget }),
    }),
});

export const SOLVERS: Record<string, SolverEntry> = {
  RS: { primitives: null, make: (t, s) => randomSearch(t.space, s.seed) },
  HC: { primitives: null, make: (t, s) => hillClimb(t.space, s.seed, s.nInit) },
  SA: { primitives: null, make: (t, s) => simAnneal(t.space, s.seed, s.nInit) },
  GA: { primitives: null, make: (t, s) => genetic(t.space, s.seed) },
  Casmopolitan: bo('Casmopolitan', 'TO', 'IS', true),
  'TO+GA+TR': bo('TO+GA+TR', 'TO', 'GA', true),
  'TO+GA': bo('TO+GA', 'TO', 'GA', false),
  'O+GA+TR': bo('O+GA+TR', 'O', 'GA', true),
  'TO+SA+TR': bo('TO+SA+TR', 'TO', 'SA', true),
  BODi: bo('BODi', 'HED', 'IS', false),
  'COMBO-lite': bo('COMBO-lite', 'diffusion', 'LS', false),
  CoCaBO: bo('CoCaBO', 'O', 'MAB', false),
};

export function makeSolver(name: string, task: Task, settings: SolverSettings): Solver {
  const entry = SOLVERS[name];
  if (!entry) throw new Error(`mcbo.makeSolver: unknown solver '${name}'; known: ${Object.keys(SOLVERS).join(', ')}`);
  if (entry.mixedOnly && task.space.numericDims.length === 0) {
    throw new Error(`mcbo.makeSolver: ${name} needs numeric variables; task '${task.name}' has none`);
  }
  return entry.make(task, settings);
}

/** Runs one solver on one task for `budget` evaluations; returns every observed value in order. */
export function runSolver(
  task: Task,
  solver: Solver,
  budget: number,
  onStep?: (i: number, y: number) => void,
): number[] {
  const ys: number[] = [];
  for (let i = 0; i < budget; i++) {
    const [x] = solver.suggest(1);
    const y = task.evaluate(x);
    solver.observe(x, y);
    ys.push(y);
    onStep?.(i, y);
  }
  return ys;
}
