// Sweeps on a BullMQ queue (Redis): the submitter enqueues each job under its jobId, so submitting a sweep twice
// adds each job once; `sweep:worker` processes on any number of machines drain the queue; the submitter polls the
// jobs' states and writes each result to <outDir>/<jobId>.json as the local pool does, so a re-run skips them.
// A worker that dies mid-job stops renewing its lock; after lockMs another worker's stalled-job check puts the job
// back in the queue (BullMQ's stalled-job recovery), and it runs again. Jobs are data, validated on both sides.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Queue, Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { nn } from '../../../index.js';
import { jobId, validateJob, type Job, type JobResult } from './job.js';
import { resultPath, type PoolSummary } from './pool.js';

export const QUEUE_NAME = 'mcbo-sweep';
/** runs of one job before it counts as failed (a throw fails at once: see the worker) */
export const MAX_ATTEMPTS = 3;

/**
 * A Redis connection from `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS (ioredis reads both
 * forms). BullMQ's blocking calls need maxRetriesPerRequest = null.
 */
export function redisConnection(url: string): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `mcbo sweep: --queue must be a URL like redis://host:6379 or rediss://:password@host:6380, got '${url}'`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new Error(`mcbo sweep: --queue must use redis:// or rediss:// (TLS), got '${parsed.protocol}//'`);
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
}

export interface QueueSweepOptions {
  url: string;
  outDir: string;
  /** shows done/failed/ETA on stderr (default true) */
  progress?: boolean;
  /** how often the submitter reads the jobs' states (default 500 ms) */
  pollMs?: number;
  /** gives up (throws) when no job has finished for this long (default: wait forever) */
  idleTimeoutMs?: number;
}

/** Enqueues the jobs not already on disk and waits until every one has completed or failed. */
export async function runQueueSweep(rawJobs: readonly unknown[], opts: QueueSweepOptions): Promise<PoolSummary> {
  const jobs = rawJobs.map(validateJob);
  mkdirSync(opts.outDir, { recursive: true });
  const t0 = performance.now();
  const results: JobResult[] = [];
  const failed: { job: Job; error: string }[] = [];
  const pending = new Map<string, Job>();
  for (const job of jobs) {
    const path = resultPath(opts.outDir, job);
    if (existsSync(path)) results.push(JSON.parse(readFileSync(path, 'utf8')) as JobResult);
    else pending.set(jobId(job), job);
  }
  const skipped = results.length;
  if (!pending.size) return { results, skipped, failed, retried: 0, wallSeconds: 0 };

  const connection = redisConnection(opts.url);
  await connection.connect();
  const queue = new Queue(QUEUE_NAME, { connection });
  const bar = opts.progress === false ? null : new nn.ProgressBar(pending.size, { label: 'sweep (queue)' });
  let retried = 0;
  try {
    for (const [id, job] of pending) {
      await queue.add('mcbo-job', job, {
        jobId: id,
        attempts: MAX_ATTEMPTS,
        removeOnComplete: false,
        removeOnFail: false,
      });
    }
    let lastProgress = performance.now();
    while (pending.size) {
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
      for (const [id, job] of [...pending]) {
        const bull = await BullJob.fromId<Job, JobResult>(queue, id);
        if (!bull) throw new Error(`mcbo sweep: job ${id} vanished from the queue (was the Redis database flushed?)`);
        const state = await bull.getState();
        if (state !== 'completed' && state !== 'failed') continue;
        pending.delete(id);
        lastProgress = performance.now();
        if (bull.attemptsMade > 1 || (bull.stalledCounter ?? 0) > 0) retried++;
        if (state === 'completed') {
          const result = bull.returnvalue;
          const path = resultPath(opts.outDir, job);
          writeFileSync(`${path}.tmp`, JSON.stringify(result));
          renameSync(`${path}.tmp`, path);
          results.push(result);
        } else {
          failed.push({ job, error: bull.failedReason || 'failed' });
        }
      }
      bar?.update(jobs.length - skipped - pending.size, { failed: String(failed.length) });
      if (opts.idleTimeoutMs !== undefined && performance.now() - lastProgress > opts.idleTimeoutMs) {
        throw new Error(
          `mcbo sweep: no job finished for ${opts.idleTimeoutMs} ms; ${pending.size} still queued or running (are workers attached to ${QUEUE_NAME}?)`,
        );
      }
    }
    bar?.finish({ failed: String(failed.length) });
  } finally {
    await queue.close();
    connection.disconnect();
  }
  return { results, skipped, failed, retried, wallSeconds: (performance.now() - t0) / 1000 };
}
