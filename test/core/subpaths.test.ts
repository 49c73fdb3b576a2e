// Each subpath the package exports ('tessera', 'tessera/ops', 'tessera/nn') works on its own: a fresh process that
// imports only that entry point can build and run something. (There is no 'tessera/core': core alone cannot create
// a tensor or run an op; the ops layer installs those.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const test = suite('core/subpaths');
const root = fileURLToPath(new URL('../..', import.meta.url));

/** For each exported subpath, a script that imports only it and prints what it computed on the cpu. */
const CHECKS: Record<string, { script: string; prints: string }> = {
  '.': {
    script:
      `import { tensor, nn } from 'tessera'; const l = new nn.Linear(2, 3, { device: 'cpu' }); ` +
      `console.log(l.forward(tensor([[1, 2]], { device: 'cpu' })).shape.join('x'));`,
    prints: '1x3',
  },
  './ops': {
    script: `import { tensor } from 'tessera/ops'; console.log(await tensor([1, 2, 3], { device: 'cpu' }).mul(2).sum().item());`,
    prints: '12',
  },
  './nn': {
    script:
      `import { Linear, GELU, Sequential } from 'tessera/nn'; const m = new Sequential(new Linear(4, 2, { device: 'cpu' }), new GELU()); ` +
      `console.log(m.parameters().length, m.parameters()[0].exp().shape.join('x'));`,
    prints: '2 2x4',
  },
};

function run(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

test('package.json exports exactly the subpaths checked here', () => {
  const exports = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).exports as Record<string, unknown>;
  assert.equal(Object.keys(exports).sort(), Object.keys(CHECKS).sort());
});

test('each exported subpath works when it is the only import', async () => {
  const entries = Object.entries(CHECKS);
  const results = await Promise.all(entries.map(([, c]) => run(c.script)));
  results.forEach(({ status, stdout, stderr }, i) => {
    const [subpath, { prints }] = entries[i];
    assert.is(status, 0, `${subpath}: ${stderr}`);
    assert.is(stdout.trim(), prints, subpath);
  });
});

test.run();
