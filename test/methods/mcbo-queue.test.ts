import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Job as BullJob } from 'bullmq';
import { redisConnection, runQueueSweep, QUEUE_NAME } from '../../methods/mcbo/sweep/queue.js';

// A real redis-server (Debian's package, installed by scripts/setup-redis.sh) on a free loopback port with a
// password, two real `sweep:worker` processes, and one of them SIGKILLed while it runs a job.
const s = suite('methods/mcbo sweep queue (BullMQ on redis-server)');
const PASSWORD = 'tessera-test';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits (at most ms) until `ready` holds, polling every 100 ms. */
async function until(what: string, ready: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startRedis(): Promise<{ url: string; server: ChildProcess }> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let log = '';
  server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  await until('redis-server to accept connections', () => log.includes('Ready to accept connections'), 10000);
  const url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
  return { url, server };
}

function startWorker(url: string): { child: ChildProcess; lines: string[] } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'methods/mcbo/sweep/queue-worker.ts', '--queue', url, '--lock-ms', '2000'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  return { child, lines };
}

s('redisConnection accepts redis:// and rediss:// only, with a sentence otherwise', () => {
  assert.throws(() => redisConnection('http://127.0.0.1:6379'), /redis:\/\/ or rediss:\/\//);
  assert.throws(() => redisConnection('not a url'), /--queue must be a URL/);
  redisConnection('rediss://:pw@127.0.0.1:6380').disconnect();
});

s(
  '2 workers drain a sweep; a worker killed mid-job has its job retried; bad data fails unrun; a re-run skips',
  async () => {
    const { url, server } = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'mcbo-queue-'));
    const workers = [startWorker(url), startWorker(url)];
    try {
      const options = { nInit: 5, budget: 12, epochs: 5 };
      const jobs = [0, 1, 2].map((seed) => ({ task: 'ackley20c', solver: 'TO+GA', seed, options }));
      // whichever worker starts a job first is killed in it (the other may start later, or take every job)
      let victim: (typeof workers)[number] | undefined;
      const killOnFirstJob = setInterval(() => {
        victim = workers.find((w) => w.lines.some((l) => l.startsWith('started')));
        if (victim) {
          victim.child.kill('SIGKILL');
          clearInterval(killOnFirstJob);
        }
      }, 20);
      const first = await runQueueSweep(jobs, {
        url,
        outDir: dir,
        progress: false,
        pollMs: 200,
        idleTimeoutMs: 120000,
      });
      clearInterval(killOnFirstJob);
      assert.ok(victim?.child.signalCode === 'SIGKILL', 'a worker was killed mid-job');
      const survivor = workers.find((w) => w !== victim)!;
      assert.is(first.failed.length, 0);
      assert.is(first.results.length, 3);
      assert.is(first.retried, 1);
      assert.is(readdirSync(dir).filter((f) => f.endsWith('.json')).length, 3);
      assert.ok(
        survivor.lines.some((l) => l.includes('stalled 1 times before')),
        survivor.lines.join('\n'),
      );

      // data that is not a known (task, solver, seed, options) fails at the worker's validation, without retries
      const connection = redisConnection(url);
      await connection.connect();
      const queue = new Queue(QUEUE_NAME, { connection });
      await queue.add('mcbo-job', { task: 'rm -rf /', solver: 'RS', seed: 0 }, { jobId: 'bad', attempts: 3 });
      const bad = () => BullJob.fromId(queue, 'bad');
      await until('the bad job to fail', async () => (await (await bad())!.getState()) === 'failed', 30000);
      const failedJob = (await bad())!;
      assert.match(failedJob.failedReason, /invalid job.*task must be one of/);
      assert.is(failedJob.attemptsMade, 1);
      await queue.close();
      connection.disconnect();

      const again = await runQueueSweep(jobs, { url, outDir: dir, progress: false });
      assert.is(again.skipped, 3);
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

s.run();
