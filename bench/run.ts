// `npm run bench` (full) and `npm run bench -- --quick` (the smoke run CI does, about 2 minutes on lavapipe).
// `--only=matmul,mlp,gpt` runs some suites; `--no-peers` leaves out TensorFlow.js and jax-js, `--peers=webgpu`
// keeps only their webgpu backends. Sizes follow the adapter (bench/sizes.ts: small on software adapters, issue
// 11's on a real GPU; `--sizes=software|gpu|tiny` overrides). `--budget=S` stops timing after S seconds (the
// rest is printed as skipped, and the process exits by S + 60 whatever happens), `--max-time=S` caps each
// benchmark. The torch suite adds PyTorch CUDA on the same card where python3 has it (bench/gpu.sh runs all this
// on a lent GPU). Prints each result as it comes, with the seconds since the start, the table last, and writes
// results/<device>-<mode>.json (rewritten after every suite, so a run stopped early keeps what it measured), a
// markdown table (<device>-<mode>.md, for BENCHMARKS.md) and, in full runs, SVG charts. results/ is bench/results
// from the sources and .gpu/results in the bundle.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ready, shutdown } from '../index.js';
import { maxBatch } from '../core/executor.js';
import { budgetS, elapsedS, OutOfTime, quick } from './harness.js';
import { attempt, failures, rows, stamp } from './common.js';
import { benchSizes, sizeTable } from './sizes.js';
import { deviceSlug } from './device-name.js';
import { issue11Targets, targetTable } from './targets.js';
import { shareDawn, loadTf, loadJax, versions, type Tf, type Jax } from './peers.js';
import { matmulSuite } from './suites/matmul.js';
import { kernelSuite } from './suites/kernels.js';
import { overheadSuite } from './suites/overheads.js';
import { mlpSuite } from './suites/mlp.js';
import { gptSuite } from './suites/gpt.js';
import { ceilingSuite, type Ceilings } from './suites/ceilings.js';
import { halfSuite } from './suites/half.js';
import { torchSuite } from './suites/torch.js';
import { markdownTable, printTable, writeCharts, writeJson } from './report.js';
import { writeFileSync } from 'node:fs';

export interface Peers { tf: [string, Tf][]; jax: [string, Jax][] }

// the last occurrence wins, so a wrapper's defaults can be overridden by appending
const arg = (name: string) => [...process.argv].reverse().find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = arg('only')?.split(',');
const wanted = (suite: string) => !only || only.includes(suite);

await shareDawn();
const info = await ready();
const sizes = benchSizes(sizeTable(info.software, arg('sizes')), quick);
console.log(`tessera bench (${quick ? 'quick' : 'full'}, ${sizes.table} sizes) on ${info.adapter}; ${os.cpus().length} cpus (${os.cpus()[0]?.model}); ` +
  `LP_NUM_THREADS=${process.env.LP_NUM_THREADS ?? 'unset'}; features: ${info.features.join(', ')}${Number.isFinite(budgetS) ? `; time budget ${budgetS} s` : ''}`);

// One peer backend at a time: tfjs switches backends globally, so each suite loops over them in turn.
const peers: Peers = { tf: [], jax: [] };
const peerBackends = process.argv.includes('--no-peers') ? [] : (arg('peers')?.split(',') ?? ['webgpu', 'wasm']);
for (const b of peerBackends) if (b !== 'webgpu' && b !== 'wasm') throw new Error(`bench: --peers=${b} is not a peer backend (valid: webgpu, wasm)`);
for (const backend of peerBackends as ('webgpu' | 'wasm')[]) {
  const tf = await loadTf(backend);
  if (tf) peers.tf.push([`tfjs ${backend}`, tf]);
}
for (const device of peerBackends as ('webgpu' | 'wasm')[]) {
  const jax = await loadJax(device);
  if (jax) peers.jax.push([`jax-js ${device}`, jax]);
}
// tfjs has one active backend: wrap each entry so that using it first selects its backend (setBackend switches
// synchronously once a backend is initialised, which peers.ts awaited).
peers.tf = peers.tf.map(([name, tf]) => [name, new Proxy(tf, { get: (t, k) => { if (t.getBackend() !== name.split(' ')[1]) void t.setBackend(name.split(' ')[1]); return Reflect.get(t, k); } })]);
peers.jax = peers.jax.map(([name, jax]) => [name, new Proxy(jax, { get: (j, k) => { j.defaultDevice(name.split(' ')[1] as 'webgpu' | 'wasm'); return Reflect.get(j, k); } })]);

