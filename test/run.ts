// The test entry point (`npm test`): initialises WebGPU, says which adapter runs the suite, runs every
// test/**/*.test.ts file with uvu, and ends with the plain "N passed, N failed" line.
// On CI a missing adapter fails the run: GPU tests are never skipped silently.
// `npm test -- ops/unary` runs only the files whose path contains that text.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ready, shutdown, memory } from '../index.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findTests(p);
    return name.endsWith('.test.ts') ? [p] : [];
  }).sort();
}

try {
  const info = await ready();
  console.log(`tessera tests on WebGPU adapter: ${info.adapter}${info.software ? ' (software)' : ''}; ` +
    `features: ${info.features.filter((f) => ['shader-f16', 'subgroups', 'timestamp-query'].includes(f)).join(', ')}`);
} catch (e) {
  console.error(`No WebGPU adapter: ${(e as Error).message}`);
  if (process.env.CI) {
    console.error('CI requires the webgpu backend; failing instead of skipping the GPU tests.');
    process.exit(1);
  }
  console.error('Running the cpu tests only; webgpu cases will fail.');
}

const g = globalThis as Record<string, unknown>;
g.UVU_DEFER = 1;
g.UVU_QUEUE = [];
const files = findTests(root).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
// A file that fails to load counts as one failed test; the others still run.
const brokenFiles: string[] = [];
for (const [i, file] of files.entries()) {
  g.UVU_INDEX = i;
  (g.UVU_QUEUE as unknown[][]).push([relative(root, file)]);
  try {
    await import(pathToFileURL(file).href);
  } catch (e) {
    brokenFiles.push(relative(root, file));
    console.error(`FAIL ${relative(root, file)} did not load: ${(e as Error).stack ?? e}`);
  }
}

const { exec } = await import('uvu');
let output = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;
const t0 = performance.now();
await exec();
process.stdout.write = write;
const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const failed = total - passed - skipped + brokenFiles.length;
const m = memory();
console.log(`test files: ${files.length}; wall time ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
  `live tensors at exit: ${m.tensors}`);
if (brokenFiles.length) console.log(`files that did not load: ${brokenFiles.join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
shutdown();
if (failed > 0 || total === 0) process.exitCode = 1;
