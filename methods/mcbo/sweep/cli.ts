// `npm run sweep -- <spec.json> [--workers N] [--out DIR] [--queue redis://host:port]`: runs a sweep on the local
// worker pool, or with --queue enqueues it in BullMQ for `npm run sweep:worker` processes to drain, and prints the
// merged rank table. A spec is data: { "jobs": [{ task, solver, seed, options }] } or a grid
// { "tasks": [...], "solvers": [...], "seeds": [...], "options": { nInit, budget, epochs } }.
// Re-running the same spec skips the jobs whose result files exist.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReport, formatReport } from '../report.js';
import { gridJobs, validateJob, type Job } from './job.js';
import { runPool } from './pool.js';
import { runQueueSweep } from './queue.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const specPath = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (!specPath)
  throw new Error('sweep: usage: npm run sweep -- <spec.json> [--workers N] [--out DIR] [--queue redis://host:port]');
const queueUrl = flag('--queue');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as {
  jobs?: unknown[];
  tasks?: string[];
  solvers?: string[];
  seeds?: number[];
  options?: Job['options'];
};
const jobs: Job[] = spec.jobs
  ? spec.jobs.map(validateJob)
  : gridJobs(spec.tasks ?? [], spec.solvers ?? [], spec.seeds ?? [], spec.options as Job['options']);
if (!jobs.length)
  throw new Error(`sweep: ${specPath} lists no jobs (give "jobs" or non-empty "tasks", "solvers", "seeds")`);
const workers = Number(flag('--workers') ?? 2);
const outDir =
  flag('--out') ??
  join(fileURLToPath(new URL('..', import.meta.url)), 'results', 'sweeps', basename(specPath, '.json'));

console.log(
  queueUrl
    ? `sweep ${specPath}: ${jobs.length} jobs on the BullMQ queue; results in ${outDir}`
    : `sweep ${specPath}: ${jobs.length} jobs on ${workers} local workers; results in ${outDir}`,
);
const summary = queueUrl
  ? await runQueueSweep(jobs, { url: queueUrl, outDir })
  : await runPool(jobs, { workers, outDir });
console.log(
  `done: ${summary.results.length - summary.skipped} run, ${summary.skipped} already there, ${summary.failed.length} failed, ${summary.retried} retried; wall ${summary.wallSeconds.toFixed(1)} s`,
);
for (const f of summary.failed) console.log(`  failed ${f.job.task}/${f.job.solver}/${f.job.seed}: ${f.error}`);
const tasks = [...new Set(summary.results.map((r) => r.job.task))];
const budget = Math.min(...summary.results.map((r) => r.ys.length));
if (summary.results.length)
  console.log(
    formatReport(
      buildReport(
        summary.results.map((r) => ({ ...r.job, ys: r.ys })),
        tasks,
        [budget],
      ),
      tasks,
      [budget],
    ),
  );
