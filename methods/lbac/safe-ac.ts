// One update of the safe actor-critic family (spec §3-§4). The flags pick the arm from one code path:
//   barrier           critic hinges: E_unsafe[relu(c + ε − L)] + E_safe[relu(L − c + ε)] + E_goal[L²]
//   decrease          actor constraint μ1·Δ_dec, Δ_dec = L(s′, ã′) − (1 − λ)·L(s, a)           (LAC's condition)
//   safetyConstraint  actor constraint μ2·Δ_safe, Δ_safe = relu(L(s′, ã′) − c)
//   rewardCritic      twin soft Q on the reward and the actor term −Q(s′, ã′)                  (SAC; variant B)
//   costCritic        a crash-cost critic Q_c and the actor term μ_c·Q_c(s′, ã′), budget d     (SAC-Lag)
// The L-critic exists when any of the first three is on; its TD loss is E[(L(s, a) − y)²] (critic.ts).
// ã′ = π_θ(s′) is reparameterised: it is the only path by which θ gets gradient from L (spec §8).
// The actor's terms are all taken at the batch's next states s′, so one sample (ã′, log π(ã′|s′)) serves the
// entropy, Q, cost and L terms, and (detached) the critics' targets.
import { noGrad, optim, readTensors, tidy, type Tensor } from '../../index.js';
import {
  SquashedGaussianActor,
  TwinQ,
  QNetwork,
  hardUpdate,
  polyakUpdate,
  lagrangeStep,
  temperatureStep,
  softQTarget,
  twinQLoss,
  type Batch,
  type Rng,
} from '../shared/rl/index.js';
import { LyapunovCritic, lyapunovTarget, maskedMean, safeHinge, unsafeHinge } from './critic.js';

export interface SafeAcFlags {
  barrier: boolean;
  decrease: boolean;
  safetyConstraint: boolean;
  rewardCritic: boolean;
  costCritic: boolean;
}

export type ArmName = 'SAC' | 'SAC-Lag' | 'LAC' | 'Barrier-only' | 'LBAC';

/** The spec's five arms (§5). */
export const ARMS: Record<ArmName, SafeAcFlags> = {
  SAC: { barrier: false, decrease: false, safetyConstraint: false, rewardCritic: true, costCritic: false },
  'SAC-Lag': { barrier: false, decrease: false, safetyConstraint: false, rewardCritic: true, costCritic: true },
  LAC: { barrier: false, decrease: true, safetyConstraint: false, rewardCritic: false, costCritic: false },
  'Barrier-only': { barrier: true, decrease: false, safetyConstraint: true, rewardCritic: true, costCritic: false },
  LBAC: { barrier: true, decrease: true, safetyConstraint: true, rewardCritic: false, costCritic: false },
};

export const usesLyapunovCritic = (f: SafeAcFlags) => f.barrier || f.decrease || f.safetyConstraint;

export interface SafeAcConfig {
  flags: SafeAcFlags;
  gamma: number;
  tau: number;
  lr: number;
  /** level c of the CLBF sublevel set, unsafe target c_u, hinge margin ε, decrease rate λ */
  level: number;
  cUnsafe: number;
  margin: number;
  decreaseRate: number;
  /** multipliers: log-space step η_μ and cap μ_max */
  muLr: number;
  muMax: number;
  /** SAC-Lag: the cost budget d of E[Q_c] ≤ d */
  costBudget: number;
  alphaLr: number;
  targetEntropy: number;
  gradClip: number;
}

export const SAFE_AC_DEFAULTS: Omit<SafeAcConfig, 'flags'> = {
  gamma: 0.99,
  tau: 0.005,
  lr: 3e-4,
  level: 1,
  cUnsafe: 2,
  margin: 0.05,
  decreaseRate: 0.1,
  muLr: 1e-3,
  muMax: 100,
  costBudget: 0.01,
  alphaLr: 3e-3,
  targetEntropy: -2,
  gradClip: 10,
};

/** Transition fields the update reads; flags and costs are [B, 1]. */
export const SAFE_AC_FIELDS = {
  obs: 7,
  action: 2,
  cost: 1,
  reward: 1,
  crash: 1,
  nextObs: 7,
  terminal: 1,
  nextSafe: 1,
  nextUnsafe: 1,
  nextGoal: 1,
} as const;
export type SafeAcBatch = Batch<typeof SAFE_AC_FIELDS>;

