// Saved tokenizers: the tokenizer's toJSON() in a file, written atomically; loading reads the file's `type`
// ('char' or 'bpe') to know which tokenizer to rebuild, and names the file and what is wrong when it cannot.
import { readFileSync } from 'node:fs';
import { CharTokenizer, type CharTokenizerJSON } from '../nn/text/char-tokenizer.js';
import { BpeTokenizer, type BpeTokenizerJSON } from '../nn/text/bpe-tokenizer.js';
import { writeFileAtomicSync } from './atomic-write.js';

/** Writes `tokenizer` to `path` as JSON (loadTokenizer reads it back). */
export function saveTokenizer(tokenizer: CharTokenizer | BpeTokenizer, path: string): void {
  writeFileAtomicSync(path, JSON.stringify(tokenizer.toJSON()));
}

/** The tokenizer saved at `path` by saveTokenizer. */
export function loadTokenizer(path: string): CharTokenizer | BpeTokenizer {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`loadTokenizer: ${path} is not a tokenizer file (invalid JSON: ${(e as Error).message})`);
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type === 'char') return CharTokenizer.fromJSON(json as CharTokenizerJSON);
  if (type === 'bpe') return BpeTokenizer.fromJSON(json as BpeTokenizerJSON);
  throw new Error(`loadTokenizer: ${path} has type ${JSON.stringify(type)}; a tokenizer file has type "char" or "bpe"`);
}
