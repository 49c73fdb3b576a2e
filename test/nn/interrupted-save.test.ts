// Interrupted saves: a checkpoint or tokenizer save that dies midway (the process killed, or the disk full, here
// the file-size limit of `ulimit -f`) must leave the previous file loadable. Each case runs the save in a child
// process (interrupted-save-child.ts) and interrupts it for real.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { full, nn } from '../../index.js';
import { safetensors, saveTokenizer, loadTokenizer } from '../../node.js';

const s = suite('nn interrupted save');
const dir = mkdtempSync(join(tmpdir(), 'tessera-save-'));
const child = fileURLToPath(new URL('./interrupted-save-child.ts', import.meta.url));
const childArgs = (...args: string[]) => [...process.execArgv, child, ...args];
const N = 4 * 1024 * 1024;

/** Runs the child under a file-size limit (kilobytes): its write fails with EFBIG partway, like a full disk. */
function runLimited(kilobytes: number, ...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const p = spawn('bash', ['-c', `ulimit -f ${kilobytes}; exec "$0" "$@"`, process.execPath, ...childArgs(...args)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, stderr })));
}

async function checkpointValues(path: string): Promise<Set<number>> {
  const { tensors } = await safetensors.load(path);
  const w = tensors.get('weights')!;
  assert.is(w.numel, N);
  const values = new Set(await w.data());
  w.dispose();
  return values;
}

s('a save killed mid-write leaves the old checkpoint loadable', async () => {
  const path = join(dir, 'killed.safetensors');
  const first = full([N], 1, { device: 'cpu' });
  await safetensors.save(path, { weights: first });
  first.dispose();
  const size = statSync(path).size;
  const p = spawn(process.execPath, childArgs('loop', path), { stdio: ['ignore', 'pipe', 'inherit'] });
  let started = false;
  p.stdout.on('data', () => (started = true));
  const exited = new Promise((resolve) => p.on('close', resolve));
  // Kill the moment a write is seen in progress: a temporary file exists, or the target itself is partly written.
  const deadline = Date.now() + 30_000;
  for (;;) {
    assert.ok(Date.now() < deadline, 'never caught the child writing');
    const writing = started && (readdirSync(dir).some((f) => f.endsWith('.tmp')) || statSync(path).size !== size);
    if (writing) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  p.kill('SIGKILL');
  await exited;
  const values = await checkpointValues(path); // the old file, or a complete newer one
  assert.is(values.size, 1);
  for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f)); // the killed writer's leftover
});

s('a save that fails partway (disk full) leaves the old checkpoint and no temporary file', async () => {
  const path = join(dir, 'full-disk.safetensors');
  const first = full([N], 1, { device: 'cpu' });
  await safetensors.save(path, { weights: first });
  first.dispose();
  const { code, stderr } = await runLimited(1024, 'once', path);
  assert.is.not(code, 0);
  assert.match(stderr, 'EFBIG');
  assert.equal([...(await checkpointValues(path))], [1]);
  assert.equal(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

s('a tokenizer save that fails partway leaves the old tokenizer file', async () => {
  const path = join(dir, 'tokenizer.json');
  saveTokenizer(nn.text.CharTokenizer.train('ab'), path);
  const { code, stderr } = await runLimited(16, 'tokenizer', path);
  assert.is.not(code, 0);
  assert.match(stderr, 'EFBIG');
  assert.equal((loadTokenizer(path) as nn.text.CharTokenizer).chars, ['a', 'b']);
  assert.equal(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

s.after(() => rmSync(dir, { recursive: true, force: true }));
s.run();
