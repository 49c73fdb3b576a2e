// `npm run site`: builds the walkthrough site into site/out/. Each page is site/pages/<name>.html (prose, with
// {{source ...}} markers that pull code from the real files: site/sources.ts) and site/pages/<name>.page.ts (the
// live part, bundled for the browser with esbuild, tessera included). An index lists the pages in PAGES order.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { loadSentences } from '../node.js';
import { fillSources } from './sources.js';
import { PAGES } from './pages.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const site = join(root, 'site');
export const OUT = join(site, 'out');

const layout = (title: string, body: string, script: string | null) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · tessera</title><link rel="stylesheet" href="style.css"><link rel="icon" href="data:,"></head>
<body data-state="loading"><nav><a href="index.html">tessera walkthroughs</a>${PAGES.map((p) => ` · <a href="${p.name}.html">${p.title}</a>`).join('')}</nav>
<main>${body}</main>
${script ? `<script type="module" src="${script}"></script>` : ''}
</body></html>
`;

export async function buildSite(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  copyFileSync(join(site, 'style.css'), join(OUT, 'style.css'));
  // the method pages link their README, served as text beside the pages
  mkdirSync(join(OUT, 'readme'));
  for (const method of ['linearisation', 'group-robust-preference']) {
    copyFileSync(join(root, 'methods', method, 'README.md'), join(OUT, 'readme', `${method}.md`));
  }
  // the tiny-GPT page's training text: the first sentences of the bundled corpus, one per line
  writeFileSync(
    join(OUT, 'corpus.txt'),
    loadSentences({ files: 1, asciiOnly: true, maxSentences: 1500 }).join('\n') + '\n',
  );
  await build({
    entryPoints: Object.fromEntries(PAGES.map((p) => [p.name, join(site, 'pages', `${p.name}.page.ts`)])),
    outdir: OUT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const p of PAGES) {
    const html = fillSources(readFileSync(join(site, 'pages', `${p.name}.html`), 'utf8'), root, p.name);
    writeFileSync(join(OUT, `${p.name}.html`), layout(p.title, html, `${p.name}.js`));
  }
  const list = PAGES.map((p) => `<li><a href="${p.name}.html">${p.title}</a>: ${p.summary}</li>`).join('\n');
  const index = `<h1>tessera walkthroughs</h1>
<p>Each page mixes prose with code shown from tessera's own source files (pulled when the site is built) and runs its
examples live in this page on your GPU through WebGPU. On a software adapter the sizes are small.</p>
<ul>${list}</ul>`;
  writeFileSync(join(OUT, 'index.html'), layout('walkthroughs', index, null));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  await buildSite();
  console.log(`site: ${PAGES.length} pages in ${OUT} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
