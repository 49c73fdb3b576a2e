// The walkthrough site in a real browser (`npm run ci:site`; not part of `npm test`, which needs no browser).
// Playwright (playwright-core, no browser download) drives the system's Chromium headless over the built site
// (site/out/, from `npm run site`), served on localhost. For every page: it loads, reports a WebGPU adapter, runs
// its live part to the end (<body data-state="done">) with no console error or uncaught exception, and a
// screenshot goes to site/screenshots/<page>.png. Pages whose numbers can be recomputed here are: the same
// computation runs in Node (Dawn) and the two must agree.
// Chromium's WebGPU runs on its bundled SwiftShader (Vulkan on the CPU): on this machine Chromium does not offer
// Mesa's lavapipe as a WebGPU adapter, while SwiftShader needs no GPU, no display and no flags beyond these.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { ready, shutdown } from '../../index.js';
import { serve } from '../../site/serve.js';
import { PAGES } from '../../site/pages.js';
import { COMPARISONS } from './comparisons.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(root, 'site', 'out');
const SHOTS = join(root, 'site', 'screenshots');
export const CHROMIUM_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];
/** per page: the live parts are sized to finish in well under a minute on a software adapter */
const PAGE_TIMEOUT_MS = Number(process.env.SITE_PAGE_TIMEOUT_MS ?? 240_000);

function chromiumPath(): string {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync('bash', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error(
      'no chromium on PATH: run `bash scripts/setup-chromium.sh` (as root: apt-get install chromium), or set CHROMIUM',
    );
  }
}

const test = suite('site in Chromium');
let browser: Browser;
let server: Server;
let base = '';
const t0 = performance.now();

test.before(async () => {
  assert.ok(existsSync(join(OUT, 'index.html')), 'site/out/ is built: run `npm run site` first');
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(OUT, 0);
  const address = server.address();
  base = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
  const info = await ready();
  console.log(`Node side on ${info.adapter}; Chromium ${browser.version()} with ${CHROMIUM_FLAGS.join(' ')}`);
});

test.after(async () => {
  await browser?.close();
  server?.close();
  shutdown();
  console.log(`site browser test: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
});

test('the index lists every page', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/index.html`);
  const links = await page.$$eval('main a', (as) => as.map((a) => a.getAttribute('href')));
  assert.equal(
    links,
    PAGES.map((p) => `${p.name}.html`),
  );
  await page.screenshot({ path: join(SHOTS, 'index.png'), fullPage: true });
  await page.close();
});

for (const { name } of PAGES) {
  test(`${name}: loads, reports a WebGPU adapter, runs to the end without console errors`, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    const started = performance.now();
    await page.goto(`${base}/${name}.html`);
    const finished = await page
      .waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, {
        timeout: PAGE_TIMEOUT_MS,
        polling: 250,
      })
      .then(
        () => true,
        () => false,
      );
    const seconds = (performance.now() - started) / 1000;
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, timeout: 10_000 });
    assert.ok(finished, `${name} did not finish within ${PAGE_TIMEOUT_MS / 1000} s (see its screenshot)`);
    const state = await page.evaluate(() => document.body.dataset.state);
    const adapter = await page.textContent('#adapter');
    const result = await page.evaluate(() => window.tesseraResult);
    await page.close();
    console.log(`  ${name}: ${state} in ${seconds.toFixed(1)} s; ${adapter}`);
    assert.equal(errors, [], `console errors on ${name}`);
    assert.is(state, 'done', `${name} finished its live part`);
    assert.match(adapter ?? '', /^WebGPU adapter: \S/);
    const compare = COMPARISONS[name];
    if (compare) await compare(result);
  });
}

test.run();
