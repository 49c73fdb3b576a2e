// The cost of sampled responses under stop-gradient (spec §3, §8 "gradient leak"): one teacher forward and one
// student forward without the tape give the exact per-token reverse KL c_t = KL(π_θ ‖ π_T)(s_t), read back to the
// host; C = Σ_t c_t over the real tokens. The same logits give the sampled log-ratio Σ_t log π_θ(y_t) − log π_T(y_t).
import { tidy, noGrad, stack, type nn } from '../../index.js';
import {
  responseLogits,
  tokenKl,
  tokenLogProbs,
  sampledLogRatio,
  maskTensor,
  maskedRowSums,
  type Rollout,
} from '../shared/lm-rl/index.js';
import { trajectoryCost } from './costs.js';

export interface ScoredCosts {
  /** [B][R] per-token costs (0 where masked) */
  c: number[][];
  /** [B] trajectory costs */
  C: number[];
  /** [B] Σ_t log π_θ(y_t) − log π_T(y_t) over the real tokens */
  logRatio: number[];
}

export async function rolloutCosts(student: nn.GPT, teacher: nn.GPT, rollout: Rollout): Promise<ScoredCosts> {
  const both = tidy(() =>
    noGrad(() => {
      const s = responseLogits(student, rollout.prompts, rollout.responses);
      const t = responseLogits(teacher, rollout.prompts, rollout.responses);
      const mask = maskTensor(rollout.mask, s.device);
      const ratio = sampledLogRatio(tokenLogProbs(s, rollout.responses), tokenLogProbs(t, rollout.responses), mask);
      return stack([tokenKl(s, t, mask), ratio]);
    }),
  );
  const flat = await both.data();
  both.dispose();
  const [B, R] = [rollout.responses.length, rollout.responses[0].length];
  const rows = (offset: number) =>
    rollout.responses.map((_, b) => Array.from(flat.subarray(offset + b * R, offset + (b + 1) * R)));
  const c = rows(0);
  return { c, C: trajectoryCost(c, rollout.mask), logRatio: maskedRowSums(rows(B * R), rollout.mask) };
}
