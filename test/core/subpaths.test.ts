// Each subpath the package exports ('tessera', 'tessera/ops', 'tessera/nn', 'tessera/node') works on its own: a fresh process that
// imports only that entry point's source can build and run something. (There is no 'tessera/core': core alone
// cannot create a tensor or run an op; the ops layer installs those.) The exports point at the build in dist/;
// this test maps each one back to the source it is compiled from, so it needs no build. The built package itself
// is checked by test/package/pack.test.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SUBPATH_CHECKS } from './subpath-checks.js';

const test = suite('core/subpaths');
const root = fileURLToPath(new URL('../..', import.meta.url));
const exports = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).exports as Record<
  string,
  { types: string; default: string }
>;

/** './dist/ops/index.js' -> './ops/index.ts': tsconfig.build.json compiles the tree root into dist/. */
function sourceOf(built: string): string {
  assert.ok(built.startsWith('./dist/') && built.endsWith('.js'), `${built} is not a .js file under ./dist/`);
  return `./${built.slice('./dist/'.length, -'.js'.length)}.ts`;
}

function run(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

test('package.json exports exactly the subpaths checked here, each built from a source file with its types', () => {
  assert.equal(Object.keys(exports).sort(), Object.keys(SUBPATH_CHECKS).sort());
  for (const [subpath, target] of Object.entries(exports)) {
    assert.is(target.types, target.default.replace(/\.js$/, '.d.ts'), `${subpath}: types beside the JavaScript`);
    assert.ok(existsSync(`${root}/${sourceOf(target.default)}`), `${subpath}: ${sourceOf(target.default)} exists`);
  }
});

test("each exported subpath's source works when it is the only import", async () => {
  const entries = Object.entries(SUBPATH_CHECKS);
  const results = await Promise.all(
    entries.map(([subpath, c]) => run(c.script(pathToFileURL(`${root}/${sourceOf(exports[subpath].default)}`).href))),
  );
  results.forEach(({ status, stdout, stderr }, i) => {
    const [subpath, { prints }] = entries[i];
    assert.is(status, 0, `${subpath}: ${stderr}`);
    assert.is(stdout.trim(), prints, subpath);
  });
});

test.run();
