// The cost of sampled responses under stop-gradient (spec §3, §8 "gradient leak"): one teacher forward and one
// student forward without the tape give the exact per-token reverse KL c_t = KL(π_θ ‖ π_T)(s_t), read back to the
// host; C = Σ_t c_t over the real tokens.
import { tidy, noGrad, type nn } from '../../index.js';
import { responseLogits, tokenKl, maskTensor, type Rollout } from '../shared/lm-rl/index.js';
import { trajectoryCost } from './costs.js';

export interface ScoredCosts {
  /** [B][R] per-token costs (0 where masked) */
  c: number[][];
  /** [B] trajectory costs */
  C: number[];
}

export async function rolloutCosts(student: nn.GPT, teacher: nn.GPT, rollout: Rollout): Promise<ScoredCosts> {
  const kl = tidy(() =>
    noGrad(() =>
      tokenKl(
        responseLogits(student, rollout.prompts, rollout.responses),
        responseLogits(teacher, rollout.prompts, rollout.responses),
        maskTensor(rollout.mask, student.wte.weight.device),
      ),
    ),
  );
  const flat = await kl.data();
  kl.dispose();
  const R = rollout.responses[0].length;
  const c = rollout.responses.map((_, b) => Array.from(flat.subarray(b * R, (b + 1) * R)));
  return { c, C: trajectoryCost(c, rollout.mask) };
}