interface Trained<M> {
  net: M;
  targ: M;
  opt: optim.Adam;
}

export interface SafeAcNets {
  actor: SquashedGaussianActor;
  actorOpt: optim.Adam;
  L: Trained<LyapunovCritic> | null;
  Q: Trained<TwinQ> | null;
  Qc: Trained<QNetwork> | null;
  logAlpha: number;
  logMuDecrease: number;
  logMuSafe: number;
  logMuCost: number;
}

function trained<M extends LyapunovCritic | TwinQ | QNetwork>(make: () => M, lr: number): Trained<M> {
  const net = make();
  const targ = make();
  hardUpdate(targ, net);
  return { net, targ, opt: new optim.Adam(net.parameters(), { lr }) };
}

export function makeSafeAcNets(
  flags: SafeAcFlags,
  opts: { obsDim: number; actDim: number; lr: number; hidden?: number[]; initAlpha?: number },
): SafeAcNets {
  const { obsDim, actDim, lr, hidden = [64, 64] } = opts;
  const actor = new SquashedGaussianActor(obsDim, actDim, { hidden, logStdMin: -5, logStdMax: 1 });
  return {
    actor,
    actorOpt: new optim.Adam(actor.parameters(), { lr }),
    L: usesLyapunovCritic(flags) ? trained(() => new LyapunovCritic(obsDim, actDim, hidden), lr) : null,
    Q: flags.rewardCritic ? trained(() => new TwinQ(obsDim, actDim, hidden), lr) : null,
    Qc: flags.costCritic ? trained(() => new QNetwork(obsDim, actDim, hidden), lr) : null,
    logAlpha: Math.log(opts.initAlpha ?? 1),
    logMuDecrease: 0,
    logMuSafe: 0,
    logMuCost: 0,
  };
}

export interface SafeAcLosses {
  lLoss: number;
  qLoss: number;
  qcLoss: number;
  actorLoss: number;
  meanLogProb: number;
  /** batch means of the constraint terms (NaN when the arm lacks them) */
  decrease: number;
  safety: number;
  costValue: number;
}

function stepWith(opt: optim.Adam, params: Iterable<Tensor>, loss: Tensor, clip: number): void {
  loss.backward();
  if (clip > 0) optim.clipGradNorm_(params, clip);
  opt.step();
}

/**
 * One gradient step of every critic the flags ask for, then the actor, then the temperature, the multipliers
 * (unless `freezeMultipliers`, the spec's warm-up) and the Polyak targets.
 */
