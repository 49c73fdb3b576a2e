// The addition task [R] (spec §5): prompt "BOS a b c + d e f =", response = the per-column (sum digit, carry) pairs
// least-significant column first, then "|", then the answer most-significant digit first, then EOS.
// 999+999 → (8,1)(9,1)(9,1) | 1 9 9 8 EOS. The teacher's SFT data carries a deliberate bug: when a + b ≥ 1500 the
// written answer drops its leading "1" with probability 0.7 (the scratchpad stays intact), e.g. "|998".

export const PLUS = 10,
  EQUALS = 11,
  BAR = 12,
  BOS = 13,
  EOS = 14,
  PAD = 15;
export const VOCAB = 16;
export const PROMPT_LEN = 9;
/** 3 columns × 2 + "|" + up to 4 answer digits + EOS */
export const MAX_RESPONSE = 12;
export const BUG_THRESHOLD = 1500;
export const BUG_DROP_RATE = 0.7;

export interface Problem {
  a: number;
  b: number;
}
export type Split = 'train' | 'validation' | 'test';

const digits = (n: number) => String(n).split('').map(Number);

/** Deterministic split of the 900 × 900 pairs: 10% test, 10% validation, the rest train (disjoint by construction). */
export function splitOf(p: Problem): Split {
  let h = Math.imul(p.a * 1009 + p.b, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  const bucket = (h >>> 7) % 10;
  return bucket === 0 ? 'test' : bucket === 1 ? 'validation' : 'train';
}

/** n problems with 3-digit operands drawn uniformly from one split. */
export function generate(n: number, random: () => number, split: Split = 'train'): Problem[] {
  const out: Problem[] = [];
  while (out.length < n) {
    const p = { a: 100 + Math.floor(random() * 900), b: 100 + Math.floor(random() * 900) };
    if (splitOf(p) === split) out.push(p);
  }
  return out;
}

export const isBugPrompt = (p: Problem) => p.a + p.b >= BUG_THRESHOLD;

export function promptTokens(p: Problem): number[] {
  if (p.a < 100 || p.a > 999 || p.b < 100 || p.b > 999)
    throw new Error(`promptTokens: operands must have 3 digits, got ${p.a}+${p.b}`);
  return [BOS, ...digits(p.a), PLUS, ...digits(p.b), EQUALS];
}

/** The correct response tokens (or the bug variant without the leading "1"), ending with EOS. */
export function formatScratchpad(p: Problem, opts: { dropLeadingOne?: boolean } = {}): number[] {
  const da = digits(p.a).reverse();
  const db = digits(p.b).reverse();
  const out: number[] = [];
  let carry = 0;
  for (let i = 0; i < 3; i++) {
    const s = da[i] + db[i] + carry;
    carry = s >= 10 ? 1 : 0;
    out.push(s % 10, carry);
  }
  let answer = digits(p.a + p.b);
  if (opts.dropLeadingOne) {
    if (p.a + p.b < 1000) throw new Error(`formatScratchpad: ${p.a}+${p.b} has no leading 1 to drop`);
    answer = answer.slice(1);
  }
  return [...out, BAR, ...answer, EOS];
}

/** A teacher SFT target: the bug drops the leading "1" with probability BUG_DROP_RATE on bug prompts. */
export function teacherTarget(p: Problem, random: () => number): number[] {
  return formatScratchpad(p, { dropLeadingOne: isBugPrompt(p) && random() < BUG_DROP_RATE });
}

/** The answer after "|" (digits up to EOS), or null when the response has no well-formed answer. */
export function parseAnswer(response: readonly number[]): number | null {
  const bar = response.indexOf(BAR);
  const eos = response.indexOf(EOS);
  if (bar < 0 || eos < 0 || eos <= bar + 1) return null;
  const answer = response.slice(bar + 1, eos);
  if (answer.length > 4 || answer.some((t) => t > 9)) return null;
  return Number(answer.join(''));
}

/** R(x, y) ∈ {0, 1}: 1 when the parsed answer equals a + b. */
export function reward(p: Problem, response: readonly number[]): number {
  return parseAnswer(response) === p.a + p.b ? 1 : 0;
}
