// Reading a saved tokenizer: the file's JSON, or an error naming the tokenizer, the file and what is wrong.
import { readFileSync } from 'node:fs';

export function readTokenizerFile(kind: string, path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${kind}.load: ${path} is not a tokenizer file (invalid JSON: ${(e as Error).message})`);
  }
}
