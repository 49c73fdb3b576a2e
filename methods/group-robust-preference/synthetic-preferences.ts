// [R] The spec's synthetic preference task for a tiny language model (a reconstruction, not from the paper).
// Vocabulary 16: group tokens 0..2, content tokens 3..14, SEP 15. Prompt [g, c1, c2, c3, SEP]; response = 4
// content tokens. Group g's hidden reward r_g(x, y) = w_gᵀf(x, y) with f = the 12 content-token counts of y plus
// the number of response tokens that also appear in the prompt.
import { randomInt, randomNormal, type Rng } from './random.js';

export const GROUPS = 3;
export const CONTENT = 12;
export const FIRST_CONTENT = 3;
export const SEP = 15;
export const VOCAB = 16;
export const PROMPT_LEN = 5;
export const RESPONSE_LEN = 4;

export interface PreferencePair {
  group: number;
  prompt: number[];
  chosen: number[];
  rejected: number[];
  /** r_g(chosen) − r_g(rejected) > 0 */
  gap: number;
}

const randomContent = (rng: Rng, n: number) => Array.from({ length: n }, () => FIRST_CONTENT + randomInt(rng, CONTENT));

export const randomPrompt = (rng: Rng, group: number): number[] => [group, ...randomContent(rng, 3), SEP];
/** A response from the reference model's target distribution (uniform content tokens, what its SFT taught). */
export const randomResponse = (rng: Rng): number[] => randomContent(rng, RESPONSE_LEN);

export function rewardFeatures(prompt: readonly number[], response: readonly number[]): number[] {
  const f = new Array<number>(CONTENT + 1).fill(0);
  for (const t of response) {
    f[t - FIRST_CONTENT]++;
    if (prompt.includes(t)) f[CONTENT]++;
  }
  return f;
}

export const reward = (w: readonly number[], prompt: readonly number[], response: readonly number[]): number =>
  rewardFeatures(prompt, response).reduce((s, v, j) => s + v * w[j], 0);

/** Share of random comparisons on which two reward vectors disagree about the winner. */
export function disagreement(a: readonly number[], b: readonly number[], rng: Rng, trials = 400): number {
  let differ = 0;
  for (let k = 0; k < trials; k++) {
    const x = randomPrompt(rng, 0);
    const y1 = randomResponse(rng);
    const y2 = randomResponse(rng);
    differ += Number(Math.sign(reward(a, x, y1) - reward(a, x, y2)) !== Math.sign(reward(b, x, y1) - reward(b, x, y2)));
  }
  return differ / trials;
}

/** w_g ~ N(0, I), redrawn until every two groups disagree on 40–60% of random pairs. */
export function drawGroupRewards(rng: Rng): number[][] {
  for (;;) {
    const w = Array.from({ length: GROUPS }, () => Array.from({ length: CONTENT + 1 }, () => randomNormal(rng)));
    let ok = true;
    for (let a = 0; a < GROUPS && ok; a++) for (let b = a + 1; b < GROUPS && ok; b++) {
      const d = disagreement(w[a], w[b], rng);
      ok = d >= 0.4 && d <= 0.6;
    }
    if (ok) return w;
  }
}

/** One labelled pair of group g: the higher r_g wins; ties are redrawn. With `maxGap`, only pairs closer than it. */
export function samplePair(rng: Rng, w: readonly number[][], group: number, maxGap = Infinity): PreferencePair {
  for (;;) {
    const prompt = randomPrompt(rng, group);
    const y1 = randomResponse(rng);
    const y2 = randomResponse(rng);
    const d = reward(w[group], prompt, y1) - reward(w[group], prompt, y2);
    if (d === 0 || Math.abs(d) > maxGap) continue;
    return d > 0 ? { group, prompt, chosen: y1, rejected: y2, gap: d } : { group, prompt, chosen: y2, rejected: y1, gap: -d };
  }
}

/**
 * The training set: group shares (default 70/20/10%) of n pairs; half of the last (minority) group's pairs are
 * hard, with a reward gap below `hardGap` (the median gap of that group's random pairs by default).
 */
export function trainingPairs(rng: Rng, w: readonly number[][], n: number, shares: readonly number[] = [0.7, 0.2, 0.1]): PreferencePair[] {
  const minority = GROUPS - 1;
  const gaps = Array.from({ length: 400 }, () => samplePair(rng, w, minority).gap).sort((a, b) => a - b);
  const hardGap = gaps[gaps.length >> 1];
  const pairs: PreferencePair[] = [];
  shares.forEach((share, g) => {
    const count = Math.round(n * share);
    for (let k = 0; k < count; k++) pairs.push(samplePair(rng, w, g, g === minority && k < count / 2 ? hardGap : Infinity));
  });
  return pairs;
}

/** A group-balanced held-out set: `perGroup` pairs of each group, drawn as the groups' natural pairs. */
export function heldOutPairs(rng: Rng, w: readonly number[][], perGroup: number): PreferencePair[] {
  return Array.from({ length: GROUPS }, (_, g) => Array.from({ length: perGroup }, () => samplePair(rng, w, g))).flat();
}
