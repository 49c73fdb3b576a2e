// Full-batch training of the shared log-linear policy on bandit preferences (the official bandit code's
// mini-batch form). With a uniform reference h_i = θᵀY_i, so every gradient is analytic:
//   DPO: ∇ℓ_i = −β·σ(−βh_i)·Y_i        IPO: ∇ℓ_i = 2(h_i − 1/(2β))·Y_i
// Weightings of the per-group mean gradients ∇L_g:
//   'average'    Σ_g (N_g/N)·∇L_g                 (plain DPO / IPO: large groups dominate)
//   'importance' Σ_g (1/K)·∇L_g                   (IS-DPO / IS-IPO: fixed weights ∝ 1/N_g per sample)
//   'robust'     α ← normalise(α ⊙ exp(η_α·L)), then Σ_g [(1−χ)/K + χ·α_g]·∇L_g   (GR-DPO / GR-IPO)
import { dot, type PreferenceSet } from './bandit.js';
import { createGroupWeights, mixingCoefficients, updateGroupWeights } from './group-weights.js';
import { grIpoClosedForm, weightedIpoClosedForm } from './closed-form.js';
import type { PreferenceLoss } from './losses.js';

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** ℓ(h) and dℓ/dh for one pair. */
export function pairLoss(kind: PreferenceLoss, h: number, beta: number): { loss: number; dloss: number } {
  if (kind === 'dpo') return { loss: softplus(-beta * h), dloss: -beta * sigmoid(-beta * h) };
  const r = h - 1 / (2 * beta);
  return { loss: r * r, dloss: 2 * r };
}

/** Per-group mean losses L_g, mean gradients ∇L_g, and counts at θ. */
export function groupGradients(data: PreferenceSet, groups: number, theta: ArrayLike<number>, kind: PreferenceLoss, beta: number) {
  const d = theta.length;
  const loss = new Array<number>(groups).fill(0);
  const grad = Array.from({ length: groups }, () => new Array<number>(d).fill(0));
  const count = new Array<number>(groups).fill(0);
  data.Y.forEach((y, i) => {
    const g = data.group[i];
    const { loss: l, dloss } = pairLoss(kind, dot(theta, y), beta);
    loss[g] += l;
    for (let j = 0; j < d; j++) grad[g][j] += dloss * y[j];
    count[g]++;
  });
  for (let g = 0; g < groups; g++) {
    if (count[g] === 0) continue;
    loss[g] /= count[g];
    for (let j = 0; j < d; j++) grad[g][j] /= count[g];
  }
  return { loss, grad, count };
}

export type Weighting = 'average' | 'importance' | 'robust';

export interface BanditTrainConfig {
  loss: PreferenceLoss;
  weighting: Weighting;
  beta: number;
  etaTheta: number;
  etaAlpha: number;
  iterations: number;
  /** trade-off between the worst group (1) and the group-balanced mean (0); robust weighting only */
  chi?: number;
  /** record α and the training group losses every this many iterations */
  recordEvery?: number;
}

export interface BanditTrace {
  theta: number[];
  alpha: number[];
  /** [iteration, α, training group losses] every recordEvery iterations */
  history: { iteration: number; alpha: number[]; groupLoss: number[] }[];
}

/** Gradient descent on θ (with the α ascent step first when robust), as the official vectorised trainer. */
export function trainByGradient(data: PreferenceSet, groups: number, theta0: readonly number[], cfg: BanditTrainConfig): BanditTrace {
  let theta = [...theta0];
  let alpha = createGroupWeights(groups);
  const history: BanditTrace['history'] = [];
  const every = cfg.recordEvery ?? Math.max(1, Math.floor(cfg.iterations / 100));
  for (let t = 0; t < cfg.iterations; t++) {
    const { loss, grad, count } = groupGradients(data, groups, theta, cfg.loss, cfg.beta);
    const present = count.map((c) => c > 0);
    let coef: number[];
    if (cfg.weighting === 'average') coef = count.map((c) => c / data.Y.length);
    else if (cfg.weighting === 'importance') coef = count.map(() => 1 / groups);
    else {
      alpha = updateGroupWeights(alpha, loss, present, cfg.etaAlpha);
      coef = mixingCoefficients(alpha, cfg.chi ?? 1);
    }
    theta = theta.map((v, j) => v - cfg.etaTheta * coef.reduce((s, c, g) => s + c * grad[g][j], 0));
    if (t % every === 0) history.push({ iteration: t, alpha: [...alpha], groupLoss: loss });
  }
  return { theta, alpha, history };
}

/**
 * IPO in closed form. 'average' and 'importance' solve once (weights 1/N, or 1/(K·N_g)); 'robust' alternates
 * θ ← θ(α) (grIpoClosedForm) with the α ascent step on the IPO group losses at θ(α).
 */
export function trainIpoClosedForm(data: PreferenceSet, groups: number, cfg: BanditTrainConfig & { lambda: number }): BanditTrace {
  const counts = new Array<number>(groups).fill(0);
  for (const g of data.group) counts[g]++;
  let alpha = createGroupWeights(groups);
  if (cfg.weighting !== 'robust') {
    const w = data.group.map((g) => (cfg.weighting === 'average' ? 1 / data.Y.length : 1 / (groups * counts[g])));
    const theta = weightedIpoClosedForm(data.Y, w, cfg.beta, cfg.lambda);
    return { theta, alpha, history: [{ iteration: 0, alpha, groupLoss: groupGradients(data, groups, theta, 'ipo', cfg.beta).loss }] };
  }
  const history: BanditTrace['history'] = [];
  const every = cfg.recordEvery ?? Math.max(1, Math.floor(cfg.iterations / 100));
  let theta = grIpoClosedForm(data.Y, data.group, alpha, cfg.beta, cfg.lambda);
  for (let t = 0; t < cfg.iterations; t++) {
    const { loss } = groupGradients(data, groups, theta, 'ipo', cfg.beta);
    alpha = updateGroupWeights(alpha, loss, counts.map((c) => c > 0), cfg.etaAlpha);
    theta = grIpoClosedForm(data.Y, data.group, mixingCoefficients(alpha, cfg.chi ?? 1), cfg.beta, cfg.lambda);
    if (t % every === 0) history.push({ iteration: t, alpha: [...alpha], groupLoss: loss });
  }
  return { theta, alpha, history };
}
