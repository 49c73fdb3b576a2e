// `npm run sweep:worker -- --queue redis://host:port [--concurrency N] [--lock-ms MS]`: drains the sweep queue
// until stopped (SIGINT/SIGTERM finish the running jobs first). Each job runs in its own child process, so this
// process's event loop stays free to renew the job's lock; a job that throws fails at once (re-running the same
// data would throw again), a killed worker's job is recovered by another worker's stalled-job check.
import { Worker, UnrecoverableError } from 'bullmq';
import { validateJob, jobId, type Job, type JobResult } from './job.js';
import { forkWorker } from './pool.js';
import { QUEUE_NAME, redisConnection } from './queue.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const url = flag('--queue');
if (!url)
  throw new Error(
    'sweep:worker: usage: npm run sweep:worker -- --queue redis://host:port [--concurrency N] [--lock-ms MS]',
  );
const concurrency = Number(flag('--concurrency') ?? 1);
const lockMs = Number(flag('--lock-ms') ?? 30000);
if (!(Number.isInteger(concurrency) && concurrency >= 1))
  throw new Error(`sweep:worker: --concurrency must be an integer >= 1, got ${flag('--concurrency')}`);
if (!(Number.isInteger(lockMs) && lockMs >= 1000))
  throw new Error(`sweep:worker: --lock-ms must be an integer >= 1000, got ${flag('--lock-ms')}`);

/** Runs one job in a fresh child process; a throw inside the job becomes an UnrecoverableError (no retry). */
function runInChild(job: Job): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = forkWorker();
    child.on('message', (msg: { ready?: boolean; result?: JobResult; error?: string }) => {
      if (msg.ready) return child.send({ id: 0, job });
      child.kill();
      if (msg.result) resolve(msg.result);
      else reject(new UnrecoverableError(msg.error ?? 'unknown error'));
    });
    child.on('exit', (code, signal) => reject(new Error(`job process exited (code ${code}, signal ${signal})`)));
  });
}

const connection = redisConnection(url);
await connection.connect();
const worker = new Worker<Job, JobResult>(
  QUEUE_NAME,
  async (bull) => {
    let job: Job;
    try {
      job = validateJob(bull.data);
    } catch (e) {
      throw new UnrecoverableError((e as Error).message); // bad data stays bad: fail without retrying
    }
    console.log(
      `started ${jobId(job)} (attempt ${bull.attemptsMade + 1}, stalled ${bull.stalledCounter} times before)`,
    );
    return runInChild(job);
  },
  { connection, concurrency, lockDuration: lockMs, stalledInterval: Math.max(500, lockMs / 2), maxStalledCount: 2 },
);
worker.on('completed', (bull) => console.log(`done ${bull.id}`));
worker.on('failed', (bull, err) => console.log(`failed ${bull?.id}: ${err.message}`));
console.log(`sweep worker on ${QUEUE_NAME} (concurrency ${concurrency}, lock ${lockMs} ms)`);
const stop = async () => {
  await worker.close();
  connection.disconnect();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
