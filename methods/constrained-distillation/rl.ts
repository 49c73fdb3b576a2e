// On-policy RL of the student for every arm (spec §3 optimiser [R]): per iteration, sample G responses for each of
// N prompts at T = 1, score the exact KL cost under stop-gradient, turn (R, C) into the arm's reward, standardise
// within each group and take one Adam step on the policy-gradient surrogate. Only the reward differs across arms.
import { tidy, optim, type nn } from '../../index.js';
import {
  sampleResponses,
  responseLogits,
  tokenLogProbs,
  maskTensor,
  groupAdvantages,
  pgLoss,
} from '../shared/lm-rl/index.js';
import { rolloutCosts } from './score.js';
import { modifiedReward, perTokenSauteRewards, lagrangianReward, dualUpdate } from './rewards.js';
import { evaluate, type Metrics } from './evaluate.js';
import { generate, promptTokens, reward, EOS, PAD, MAX_RESPONSE, type Problem } from './task.js';

export type Arm =
  | { name: string; kind: 'task' }
  | { name: string; kind: 'lagrangian'; lambda: number }
  | { name: string; kind: 'dual'; lambda0: number; eta: number }
  | { name: string; kind: 'modified'; n: number }
  | { name: string; kind: 'perToken'; n: number }
  | { name: string; kind: 'distill' }
  | { name: string; kind: 'distillSampled' };

/** What the arms' rewards are made of, for one sampled response. */
export interface ScoredSample {
  /** task reward */
  R: number;
  /** exact per-token costs of the real tokens */
  c: readonly number[];
  /** trajectory cost Σ_t c_t */
  C: number;
  /** Σ_t log π_θ(y_t) − log π_T(y_t) over the real tokens (the single-sample estimate of C) */
  logRatio: number;
}

export interface RLConfig {
  iterations: number;
  promptsPerIteration: number;
  groupSize: number;
  lr: number;
  /** the budget, fixed before RL */
  d: number;
  evalEvery: number;
  /** held-out prompts for the curves (validation split) */
  curvePrompts: readonly Problem[];
}

export interface CurvePoint extends Metrics {
  iteration: number;
  lambda: number;
}

/** The arm's reward of one sample, under budget d and the current multiplier λ (dual arm). */
export function armReward(arm: Arm, { R, c, C, logRatio }: ScoredSample, d: number, lambda: number): number {
  switch (arm.kind) {
    case 'task':
      return R;
    case 'lagrangian':
      return lagrangianReward(R, C, arm.lambda);
    case 'dual':
      return lagrangianReward(R, C, lambda);
    case 'modified':
      return modifiedReward(R, C, d, arm.n);
    // the per-token rewards enter the sequence-level group baseline through their sum (the trajectory return)
    case 'perToken':
      return perTokenSauteRewards(R, c, d, arm.n).reduce((a, b) => a + b, 0);
    case 'distill':
      return -C;
    // beyond the spec: with the sampled log-ratio as the reward, the score-function step is an unbiased gradient
    // of E[C] (E[∇ log π] = 0), whereas the exact per-state KL under stop-gradient drops the term that pulls each
    // visited state's distribution toward the teacher's (see the test "stop-gradient cost")
    case 'distillSampled':
      return -logRatio;
  }
}

export async function trainArm(
  student: nn.GPT,
  teacher: nn.GPT,
  arm: Arm,
  cfg: RLConfig,
  random: () => number,
  onIteration?: (it: number, info: Record<string, number>) => void,
): Promise<CurvePoint[]> {
  const opt = new optim.Adam(student.parameters(), { lr: cfg.lr });
  let lambda = arm.kind === 'dual' ? arm.lambda0 : arm.kind === 'lagrangian' ? arm.lambda : 0;
  const curve: CurvePoint[] = [];
  const checkpoint = async (iteration: number) => {
    curve.push({
      iteration,
      lambda,
      ...(await evaluate(student, teacher, cfg.curvePrompts, cfg.d, { random, greedy: false })),
    });
  };
  await checkpoint(0);
  for (let it = 1; it <= cfg.iterations; it++) {
    const problems = generate(cfg.promptsPerIteration, random, 'train').flatMap((p) =>
      new Array<Problem>(cfg.groupSize).fill(p),
    );
    const rollout = await sampleResponses(student, problems.map(promptTokens), {
      maxNewTokens: MAX_RESPONSE,
      temperature: 1,
      eosToken: EOS,
      padToken: PAD,
      random,
    });
    const { c, C, logRatio } = await rolloutCosts(student, teacher, rollout);
    const R = problems.map((p, i) => reward(p, rollout.responses[i]));
    const rewards = problems.map((_, i) =>
      armReward(arm, { R: R[i], c: c[i].slice(0, rollout.lengths[i]), C: C[i], logRatio: logRatio[i] }, cfg.d, lambda),
    );
    const advantages = groupAdvantages(rewards, cfg.groupSize);
    const loss = tidy(() => {
      opt.zeroGrad();
      const logits = responseLogits(student, rollout.prompts, rollout.responses);
      const l = pgLoss(tokenLogProbs(logits, rollout.responses), advantages, maskTensor(rollout.mask, logits.device));
      l.backward();
      opt.step();
      return l;
    });
    loss.dispose();
    const meanC = C.reduce((a, b) => a + b, 0) / C.length;
    if (arm.kind === 'dual') lambda = dualUpdate(lambda, meanC, cfg.d, arm.eta);
    onIteration?.(it, { R: R.reduce((a, b) => a + b, 0) / R.length, C: meanC, lambda });
    if (it % cfg.evalEvery === 0 || it === cfg.iterations) await checkpoint(it);
  }
  opt.zeroGrad();
  opt.dispose();
  return curve;
}
