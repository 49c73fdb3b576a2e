// The prior posterior and the value-route losses (spec §3).
//   posterior   q(a|s) ∝ p_prior(a|s)·exp(Q(s,a)/α); with k proposals drawn from p_prior, the self-normalised
//               estimate weights each action by its proposal count: q̂(a) ∝ count(a)·exp(β·Q(s,a)), β = 1/α.
//   TD target   y = r + γ(1 − d)·max_j Q_target(s′, a′_j) over the k proposals at s′ (the kit's dqnTarget).
//   CQL-Prior   L = ½(Q(s,a_data) − y)² + c·[logsumexp_j Q(s,a_j) − Q(s,a_data)], j over the proposals.
import { logsumexp, type Tensor } from '../../index.js';
import { dqnTarget } from '../shared/rl/index.js';

/** q̂(a) ∝ weight(a)·exp(β·Q(a)); weight = proposal counts (or the prior itself); zero weight → zero mass */
export function posteriorProbs(qValues: ArrayLike<number>, weights: ArrayLike<number>, beta: number): Float64Array {
  if (qValues.length !== weights.length)
    throw new Error(`posteriorProbs: ${qValues.length} Q values but ${weights.length} weights`);
  let m = -Infinity;
  for (let i = 0; i < qValues.length; i++) if (weights[i] > 0) m = Math.max(m, beta * qValues[i]);
  if (m === -Infinity) throw new Error('posteriorProbs: every weight is zero');
  const u = Float64Array.from({ length: qValues.length }, (_, i) =>
    weights[i] > 0 ? weights[i] * Math.exp(beta * qValues[i] - m) : 0,
  );
  const z = u.reduce((a, b) => a + b, 0);
  return u.map((v) => v / z);
}

/** proposal indices → count per admissible action */
export function proposalCounts(proposals: readonly number[], nActions: number): Float64Array {
  const c = new Float64Array(nActions);
  for (const i of proposals) c[i]++;
  return c;
}

export function tdTargetPrior(
  reward: number,
  terminal: boolean,
  qNextProposals: ArrayLike<number>,
  gamma: number,
): number {
  return dqnTarget(reward, terminal, qNextProposals, gamma);
}

/**
 * The CQL-Prior loss averaged over the batch: qProposals [B, k] (padded entries hold −1e9 so they vanish from the
 * logsumexp), qData [B], y [B] (a constant target). With every admissible action as the candidate set it is plain CQL.
 */
export function cqlPriorLoss(qProposals: Tensor, qData: Tensor, y: Tensor, c: number): Tensor {
  const td = qData.sub(y.detach()).square().mul(0.5);
  const gap = logsumexp(qProposals, -1).sub(qData);
  return td.add(gap.mul(c)).mean();
}