const seconds: Record<string, number> = {};
const dir = fileURLToPath(new URL('./results', import.meta.url));
// e.g. lavapipe-quick, nvidia-h200-full, lavapipe-tiny; a table forced onto the other kind of adapter says so
const natural = sizes.table === sizeTable(info.software);
const slug = `${deviceSlug(info)}-${sizes.table === 'tiny' ? 'tiny' : `${natural ? '' : `${sizes.table}-sizes-`}${quick ? 'quick' : 'full'}`}`;
let ceilings: Ceilings = { sgemmGflops: null, bandwidthGBps: null };

/** Writes the JSON and the markdown table of what was measured so far (after every suite, and at the end). */
function save(): void {
  writeJson(`${dir}/${slug}.json`, {
    date: new Date().toISOString(), mode: quick ? 'quick' : 'full', sizes: sizes.table, seconds: elapsedS(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: os.totalmem() / 2 ** 30, platform: `${os.platform()} ${os.release()}` },
    suiteSeconds: seconds, failures, adapter: info, env: { LP_NUM_THREADS: process.env.LP_NUM_THREADS ?? null }, maxBatch, versions: versions(), ceilings,
    args: process.argv.slice(2),
  }, rows);
  // issue 11's targets are stated for a real GPU at its sizes: judged only there
  const targets = sizes.table === 'gpu' ? `\n\n${targetTable(issue11Targets(rows, failures, sizes.queued))}` : '';
  writeFileSync(`${dir}/${slug}.md`, `${markdownTable(rows)}${targets}\n`);
}

// The hard stop: a minute after the budget, whatever is running, write what was measured and exit.
if (Number.isFinite(budgetS)) {
  setTimeout(() => {
    console.log(`${stamp()} hard stop: ${budgetS + 60} s passed; writing the results measured so far`);
    save();
    process.exit(3);
  }, (budgetS + 60) * 1e3).unref();
}

/** Runs a suite when wanted, noting how long it took; once the time budget is spent, says so and goes on. */
async function suite<T>(name: string, run: () => T | Promise<T>): Promise<T | null> {
  if (!wanted(name)) return null;
  const start = performance.now();
  console.log(`${stamp()} == suite ${name}`);
  let result: T | null = null;
  try {
    await attempt(name, '(the rest of the suite)', async () => { result = await run(); });
  } catch (e) {
    if (!(e instanceof OutOfTime)) throw e;
    console.log(`${stamp()} ${name.padEnd(12)} skipped from here: ${e.message}`);
  } finally {
    seconds[name] = Math.round((performance.now() - start) / 1e3);
    save();
  }
  return result;
}
// Most wanted first, so that a run stopped by its budget has measured what the comparison needs.
ceilings = (await suite('ceiling', ceilingSuite)) ?? ceilings;
await suite('overhead', overheadSuite);
await suite('torch', () => torchSuite(sizes));
await suite('matmul', () => matmulSuite(peers, sizes));
await suite('kernels', () => kernelSuite(peers, sizes));
await suite('half', () => halfSuite(sizes));
await suite('gpt', () => gptSuite(peers, sizes));
await suite('mlp', () => mlpSuite(peers, sizes.queued));

printTable(rows);
if (sizes.table === 'gpu') console.log(`\n${targetTable(issue11Targets(rows, failures, sizes.queued))}`);
save();
const charts = quick || sizes.table === 'tiny' ? [] : writeCharts(dir, rows, ceilings);
console.log(`\nseconds per suite: ${JSON.stringify(seconds)}`);
console.log(`wrote ${dir}/${slug}.json and .md${charts.length ? `, ${charts.join(', ')}` : ''} in ${elapsedS().toFixed(0)} s`);
if (failures.length) console.log(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
shutdown();
process.exit(failures.length ? 1 : 0);
