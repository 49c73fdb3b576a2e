// `npm run bench` (full) and `npm run bench -- --quick` (the smoke run CI does, about 2 minutes on lavapipe).
// `--only=matmul,mlp,gpt` runs some suites; `--no-peers` leaves out TensorFlow.js and jax-js.
// Prints each result as it comes, the table last, and writes bench/results/<adapter>-<mode>.json, a markdown table
// (<adapter>-<mode>.md, for BENCHMARKS.md) and, in full runs, SVG charts.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ready, shutdown } from '../index.js';
import { maxBatch } from '../core/executor.js';
import { quick } from './harness.js';
import { rows } from './common.js';
import { shareDawn, loadTf, loadJax, versions, type Tf, type Jax } from './peers.js';
import { matmulSuite } from './suites/matmul.js';
import { kernelSuite } from './suites/kernels.js';
import { overheadSuite } from './suites/overheads.js';
import { mlpSuite } from './suites/mlp.js';
import { gptSuite } from './suites/gpt.js';
import { ceilingSuite } from './suites/ceilings.js';
import { markdownTable, printTable, writeCharts, writeJson } from './report.js';
import { writeFileSync } from 'node:fs';

export interface Peers { tf: [string, Tf][]; jax: [string, Jax][] }

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = arg('only')?.split(',');
const wanted = (suite: string) => !only || only.includes(suite);

await shareDawn();
const info = await ready();
console.log(`tessera bench (${quick ? 'quick' : 'full'}) on ${info.adapter}; ${os.cpus().length} cpus (${os.cpus()[0]?.model}); ` +
  `LP_NUM_THREADS=${process.env.LP_NUM_THREADS ?? 'unset'}`);

// One peer backend at a time: tfjs switches backends globally, so each suite loops over them in turn.
const peers: Peers = { tf: [], jax: [] };
if (!process.argv.includes('--no-peers')) {
  for (const backend of ['webgpu', 'wasm'] as const) {
    const tf = await loadTf(backend);
    if (tf) peers.tf.push([`tfjs ${backend}`, tf]);
  }
  for (const device of ['webgpu', 'wasm'] as const) {
    const jax = await loadJax(device);
    if (jax) peers.jax.push([`jax-js ${device}`, jax]);
  }
}
// tfjs has one active backend: wrap each entry so that using it first selects its backend (setBackend switches
// synchronously once a backend is initialised, which peers.ts awaited).
peers.tf = peers.tf.map(([name, tf]) => [name, new Proxy(tf, { get: (t, k) => { if (t.getBackend() !== name.split(' ')[1]) void t.setBackend(name.split(' ')[1]); return Reflect.get(t, k); } })]);
peers.jax = peers.jax.map(([name, jax]) => [name, new Proxy(jax, { get: (j, k) => { j.defaultDevice(name.split(' ')[1] as 'webgpu' | 'wasm'); return Reflect.get(j, k); } })]);

const t0 = performance.now();
const seconds: Record<string, number> = {};
/** Runs a suite when wanted, noting how long it took (the quick run has a time budget: CI runs it). */
async function suite<T>(name: string, run: () => T | Promise<T>): Promise<T | null> {
  if (!wanted(name)) return null;
  const start = performance.now();
  const r = await run();
  seconds[name] = Math.round((performance.now() - start) / 1e3);
  return r;
}
const ceilings = (await suite('ceiling', ceilingSuite)) ?? { sgemmGflops: null, bandwidthGBps: null };
await suite('overhead', overheadSuite);
await suite('matmul', () => matmulSuite(peers));
await suite('kernels', () => kernelSuite(peers));
await suite('mlp', () => mlpSuite(peers));
await suite('gpt', () => gptSuite(peers));

printTable(rows);
const dir = fileURLToPath(new URL('./results', import.meta.url));
const slug = `${info.software ? 'lavapipe' : info.adapter.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-${quick ? 'quick' : 'full'}`;
writeJson(`${dir}/${slug}.json`, {
  date: new Date().toISOString(), mode: quick ? 'quick' : 'full', seconds: (performance.now() - t0) / 1e3,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: os.totalmem() / 2 ** 30, platform: `${os.platform()} ${os.release()}` },
  suiteSeconds: seconds, adapter: info, env: { LP_NUM_THREADS: process.env.LP_NUM_THREADS ?? null }, maxBatch, versions: versions(), ceilings,
}, rows);
writeFileSync(`${dir}/${slug}.md`, `${markdownTable(rows)}\n`);
const charts = quick ? [] : writeCharts(dir, rows, ceilings);
console.log(`\nseconds per suite: ${JSON.stringify(seconds)}`);
console.log(`wrote ${dir}/${slug}.json${charts.length ? ` and ${charts.join(', ')}` : ''} in ${((performance.now() - t0) / 1e3).toFixed(0)} s`);
shutdown();
process.exit(0);
