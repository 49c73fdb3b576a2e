// Learning-rate schedules. A schedule is a factor of the step number; a scheduler sets each group's
// lr = initialLr * factor(step), so it composes with whatever lr the optimiser was built with, and factors
// compose by multiplication (`compose`). Like torch's LambdaLR: the constructor applies step 0, each `step()`
// advances by one.
import type { BaseOptions, Optimizer } from './optimizer.js';

export type Schedule = (step: number) => number;

/** lr * 1 at every step. */
export const constant = (): Schedule => () => 1;

/** Linear warmup from 1/warmupSteps to 1 over the first warmupSteps steps, then 1 (nanoGPT's (it+1)/warmup). */
export function linearWarmup(warmupSteps: number): Schedule {
  checkCount('linearWarmup', 'warmupSteps', warmupSteps);
  return (s) => (s < warmupSteps ? (s + 1) / warmupSteps : 1);
}

/** Multiplies by gamma every stepSize steps (torch's StepLR). */
export function stepDecay(opts: { stepSize: number; gamma?: number }): Schedule {
  checkCount('stepDecay', 'stepSize', opts.stepSize, 1);
  const gamma = opts.gamma ?? 0.1;
  return (s) => gamma ** Math.floor(s / opts.stepSize);
}

interface DecayOptions {
  totalSteps: number;
  warmupSteps?: number;
  /** factor reached at totalSteps and kept afterwards */
  minFactor?: number;
}

/** Progress through the decay phase, in [0, 1]. */
function progress(s: number, warmup: number, total: number): number {
  return Math.min(1, Math.max(0, (s - warmup) / Math.max(1, total - warmup)));
}

/** Optional linear warmup, then linear decay from 1 to minFactor at totalSteps. */
export function linearDecay(opts: DecayOptions): Schedule {
  const { warmupSteps = 0, minFactor = 0, totalSteps } = checkDecay('linearDecay', opts);
  const warm = warmupSteps > 0 ? linearWarmup(warmupSteps) : constant();
  return (s) => (s < warmupSteps ? warm(s) : 1 - (1 - minFactor) * progress(s, warmupSteps, totalSteps));
}

/** Optional linear warmup, then half a cosine from 1 to minFactor at totalSteps (Loshchilov & Hutter 2017, SGDR). */
export function cosine(opts: DecayOptions): Schedule {
  const { warmupSteps = 0, minFactor = 0, totalSteps } = checkDecay('cosine', opts);
  const warm = warmupSteps > 0 ? linearWarmup(warmupSteps) : constant();
  return (s) => (s < warmupSteps ? warm(s)
    : minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress(s, warmupSteps, totalSteps))));
}

/** The product of several schedules (e.g. warmup times step decay). */
export const compose = (...schedules: Schedule[]): Schedule => (s) => schedules.reduce((f, sch) => f * sch(s), 1);

function checkCount(op: string, name: string, v: number, min = 0): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
}

function checkDecay(op: string, opts: DecayOptions): DecayOptions {
  checkCount(op, 'totalSteps', opts.totalSteps, 1);
  checkCount(op, 'warmupSteps', opts.warmupSteps ?? 0);
  if ((opts.warmupSteps ?? 0) > opts.totalSteps) throw new Error(`${op}: warmupSteps ${opts.warmupSteps} exceeds totalSteps ${opts.totalSteps}`);
  return opts;
}

/** Applies a schedule (one per group, or one for all) to an optimiser's learning rates. */
export class LRScheduler {
  /** the number of step() calls so far */
  lastStep = 0;
  private readonly schedules: Schedule[];

  constructor(readonly optimizer: Optimizer<BaseOptions>, schedule: Schedule | Schedule[]) {
    const n = optimizer.paramGroups.length;
    this.schedules = Array.isArray(schedule) ? schedule : Array(n).fill(schedule);
    if (this.schedules.length !== n) throw new Error(`LRScheduler: ${this.schedules.length} schedules for ${n} parameter groups`);
    this.apply();
  }

  step(): void {
    this.lastStep++;
    this.apply();
  }

  /** The learning rate of each group now. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): { lastStep: number } {
    return { lastStep: this.lastStep };
  }

  loadStateDict(sd: { lastStep: number }): void {
    this.lastStep = sd.lastStep;
    this.apply();
  }

  private apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = g.initialLr * this.schedules[i](this.lastStep); });
  }
}
