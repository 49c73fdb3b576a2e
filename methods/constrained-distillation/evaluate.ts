// Held-out evaluation (spec §5-6): one T = 1 sample per prompt (accuracy, cost, constraint satisfaction, length,
// accuracy split by bug prompts) and one greedy decode (accuracy), with the same exact-KL cost used in training.
import { type nn } from '../../index.js';
import { sampleResponses } from '../shared/lm-rl/index.js';
import { rolloutCosts } from './score.js';
import { promptTokens, reward, isBugPrompt, parseAnswer, EOS, PAD, MAX_RESPONSE, type Problem } from './task.js';

export interface Metrics {
  accT1: number;
  accGreedy: number;
  /** P(C ≤ d) */
  csr: number;
  meanC: number;
  accBug: number;
  accElse: number;
  /** mean response tokens, EOS included */
  length: number;
  /** on bug prompts: share of T = 1 answers equal to a + b − 1000 (the teacher's dropped leading "1") */
  dropRate: number;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export async function evaluate(
  student: nn.GPT,
  teacher: nn.GPT,
  problems: readonly Problem[],
  d: number,
  opts: { random: () => number; greedy?: boolean; chunk?: number },
): Promise<Metrics> {
  const chunk = opts.chunk ?? 250;
  const correct: number[] = [],
    greedyCorrect: number[] = [],
    C: number[] = [],
    lengths: number[] = [],
    dropped: number[] = [];
  for (let i = 0; i < problems.length; i += chunk) {
    const part = problems.slice(i, i + chunk);
    const prompts = part.map(promptTokens);
    const base = { maxNewTokens: MAX_RESPONSE, eosToken: EOS, padToken: PAD, random: opts.random };
    const rollout = await sampleResponses(student, prompts, { ...base, temperature: 1 });
    const costs = await rolloutCosts(student, teacher, rollout);
    part.forEach((p, b) => {
      correct.push(reward(p, rollout.responses[b]));
      if (isBugPrompt(p)) dropped.push(parseAnswer(rollout.responses[b]) === p.a + p.b - 1000 ? 1 : 0);
    });
    C.push(...costs.C);
    lengths.push(...rollout.lengths);
    if (opts.greedy ?? true) {
      const greedy = await sampleResponses(student, prompts, { ...base, temperature: 0 });
      part.forEach((p, b) => greedyCorrect.push(reward(p, greedy.responses[b])));
    }
  }
  const bug = problems.map(isBugPrompt);
  return {
    accT1: mean(correct),
    accGreedy: greedyCorrect.length ? mean(greedyCorrect) : NaN,
    csr: mean(C.map((x) => (x <= d ? 1 : 0))),
    meanC: mean(C),
    accBug: mean(correct.filter((_, i) => bug[i])),
    accElse: mean(correct.filter((_, i) => !bug[i])),
    length: mean(lengths),
    dropRate: mean(dropped),
  };
}
