// The debug flags: TESSERA_CHECK_NAN names the first op producing a non-finite value (run in a child process with
// the variable set, as a user would), TESSERA_VALIDATE reports a webgpu result that differs from the cpu reference,
// TESSERA_LOG_OPS prints each op, TESSERA_PRINT_WGSL prints each new kernel.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { apply, debugChecksDone, elementwise, flags, tensor, type OpSpec } from '../../index.js';

const test = suite('core/debug');
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `fn` with one flag switched on, returning what it printed to console.log and console.error. */
async function withFlag(flag: keyof typeof flags, fn: () => Promise<unknown> | unknown): Promise<string> {
  const lines: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = console.error = (...a: unknown[]) => { lines.push(a.join(' ')); };
  flags[flag] = true;
  try {
    await fn();
    await debugChecksDone();
  } finally {
    flags[flag] = false;
    [console.log, console.error] = [log, error];
  }
  return lines.join('\n');
}

test('TESSERA_CHECK_NAN=1 names the first op with a non-finite output (a child process with the variable set)', () => {
  const script = `
    import { tensor, debugChecksDone } from './index.ts';
    const y = tensor([1, 0, 2]).mul(3).log(); // op 3: log(0) = -inf
    y.mul(0).add(1);                          // NaN from here on, but log came first
    await debugChecksDone();`;
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const on = run({ TESSERA_CHECK_NAN: '1' });
  assert.is(on.status, 0, on.stderr);
  assert.match(on.stderr, /op \d+ \(log\) produced -Infinity at flat index 1 of its \[3\] output; it is the first op/);
  assert.not.match(on.stderr, /\(mul\) produced|\(add\) produced/, 'only the first offender is named');
  assert.not.match(run({ TESSERA_CHECK_NAN: '0' }).stderr, /produced/, 'off unless set');
});

test('TESSERA_VALIDATE reports a webgpu op that differs from its cpu reference, and is quiet otherwise', async () => {
  const quiet = await withFlag('validate', async () => {
    const x = tensor([[1, 2], [3, 4]], { device: 'webgpu' });
    await x.T.exp().add(x).sum(1).data();
  });
  assert.is(quiet, '');
  // an op whose kernel is wrong on purpose: it adds 1 where its reference does not
  const broken: OpSpec<void> = {
    name: 'brokenCopy',
    infer: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
    cpu: (out, [x]) => { elementwise(UNARY_COPY, [x], [], { out }); },
    webgpu: (out, [x]) => { elementwise(ADD_ONE, [x], [], { out }); },
    backward: null,
  };
  const report = await withFlag('validate', () => apply(broken, [tensor([5, 6], { device: 'webgpu' })], undefined).data());
  assert.match(report, /op \d+ \(brokenCopy\) differs from its cpu reference at flat index 0: webgpu 6, cpu 5/);
});
const UNARY_COPY = { name: 'copy', arity: 1, kind: 'any' as const, wgsl: 'a', cpu: (a: number) => a, backward: null };
const ADD_ONE = { name: 'addOne', arity: 1, kind: 'any' as const, wgsl: 'a + 1.0', cpu: (a: number) => a + 1, backward: null };

test('TESSERA_LOG_OPS prints each op with its shapes, dtypes, device and time', async () => {
  const log = await withFlag('logOps', () => tensor([[1, 2]]).sum(1, true));
  assert.match(log, /\[op \d+\] sum\(\[1, 2\]f32\) -> \[1, 1\]f32 on cpu \d+\.\d+ ms/);
});

test('TESSERA_PRINT_WGSL prints the source of each kernel when it is first built', async () => {
  const wgsl = await withFlag('printWgsl', () => elementwise({ ...ADD_ONE, wgsl: 'a * 3.0 + 0.25' }, [tensor([1], { device: 'webgpu' })]).data());
  assert.match(wgsl, /\/\/ ---- kernel ew\|a \* 3\.0 \+ 0\.25/);
  assert.match(wgsl, /@compute @workgroup_size\(256\)/);
});

test.run();
