// The character-level text of the experiment: the bundled nlp-corpus sentences (printable ASCII, one per line),
// a character tokenizer, a 95/5 split, training batches of `chunk` characters and held-out prompts.
import { nn } from '../../index.js';
import { loadCorpus } from '../../node.js';

export interface TextData {
  tokenizer: nn.text.CharTokenizer;
  train: Int32Array;
  val: Int32Array;
}

export function loadText(): TextData {
  const text = loadCorpus({ asciiOnly: true });
  const tokenizer = nn.text.CharTokenizer.train(text);
  const { train, val } = nn.data.trainValSplit(tokenizer.encode(text), 0.05);
  return { tokenizer, train, val };
}

/** `count` held-out windows of `len` tokens at seeded offsets (prompts, plus room for reference continuations). */
export function heldOutWindows(val: Int32Array, count: number, len: number, seed: number): number[][] {
  const random = nn.data.seededRandom(seed);
  return Array.from({ length: count }, () => {
    const o = Math.floor(random() * (val.length - len));
    return Array.from(val.subarray(o, o + len));
  });
}
