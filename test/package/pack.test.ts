// The package installs like any other (issue 12, part 1): `npm pack` builds dist/ (through the prepare script) and
// packs it, a fresh temporary project installs the tarball with npm, and plain JavaScript there, run by plain
// node with no TypeScript loader, imports tessera by name through each exported subpath and trains a small MLP on
// the cpu and on webgpu. Needs npm and its cache (the registry is asked only for what the cache lacks).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SUBPATH_CHECKS } from '../core/subpath-checks.js';

const test = suite('package/pack');
const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The child processes run outside the coverage report: keep c8 from recording the compiler and npm itself.
const env = { ...process.env, NODE_V8_COVERAGE: undefined };

const TS_CONSUMER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  types: [],
};
const TS_CONSUMER = `import { tensor, type Tensor } from 'tessera';
import { mseLoss } from 'tessera/ops';
import { Linear } from 'tessera/nn';
const x: Tensor = tensor([[1, 2]]);
const loss: number = await mseLoss(new Linear(2, 2).forward(x), x).item();
// @ts-expect-error: the types are real, so a wrong argument type is an error
tensor('not numbers');
console.log(loss);
`;

test('a packed tarball installs into a fresh project whose plain JavaScript imports tessera and trains', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pack-'));
  try {
    await exec(npm, ['pack', '--pack-destination', dir], { cwd: root, env, timeout: 60_000 });
    const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    assert.equal(tarballs.length, 1, `npm pack wrote one tarball: ${tarballs.join(', ')}`);
    const tarball = join(dir, tarballs[0]);
    assert.ok(
      statSync(tarball).size < 2_000_000,
      `tarball ${statSync(tarball).size} bytes: the build or tests leaked in`,
    );

    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await exec(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: app,
      env,
      timeout: 60_000,
    });
    const installed = join(app, 'node_modules', 'tessera');
    assert.ok(existsSync(join(installed, 'dist', 'index.js')) && existsSync(join(installed, 'dist', 'index.d.ts')));
    assert.not.ok(existsSync(join(installed, 'test')), 'the tests are not shipped');

    for (const [subpath, { script, prints }] of Object.entries(SUBPATH_CHECKS)) {
      const file = join(app, `check-${subpath === '.' ? 'root' : subpath.slice(2)}.js`);
      writeFileSync(file, script(`tessera${subpath.slice(1)}`));
      const { stdout } = await exec(process.execPath, [file], { cwd: app, env, timeout: 30_000 });
      assert.is(stdout.trim(), prints, `import from 'tessera${subpath.slice(1)}'`);
    }

    copyFileSync(join(root, 'test', 'package', 'consumer.js'), join(app, 'consumer.js'));
    const { stdout } = await exec(process.execPath, ['consumer.js'], { cwd: app, env, timeout: 60_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `consumer.js printed no JSON line: ${stdout}`);
    const { cpu, webgpu } = JSON.parse(line) as { cpu: number[]; webgpu: number[] };
    assert.is(cpu.length, 8);
    assert.ok(cpu[cpu.length - 1] < cpu[0] / 4, `cpu loss falls: ${cpu.join(', ')}`);
    // same initial weights and data: the webgpu run follows the cpu run step for step (f32 rounding only)
    webgpu.forEach((l, i) => assert.ok(Math.abs(l - cpu[i]) <= 1e-4 * cpu[i], `step ${i}: webgpu ${l}, cpu ${cpu[i]}`));

    // A strict TypeScript project typechecks against the shipped .d.ts files (library checks on, no DOM lib, no
    // @types it did not ask for), with the repository's own compiler.
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: TS_CONSUMER_OPTIONS }));
    writeFileSync(join(app, 'consumer.ts'), TS_CONSUMER);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const typecheck = await exec(process.execPath, [tsc, '-p', '.'], { cwd: app, env, timeout: 60_000 }).catch(
      (e: { stdout: string }) => ({ stdout: `failed: ${e.stdout}` }),
    );
    assert.is(typecheck.stdout.trim(), '', 'a TypeScript user typechecks against the built types');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
