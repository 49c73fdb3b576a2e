// Code excerpts for the walkthrough pages, read from the real source files when the site is built, so what a page
// shows cannot drift from the code that runs. A page names an excerpt by file and by the first and last lines'
// text: {{source ops/matmul.ts | export function matmul( | ^}} (neither text may contain '|' or '}'). The excerpt runs from the first line containing the
// start text to the first line at or after it containing the end text; an end of '^' means the first line that
// is a lone closing brace (or the backquote closing a template) at the left margin, the end of a top-level function
// or class; '^2' the same indented by two spaces (the end of a method). A marker that no longer
// matches fails the build, naming the page, the file and the text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = /\{\{source ([^|}]+)\|([^|}]+)\|([^}]+)\}\}/g;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The lines of `file` from the one containing `start` to the one containing `end` ('^': a lone '}'). */
export function excerpt(root: string, file: string, start: string, end: string): { text: string; line: number } {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const from = lines.findIndex((l) => l.includes(start));
  if (from < 0) throw new Error(`no line of ${file} contains ${JSON.stringify(start)}`);
  const indent = /^\^(\d*)$/.exec(end);
  const closing = indent ? new RegExp(`^ {${indent[1] || 0}}([}\\]][;),]*|\`;)\\s*$`) : null;
  const isEnd = (l: string) => (closing ? closing.test(l) : l.includes(end));
  const to = lines.findIndex((l, i) => i >= from && isEnd(l));
  if (to < 0) throw new Error(`no line of ${file} after line ${from + 1} ends the excerpt (${JSON.stringify(end)})`);
  return { text: lines.slice(from, to + 1).join('\n'), line: from + 1 };
}

/** `html` with each {{source ...}} marker replaced by the excerpt, titled with its file and line numbers. */
export function fillSources(html: string, root: string, page: string): string {
  const filled = html.replace(MARKER, (_, file: string, start: string, end: string) => {
    const [f, s, e] = [file.trim(), start.trim(), end.trim()];
    let found: { text: string; line: number };
    try {
      found = excerpt(root, f, s, e);
    } catch (err) {
      throw new Error(`site page ${page}: ${(err as Error).message}`);
    }
    const last = found.line + found.text.split('\n').length - 1;
    return (
      `<figure class="source"><figcaption>${escapeHtml(f)}, lines ${found.line}-${last}</figcaption>` +
      `<pre><code>${escapeHtml(found.text)}</code></pre></figure>`
    );
  });
  const left = filled.indexOf('{{source');
  if (left >= 0) throw new Error(`site page ${page}: a malformed marker: ${filled.slice(left, left + 80)}`);
  return filled;
}
