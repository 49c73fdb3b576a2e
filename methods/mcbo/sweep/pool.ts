// The local sweep runner: a pool of worker processes (node child_process.fork) drains a list of jobs. Each result
// is written to <outDir>/<jobId>.json (via a temporary file and a rename, so a file is whole or absent); jobs whose
// file exists are skipped, so re-running a sweep resumes it. A worker that dies mid-job is replaced and its job
// retried (up to maxAttempts); a job that throws is reported as failed and not retried.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn } from '../../../index.js';
import { jobId, validateJob, type Job, type JobResult } from './job.js';

export interface PoolOptions {
  workers: number;
  outDir: string;
  maxAttempts?: number;
  /** shows done/failed/ETA on stderr (default true) */
  progress?: boolean;
  /** called with each worker process as it starts (tests use it to kill one mid-job) */
  onWorkerStart?: (child: ChildProcess) => void;
}

export interface PoolSummary {
  results: JobResult[];
  skipped: number;
  failed: { job: Job; error: string }[];
  retried: number;
  wallSeconds: number;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** A job-running child process (worker.ts over IPC); stderr is passed through. */
export function forkWorker(): ChildProcess {
  return fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

export function resultPath(outDir: string, job: Job): string {
  return join(outDir, `${jobId(job)}.json`);
}

export async function runPool(rawJobs: readonly unknown[], opts: PoolOptions): Promise<PoolSummary> {
  if (!(Number.isInteger(opts.workers) && opts.workers >= 1))
    throw new Error(`mcbo runPool: workers must be an integer >= 1, got ${opts.workers}`);
  const jobs = rawJobs.map(validateJob);
  mkdirSync(opts.outDir, { recursive: true });
  const t0 = performance.now();
  const results: JobResult[] = [];
  const failed: { job: Job; error: string }[] = [];
  const pending: { job: Job; attempts: number }[] = [];
  for (const job of jobs) {
    const path = resultPath(opts.outDir, job);
    if (existsSync(path)) results.push(JSON.parse(readFileSync(path, 'utf8')) as JobResult);
    else pending.push({ job, attempts: 0 });
  }
  const skipped = results.length;
  const total = pending.length;
  const bar = opts.progress === false ? null : new nn.ProgressBar(total, { label: 'sweep' });
  let done = 0;
  let retried = 0;
  const maxAttempts = opts.maxAttempts ?? 3;
  if (!total) return { results, skipped, failed, retried, wallSeconds: 0 };

  await new Promise<void>((resolve) => {
    let active = 0;
    let nextId = 0;
    const report = () => bar?.update(done, { failed: String(failed.length), workers: String(active) });
    const finishOne = () => {
      done++;
      report();
      if (done === total) resolve();
    };
    const start = () => {
      const child = forkWorker();
      opts.onWorkerStart?.(child);
      active++;
      let current: { id: number; job: Job; attempts: number } | null = null;
      const give = () => {
        const next = pending.shift();
        if (!next) {
          current = null;
          child.disconnect();
          return;
        }
        current = { id: nextId++, ...next, attempts: next.attempts + 1 };
        child.send({ id: current.id, job: current.job });
      };
      child.on('message', (msg: { ready?: boolean; id?: number; result?: JobResult; error?: string }) => {
        if (msg.ready) return give();
        if (!current || msg.id !== current.id) return;
        if (msg.result) {
          const path = resultPath(opts.outDir, current.job);
          writeFileSync(`${path}.tmp`, JSON.stringify(msg.result));
          renameSync(`${path}.tmp`, path);
          results.push(msg.result);
        } else {
          failed.push({ job: current.job, error: msg.error ?? 'unknown error' });
        }
        finishOne();
        give();
      });
      child.on('exit', (code, signal) => {
        active--;
        if (current) {
          // died mid-job: retry it on a fresh worker, or give up after maxAttempts
          const lost = current;
          current = null;
          if (lost.attempts < maxAttempts) {
            retried++;
            pending.unshift({ job: lost.job, attempts: lost.attempts });
          } else {
            failed.push({
              job: lost.job,
              error: `worker exited (code ${code}, signal ${signal}) ${lost.attempts} times`,
            });
            finishOne();
          }
          if (pending.length) start();
        }
      });
    };
    for (let w = 0; w < Math.min(opts.workers, total); w++) start();
  });
  bar?.finish({ failed: String(failed.length) });
  return { results, skipped, failed, retried, wallSeconds: (performance.now() - t0) / 1000 };
}
