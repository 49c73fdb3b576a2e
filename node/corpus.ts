// The bundled English corpus: nlp-corpus (MIT licence, by Spencer Kelly), ~50k varied English sentences in 100 JSON
// files of shuffled sentences. Read straight from the package's files, so the same options give the same text.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface CorpusOptions {
  /** how many of the package's 100 files to read (default all) */
  files?: number;
  /** keep only sentences made of printable ASCII (a small character vocabulary) */
  asciiOnly?: boolean;
  /** stop after this many sentences */
  maxSentences?: number;
}

const FILES = 100;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The package's builds/ folder (its entry point is src/server/index.js; package.json is not exported). */
function buildsDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('nlp-corpus')), '..', '..', 'builds');
}

/** The corpus as an array of sentences. */
export function loadSentences(opts: CorpusOptions = {}): string[] {
  const files = opts.files ?? FILES;
  if (!Number.isInteger(files) || files < 1 || files > FILES)
    throw new Error(`loadSentences: files must be an integer in [1, ${FILES}], got ${files}`);
  const dir = buildsDir();
  const out: string[] = [];
  for (let i = 0; i < files; i++) {
    const doc = JSON.parse(readFileSync(join(dir, `doc-${i}.json`), 'utf8')) as string[];
    for (const s of doc) {
      const line = s.trim();
      if (!line || (opts.asciiOnly && !PRINTABLE_ASCII.test(line))) continue;
      out.push(line);
      if (opts.maxSentences !== undefined && out.length >= opts.maxSentences) return out;
    }
  }
  return out;
}

/** The corpus as one text, one sentence per line (so '\n' can serve as an end-of-sentence token). */
export function loadCorpus(opts: CorpusOptions = {}): string {
  return loadSentences(opts).join('\n') + '\n';
}