export async function safeAcUpdate(
  batch: SafeAcBatch,
  nets: SafeAcNets,
  cfg: SafeAcConfig,
  rng: Rng,
  opts: { freezeMultipliers?: boolean } = {},
): Promise<SafeAcLosses> {
  const f = cfg.flags;
  const alpha = Math.exp(nets.logAlpha);
  const [muDec, muSafe, muCost] = [nets.logMuDecrease, nets.logMuSafe, nets.logMuCost].map(Math.exp);
  const nan = () => null;
  const out = tidy(() => {
    const col = (t: Tensor) => t.squeeze(-1);
    const [cost, reward, crash, terminal] = [batch.cost, batch.reward, batch.crash, batch.terminal].map(col);
    const [nextSafe, nextUnsafe, nextGoal] = [batch.nextSafe, batch.nextUnsafe, batch.nextGoal].map(col);
    const next = nets.actor.sample(batch.nextObs, rng); // ã′ ~ π(·|s′), reparameterised
    const aNext = next.action.detach();
    const logpNext = next.logProb.detach();
    const r: Record<string, Tensor | null> = {
      lLoss: nan(),
      qLoss: nan(),
      qcLoss: nan(),
      decrease: nan(),
      safety: nan(),
      costValue: nan(),
    };

    let lAtBuffer: Tensor | null = null;
    if (nets.L) {
      const { net, targ, opt } = nets.L;
      const y = noGrad(() =>
        lyapunovTarget(cost, nextGoal, nextUnsafe, targ.forward(batch.nextObs, aNext), cfg.gamma, cfg.cUnsafe),
      );
      opt.zeroGrad();
      const lsa = net.forward(batch.obs, batch.action);
      let loss = lsa.sub(y).square().mean();
      if (f.barrier) {
        const lNext = net.forward(batch.nextObs, aNext); // L(s′, π(s′)) at the sets' sample states
        loss = loss
          .add(maskedMean(unsafeHinge(lNext, cfg.level, cfg.margin), nextUnsafe))
          .add(maskedMean(safeHinge(lNext, cfg.level, cfg.margin), nextSafe))
          .add(maskedMean(lNext.square(), nextGoal));
      }
      stepWith(opt, net.parameters(), loss, cfg.gradClip);
      lAtBuffer = lsa.detach();
      r.lLoss = loss.detach();
    }
    if (nets.Q) {
      const { net, targ, opt } = nets.Q;
      const y = noGrad(() => softQTarget(reward, terminal, targ.min(batch.nextObs, aNext), logpNext, cfg.gamma, alpha));
      opt.zeroGrad();
      const loss = twinQLoss(net, batch.obs, batch.action, y);
      stepWith(opt, net.parameters(), loss, cfg.gradClip);
      r.qLoss = loss.detach();
    }
    if (nets.Qc) {
      const { net, targ, opt } = nets.Qc;
      // discounted crash probability: y_c = crash + γ·(1 − terminal)·Q̄_c(s′, a′)
      const y = noGrad(() => crash.add(terminal.neg().add(1).mul(cfg.gamma).mul(targ.forward(batch.nextObs, aNext))));
      opt.zeroGrad();
      const loss = net.forward(batch.obs, batch.action).sub(y).square().mean();
      stepWith(opt, net.parameters(), loss, cfg.gradClip);
      r.qcLoss = loss.detach();
    }

    nets.actorOpt.zeroGrad();
    let actorLoss = next.logProb.mean().mul(alpha);
    if (nets.L && (f.decrease || f.safetyConstraint)) {
      const lPi = nets.L.net.forward(batch.nextObs, next.action); // L(s′, ã′), gradient reaches θ through ã′
      if (f.decrease) {
        const dec = lPi.sub(lAtBuffer!.mul(1 - cfg.decreaseRate)).mean();
        actorLoss = actorLoss.add(dec.mul(muDec));
        r.decrease = dec.detach();
      }
      if (f.safetyConstraint) {
        const safe = lPi.sub(cfg.level).relu().mean();
        actorLoss = actorLoss.add(safe.mul(muSafe));
        r.safety = safe.detach();
      }
    }
    if (nets.Q) actorLoss = actorLoss.sub(nets.Q.net.min(batch.nextObs, next.action).mean());
    if (nets.Qc) {
      const qc = nets.Qc.net.forward(batch.nextObs, next.action).mean();
      actorLoss = actorLoss.add(qc.mul(muCost));
      r.costValue = qc.detach();
    }
    stepWith(nets.actorOpt, nets.actor.parameters(), actorLoss, cfg.gradClip);
    return { ...r, actorLoss: actorLoss.detach(), meanLogProb: logpNext.mean() } as Record<string, Tensor | null>;
  });

  const names = Object.keys(out).filter((k) => out[k] !== null);
  const values = await readTensors(names.map((k) => out[k]!));
  const losses = {
    lLoss: NaN,
    qLoss: NaN,
    qcLoss: NaN,
    actorLoss: NaN,
    meanLogProb: NaN,
    decrease: NaN,
    safety: NaN,
    costValue: NaN,
  } as SafeAcLosses;
  names.forEach((k, i) => {
    (losses as unknown as Record<string, number>)[k] = values[i][0];
    out[k]!.dispose();
  });

  nets.logAlpha = temperatureStep(nets.logAlpha, losses.meanLogProb, cfg.targetEntropy, cfg.alphaLr);
  if (!opts.freezeMultipliers) {
    if (f.decrease) nets.logMuDecrease = lagrangeStep(nets.logMuDecrease, losses.decrease, cfg.muLr, cfg.muMax);
    if (f.safetyConstraint) nets.logMuSafe = lagrangeStep(nets.logMuSafe, losses.safety, cfg.muLr, cfg.muMax);
    if (f.costCritic)
      nets.logMuCost = lagrangeStep(nets.logMuCost, losses.costValue - cfg.costBudget, cfg.muLr, cfg.muMax);
  }
  for (const t of [nets.L, nets.Q, nets.Qc]) if (t) polyakUpdate(t.targ, t.net, cfg.tau);
  return losses;
}
