// The walkthrough pages show code pulled from the real files when the site is built (site/sources.ts): every
// page's markers must still find their lines (so renaming a function the site shows fails here, in `npm test`,
// without a browser), an excerpt runs from the start line to the right end line, and a marker that no longer
// matches fails naming the page, the file and the text.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { excerpt, fillSources } from '../../site/sources.js';
import { PAGES } from '../../site/pages.js';
import { assertThrows } from '../helpers.js';

const test = suite('site/sources');
const root = fileURLToPath(new URL('../..', import.meta.url));

test('every page of the site finds every excerpt it shows', () => {
  for (const p of PAGES) {
    const html = fillSources(readFileSync(join(root, 'site', 'pages', `${p.name}.html`), 'utf8'), root, p.name);
    assert.ok(html.includes('<figure class="source">'), `${p.name} shows source`);
  }
});

test('an excerpt runs from the start line to the end line: a text, a top-level brace, a method brace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-site-'));
  try {
    writeFileSync(
      join(dir, 'f.ts'),
      [
        '// head',
        'export function a() {',
        '  if (x) {',
        '  }',
        '}',
        'class C {',
        '  m() {',
        '    go();',
        '  }',
        '}',
      ].join('\n'),
    );
    assert.equal(excerpt(dir, 'f.ts', 'function a', '^'), {
      text: 'export function a() {\n  if (x) {\n  }\n}',
      line: 2,
    });
    assert.equal(excerpt(dir, 'f.ts', 'm()', '^2'), { text: '  m() {\n    go();\n  }', line: 7 });
    assert.equal(excerpt(dir, 'f.ts', 'if (x)', 'if (x)').text, '  if (x) {');
    assertThrows(() => excerpt(dir, 'f.ts', 'function b', '^'), 'f.ts', '"function b"');
    assertThrows(() => excerpt(dir, 'f.ts', 'go()', 'never'), 'f.ts', 'line 8', '"never"');
    assertThrows(() => fillSources('{{source f.ts | nothing | ^}}', dir, 'pg'), 'site page pg', 'f.ts', '"nothing"');
    assertThrows(() => fillSources('{{source f.ts | a() }}', dir, 'pg'), 'site page pg', 'malformed');
    const html = fillSources('<p>x</p>{{source f.ts | go() | go() }}', dir, 'pg');
    assert.ok(html.includes('f.ts, lines 8-8') && html.includes('go();'), html);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
