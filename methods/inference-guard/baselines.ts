// The inference-time baselines of spec §3: base sampling, best-of-N with Lagrangian or augmented choice, and ARGS
// (token-level guided greedy decoding: among the top-k tokens by LM probability take the argmax of
// log π + ω·guide, the guide being the reward or minus the cost of the prefix with that token).
import { sampleBlocks } from '../shared/lm-rl/index.js';
import type { nn } from '../../index.js';
import { chooseAugmented, chooseLagrangian, type Answer, type BlockSampler } from './search.js';
import { EOS, reward, sequenceCost, topicOf } from './world.js';

function answer(prompt: number[], tokens: number[], d: number, lmTokens: number): Answer {
  const cost = sequenceCost(tokens);
  return { tokens, reward: reward(topicOf(prompt), tokens), cost, safe: cost <= d, lmTokens };
}

/** One plain sample per prompt. */
export async function baseSampling(
  sample: BlockSampler,
  prompts: number[][],
  opts: { maxLen: number; d: number },
): Promise<Answer[]> {
  const out = await sample(
    prompts,
    opts.maxLen,
    prompts.map(() => null),
  );
  return prompts.map((p, i) => answer(p, out.tokens[i], opts.d, out.tokens[i].length));
}

export interface BestOfNOptions {
  N: number;
  maxLen: number;
  d: number;
  scorer: 'lagrangian' | 'augmented';
  lambda?: number;
}

/** N full samples per prompt ([prompt][N] continuations), shareable by several best-of-N choice rules. */
export async function sampleCandidates(
  sample: BlockSampler,
  prompts: number[][],
  N: number,
  maxLen: number,
): Promise<number[][][]> {
  if (!(Number.isInteger(N) && N > 0)) throw new Error(`bestOfN: N must be a positive integer, got ${N}`);
  const rows = prompts.flatMap((p) => new Array<number[]>(N).fill(p));
  const out = await sample(
    rows,
    maxLen,
    rows.map(() => null),
  );
  return prompts.map((_, i) => out.tokens.slice(i * N, (i + 1) * N));
}

/** The answer is argmax r − λC (Lagrangian) or the best safe r, else the least cost (augmented). */
export function pickBestOfN(
  prompts: number[][],
  candidates: number[][][],
  opts: Omit<BestOfNOptions, 'N' | 'maxLen'>,
): Answer[] {
  if (opts.scorer === 'lagrangian' && !(opts.lambda !== undefined && opts.lambda >= 0))
    throw new Error(`bestOfN: lagrangian scoring needs lambda >= 0, got ${opts.lambda}`);
  const choose = opts.scorer === 'lagrangian' ? chooseLagrangian(opts.lambda ?? 0) : chooseAugmented(opts.d);
  return prompts.map((p, i) => {
    const cands = candidates[i];
    const scored = cands.map((t) => ({ reward: reward(topicOf(p), t), cost: sequenceCost(t) }));
    return answer(
      p,
      cands[choose(scored)],
      opts.d,
      cands.reduce((s, t) => s + t.length, 0),
    );
  });
}

export async function bestOfN(sample: BlockSampler, prompts: number[][], opts: BestOfNOptions): Promise<Answer[]> {
  return pickBestOfN(prompts, await sampleCandidates(sample, prompts, opts.N, opts.maxLen), opts);
}

export interface ArgsOptions {
  topK: number;
  omega: number;
  guide: 'reward' | 'cost';
  maxLen: number;
  d: number;
}

/** ARGS guided score of appending `tok` to a continuation: log π(tok) + ω · guide(prefix + tok). */
export function argsScore(
  prompt: number[],
  sofar: readonly number[],
  tok: number,
  logProb: number,
  opts: Pick<ArgsOptions, 'omega' | 'guide'>,
): number {
  const next = [...sofar, tok];
  const guide = opts.guide === 'reward' ? reward(topicOf(prompt), next) : -sequenceCost(next);
  return logProb + opts.omega * guide;
}

/** ARGS-greedy over a batch of prompts (one LM pass per token; the guide is evaluated on the top-k). */
export async function argsDecode(lm: nn.GPT, prompts: number[][], opts: ArgsOptions): Promise<Answer[]> {
  if (!(Number.isInteger(opts.topK) && opts.topK > 0))
    throw new Error(`argsDecode: topK must be a positive integer, got ${opts.topK}`);
  const out = await sampleBlocks(lm, prompts, {
    len: opts.maxLen,
    eosToken: EOS,
    padToken: EOS,
    random: () => 0,
    pick: (b, lp, sofar) => {
      const top = Array.from(lp.keys())
        .sort((x, y) => lp[y] - lp[x])
        .slice(0, opts.topK);
      return top.reduce((best, tok) =>
        argsScore(prompts[b], sofar, tok, lp[tok], opts) > argsScore(prompts[b], sofar, best, lp[best], opts)
          ? tok
          : best,
      );
    },
  });
  return prompts.map((p, i) => answer(p, out.tokens[i], opts.d, out.tokens[i].length));
}
