// Soft actor-critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications", Algorithm 1):
//   critic  J_Q  = Σ_i E[(Q_i(s,a) − y)²],  y = r + γ·(1 − done)·(min_i Q̄_i(s′,a′) − α·log π(a′|s′)),  a′ ~ π(·|s′)
//   actor   J_π  = E[α·log π(ã|s) − min_i Q_i(s,ã)],  ã ~ π(·|s) reparameterised
//   α       automatic entropy tuning towards H̄ = −dim A (multipliers.ts)
//   targets Polyak averaging with τ (polyak.ts)
// "done" is true only for true terminals (goal, crash); a time-limit cut bootstraps (Pardo et al. 2018).
import { noGrad, optim, readTensors, tidy, type Tensor } from '../../../index.js';
import { SquashedGaussianActor, type ActorOptions } from './actor.js';
import { TwinQ } from './networks.js';
import { hardUpdate, polyakUpdate } from './polyak.js';
import { temperatureStep } from './multipliers.js';
import type { Batch } from './replay-buffer.js';
import type { Rng } from './random.js';

/** Fields a SAC batch needs: reward and terminal are [B, 1]. */
export const SAC_FIELDS = (obsDim: number, actDim: number) =>
  ({ obs: obsDim, action: actDim, reward: 1, nextObs: obsDim, terminal: 1 }) as const;
export type SacBatch = Batch<ReturnType<typeof SAC_FIELDS>>;

/** y = r + γ·(1 − terminal)·(Q̄(s′,a′) − α·log π(a′|s′)), all [B]. */
export function softQTarget(
  reward: Tensor,
  terminal: Tensor,
  nextQ: Tensor,
  nextLogProb: Tensor,
  gamma: number,
  alpha: number,
): Tensor {
  return reward.add(
    terminal
      .neg()
      .add(1)
      .mul(gamma)
      .mul(nextQ.sub(nextLogProb.mul(alpha))),
  );
}

/** Σ_i mean((Q_i(s,a) − y)²) for a twin critic, y detached by the caller. */
export function twinQLoss(q: TwinQ, obs: Tensor, action: Tensor, y: Tensor): Tensor {
  const [q1, q2] = q.forward(obs, action);
  return q1.sub(y).square().mean().add(q2.sub(y).square().mean());
}

export interface SacConfig {
  gamma: number;
  tau: number;
  lr: number;
  /** learning rate of log α */
  alphaLr: number;
  /** H̄; SAC's default is −dim A */
  targetEntropy: number;
  /** clip each network's gradient norm (0: no clipping) */
  gradClip: number;
}

export const SAC_DEFAULTS: SacConfig = {
  gamma: 0.99,
  tau: 0.005,
  lr: 3e-4,
  alphaLr: 3e-4,
  targetEntropy: -1,
  gradClip: 0,
};

export interface SacAgent {
  actor: SquashedGaussianActor;
  q: TwinQ;
  qTarg: TwinQ;
  actorOpt: optim.Adam;
  qOpt: optim.Adam;
  logAlpha: number;
}

export function makeSacAgent(
  obsDim: number,
  actDim: number,
  opts: { lr?: number; hidden?: number[]; initAlpha?: number } & ActorOptions = {},
): SacAgent {
  const actor = new SquashedGaussianActor(obsDim, actDim, opts);
  const q = new TwinQ(obsDim, actDim, opts.hidden);
  const qTarg = new TwinQ(obsDim, actDim, opts.hidden);
  hardUpdate(qTarg, q);
  const lr = opts.lr ?? 3e-4;
  return {
    actor,
    q,
    qTarg,
    logAlpha: Math.log(opts.initAlpha ?? 1),
    actorOpt: new optim.Adam(actor.parameters(), { lr }),
    qOpt: new optim.Adam(q.parameters(), { lr }),
  };
}

export interface SacLosses {
  qLoss: number;
  actorLoss: number;
  meanLogProb: number;
  alpha: number;
}

/** One SAC gradient step on `batch` (critic, actor, temperature, targets). */
export async function sacUpdate(batch: SacBatch, agent: SacAgent, cfg: SacConfig, rng: Rng): Promise<SacLosses> {
  const alpha = Math.exp(agent.logAlpha);
  const [qLoss, actorLoss, logProb] = tidy(() => {
    const reward = batch.reward.squeeze(-1);
    const terminal = batch.terminal.squeeze(-1);
    const y = noGrad(() => {
      const next = agent.actor.sample(batch.nextObs, rng);
      return softQTarget(reward, terminal, agent.qTarg.min(batch.nextObs, next.action), next.logProb, cfg.gamma, alpha);
    });
    agent.qOpt.zeroGrad();
    const lq = twinQLoss(agent.q, batch.obs, batch.action, y);
    lq.backward();
    if (cfg.gradClip > 0) optim.clipGradNorm_(agent.q.parameters(), cfg.gradClip);
    agent.qOpt.step();

    agent.actorOpt.zeroGrad();
    const pi = agent.actor.sample(batch.obs, rng);
    const lpi = pi.logProb.mul(alpha).sub(agent.q.min(batch.obs, pi.action)).mean();
    lpi.backward();
    if (cfg.gradClip > 0) optim.clipGradNorm_(agent.actor.parameters(), cfg.gradClip);
    agent.actorOpt.step();
    return [lq.detach(), lpi.detach(), pi.logProb.mean().detach()];
  });
  const [q, a, lp] = (await readTensors([qLoss, actorLoss, logProb])).map((v) => v[0]);
  for (const t of [qLoss, actorLoss, logProb]) t.dispose();
  agent.logAlpha = temperatureStep(agent.logAlpha, lp, cfg.targetEntropy, cfg.alphaLr);
  polyakUpdate(agent.qTarg, agent.q, cfg.tau);
  return { qLoss: q, actorLoss: a, meanLogProb: lp, alpha };
}
