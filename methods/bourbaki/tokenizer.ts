// The provers' symbol vocabulary (~50 symbols): formula symbols, hypothesis names, tactic names and separators.
// Text is cut into symbols by one regular expression; a model's output is decoded back to text for the checker.
import { ATOMS } from './formula.js';
import { TACTIC_NAMES } from './tactics.js';

export const MAX_HYPS = 24;
export const PAD = 0;
export const BOS = 1;
export const SEP = 2;
export const EOS = 3;
const SPECIAL = ['<pad>', '<bos>', '<sep>', '<eos>'];
const SYMBOLS = ['⊢', ',', ':', ';', '(', ')', '⊥', '¬', '∧', '∨', '→'];
export const VOCAB: readonly string[] = [
  ...SPECIAL,
  ...SYMBOLS,
  ...Array.from({ length: ATOMS }, (_, i) => `p${i}`),
  ...Array.from({ length: MAX_HYPS }, (_, i) => `h${i}`),
  ...TACTIC_NAMES,
];
const INDEX = new Map(VOCAB.map((s, i) => [s, i]));
const SPLIT = /p\d+|h\d+|[a-z]+|[⊢,:;()⊥¬∧∨→]/g;

/** Symbol ids of a text, or null when it holds a symbol outside the vocabulary (e.g. a hypothesis past h23). */
export function encode(text: string): number[] | null {
  const out: number[] = [];
  for (const s of text.match(SPLIT) ?? []) {
    const id = INDEX.get(s);
    if (id === undefined) return null;
    out.push(id);
  }
  return out;
}

/** Text of symbol ids (special symbols dropped), spaced so that parseFormula and applyTactic read it back. */
export function decode(ids: readonly number[]): string {
  return ids
    .filter((i) => i >= SPECIAL.length && i < VOCAB.length)
    .map((i) => VOCAB[i])
    .join(' ')
    .replace(/ ([,:;)]) ?/g, '$1 ')
    .replace(/\( /g, '(')
    .replace(/¬ /g, '¬')
    .trim();
}
