// Model fit of each kernel (spec §6): run the SA baseline for 100 evaluations, train the surrogate on points
// 1–75 and score the mean test log-likelihood (predictive density) of points 76–100.
import { KERNEL_NAMES, surrogate, type KernelName } from './models.js';
import { makeSolver } from './solvers.js';
import type { X } from './space.js';
import type { Task } from './tasks.js';

export function modelFit(task: Task, seed: number, epochs = 100): Record<KernelName, number> {
  const solver = makeSolver('SA', task, { seed, nInit: 10, budget: 100, epochs: 0 });
  const xs: X[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 100; i++) {
    const [x] = solver.suggest(1);
    const y = task.evaluate(x);
    solver.observe(x, y);
    xs.push(x);
    ys.push(y);
  }
  const out = {} as Record<KernelName, number>;
  for (const k of KERNEL_NAMES) {
    const gp = surrogate(k, task.space, seed).fit(xs.slice(0, 75), ys.slice(0, 75), { epochs, warmStart: false });
    out[k] = gp.logPredictiveDensity(xs.slice(75), ys.slice(75)) / 25;
  }
  return out;
}
