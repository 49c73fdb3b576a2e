// A sweep job is data, never code: (task, solver, seed, options), validated against the known tasks and solvers
// before it runs. Its result is the list of observed values, written to one file per job so that sweeps are
// idempotent and resumable.
import { SOLVERS, makeSolver, runSolver } from '../solvers.js';
import { TASKS, makeTask } from '../tasks.js';

export interface JobOptions {
  nInit: number;
  budget: number;
  /** Adam epochs per GP fit (warm-started) */
  epochs: number;
}

export interface Job {
  task: string;
  solver: string;
  seed: number;
  options: JobOptions;
}

export interface JobResult {
  job: Job;
  ys: number[];
  wallSeconds: number;
}

const isInt = (v: unknown, lo: number, hi: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** The job with only its known fields, or an error naming what is wrong. */
export function validateJob(raw: unknown): Job {
  const j = raw as Partial<Job> | null;
  const o = (j?.options ?? {}) as Partial<JobOptions>;
  const problems: string[] = [];
  if (typeof j?.task !== 'string' || !(j.task in TASKS))
    problems.push(`task must be one of ${Object.keys(TASKS).join(', ')} (got ${JSON.stringify(j?.task)})`);
  if (typeof j?.solver !== 'string' || !(j.solver in SOLVERS))
    problems.push(`solver must be one of ${Object.keys(SOLVERS).join(', ')} (got ${JSON.stringify(j?.solver)})`);
  if (!isInt(j?.seed, 0, 2 ** 31))
    problems.push(`seed must be an integer in [0, 2^31] (got ${JSON.stringify(j?.seed)})`);
  if (!isInt(o.budget, 1, 10000))
    problems.push(`options.budget must be an integer in [1, 10000] (got ${JSON.stringify(o.budget)})`);
  if (!isInt(o.nInit, 1, 10000) || (o.budget !== undefined && (o.nInit as number) > o.budget))
    problems.push(`options.nInit must be an integer in [1, budget] (got ${JSON.stringify(o.nInit)})`);
  if (!isInt(o.epochs, 0, 10000))
    problems.push(`options.epochs must be an integer in [0, 10000] (got ${JSON.stringify(o.epochs)})`);
  if (problems.length) throw new Error(`mcbo sweep: invalid job ${JSON.stringify(raw)}: ${problems.join('; ')}`);
  return {
    task: j!.task!,
    solver: j!.solver!,
    seed: j!.seed!,
    options: { nInit: o.nInit!, budget: o.budget!, epochs: o.epochs! },
  };
}

/** A file-name-safe identifier of the job (same job, same id). */
export function jobId(job: Job): string {
  const { nInit, budget, epochs } = job.options;
  return `${job.task}__${job.solver.replace(/[^A-Za-z0-9-]/g, '_')}__s${job.seed}__i${nInit}_b${budget}_e${epochs}`;
}

export function runJob(raw: unknown): JobResult {
  const job = validateJob(raw);
  const t0 = performance.now();
  const task = makeTask(job.task);
  const solver = makeSolver(job.solver, task, { seed: job.seed, ...job.options });
  const ys = runSolver(task, solver, job.options.budget);
  return { job, ys, wallSeconds: (performance.now() - t0) / 1000 };
}

/** Every (task, solver, seed) combination with the same options, skipping solvers a task cannot run. */
export function gridJobs(
  tasks: readonly string[],
  solvers: readonly string[],
  seeds: readonly number[],
  options: JobOptions,
): Job[] {
  return tasks.flatMap((task) =>
    solvers
      .filter((s) => !(SOLVERS[s]?.mixedOnly && task !== 'ackley53'))
      .flatMap((solver) => seeds.map((seed) => validateJob({ task, solver, seed, options }))),
  );
}
