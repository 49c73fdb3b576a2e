// The CLBF self-check on samples (spec §6): how often the learned L meets the conditions of §3 on states it
// was not trained to certify. It is a check on samples, never a certificate.
//   unsafeAbove   % of unsafe states with L(s, π(s)) > c
//   safeBelow     % of safe states with L(s, π(s)) ≤ c
//   decreasing    % of transitions with Δ_dec = L(s′, π(s′)) − (1 − λ)·L(s, a) ≤ 0
// π is the deterministic mean action.
import { noGrad, readTensors, tidy, type Tensor } from '../../index.js';
import type { SquashedGaussianActor } from '../shared/rl/index.js';
import type { LyapunovCritic } from './critic.js';

export interface ClbfSamples {
  /** [n, obsDim] observations of unsafe and of safe states */
  unsafeObs: Tensor;
  safeObs: Tensor;
  /** transitions: [m, obsDim], [m, actDim], [m, obsDim] */
  obs: Tensor;
  action: Tensor;
  nextObs: Tensor;
}

export interface ClbfCheck {
  unsafeAbove: number;
  safeBelow: number;
  decreasing: number;
}

export async function clbfSelfCheck(
  critic: LyapunovCritic,
  actor: SquashedGaussianActor,
  samples: ClbfSamples,
  cfg: { level: number; decreaseRate: number },
): Promise<ClbfCheck> {
  const [above, below, dec] = noGrad(() =>
    tidy(() => {
      const atPolicy = (o: Tensor) => critic.forward(o, actor.meanAction(o));
      const frac = (b: Tensor) => b.float().mean().mul(100);
      const delta = atPolicy(samples.nextObs).sub(
        critic.forward(samples.obs, samples.action).mul(1 - cfg.decreaseRate),
      );
      return [
        frac(atPolicy(samples.unsafeObs).gt(cfg.level)),
        frac(atPolicy(samples.safeObs).le(cfg.level)),
        frac(delta.le(0)),
      ];
    }),
  );
  const v = (await readTensors([above, below, dec])).map((x) => x[0]);
  for (const t of [above, below, dec]) t.dispose();
  return { unsafeAbove: v[0], safeBelow: v[1], decreasing: v[2] };
}
