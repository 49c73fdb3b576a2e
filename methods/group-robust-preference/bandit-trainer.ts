// Full-batch training of the shared log-linear policy on bandit preferences (the official bandit code's
// mini-batch form), on tessera tensors in f64 on the cpu backend, every seed of a setting in one batch:
// θ is [S, d, 1], the data Y is [S, N, d]. With a uniform reference h_i = θᵀY_i, so every gradient is analytic
// (preferenceLossSlope, as the paper's code):  ∇L_g = mean_{i∈g} ℓ'(h_i)·Y_i.
// Weightings of the per-group mean gradients ∇L_g (official convention; group-weights.ts `Convention`):
//   'average'    Σ_g (N_g/N)·∇L_g                 (plain DPO / IPO: large groups dominate)
//   'importance' Σ_g w_g·(N_g/N)·∇L_g, w_g ∝ 1/N_g (IS-DPO / IS-IPO; 'normalised': Σ_g (1/K)·∇L_g)
//   'robust'     α ← normalise(α ⊙ exp(χ·η_α·L)), then Σ_g [(1−χ)/K + χ·α_g]·∇L_g   (GR-DPO / GR-IPO)
import { full, keep, readTensors, tensor, tidy, type Tensor } from '../../index.js';
import type { PreferenceSet } from './bandit.js';
import { alphaStep, updateGroupWeightsOnDevice, type Convention } from './group-weights.js';
import { grIpoClosedForm, weightedIpoClosedForm } from './closed-form.js';
import { preferenceLoss, preferenceLossSlope, type PreferenceLoss } from './losses.js';

const F64 = { dtype: 'f64', device: 'cpu' } as const;

/** One preference set per seed, stacked. Every set must have the same size and group layout. */
export interface BanditBatch {
  /** [S, N, d] rows Y_i = φ(s, y_w, g) − φ(s, y_l, g) */
  Y: Tensor;
  /** [S, K, N] group-mean operator: 1/N_g where pair i belongs to group g, else 0 (groupMean @ v = per-group means) */
  groupMean: Tensor;
  /** [S, K, N] membership: 1 where pair i belongs to group g, else 0 (coef @ membership = each pair's group coefficient) */
  membership: Tensor;
  /** [S, K] data shares N_g/N */
  share: Tensor;
  groups: number;
}

export function stackPreferences(sets: readonly PreferenceSet[], groups: number): BanditBatch {
  const N = sets[0].Y.length;
  const mean: number[][][] = [];
  const membership: number[][][] = [];
  const share: number[][] = [];
  for (const set of sets) {
    if (set.Y.length !== N) throw new Error(`stackPreferences: every set needs ${N} pairs, got ${set.Y.length}`);
    const counts = new Array<number>(groups).fill(0);
    for (const g of set.group) counts[g]++;
    mean.push(counts.map((c, g) => set.group.map((gi) => (gi === g ? 1 / c : 0))));
    membership.push(counts.map((_, g) => set.group.map((gi) => (gi === g ? 1 : 0))));
    share.push(counts.map((c) => c / N));
  }
  return { Y: tensor(sets.map((s) => s.Y), F64), groupMean: tensor(mean, F64), membership: tensor(membership, F64), share: tensor(share, F64), groups };
}

export function disposeBatch(b: BanditBatch): void {
  for (const t of [b.Y, b.groupMean, b.membership, b.share]) t.dispose();
}

/** Per-group mean losses L_g [S, K] and mean gradients ∇L_g [S, K, d] at θ [S, d, 1]. */
export function groupGradients(data: BanditBatch, theta: Tensor, kind: PreferenceLoss, beta: number): { loss: Tensor; grad: Tensor } {
  const h = data.Y.matmul(theta).squeeze(-1); // [S, N]
  const loss = data.groupMean.matmul(preferenceLoss(kind, h, beta).unsqueeze(-1)).squeeze(-1);
  // ∇L_g = Σ_i groupMean[g, i]·ℓ'(h_i)·Y_i: scale the operator's columns, then one matmul with Y
  const grad = data.groupMean.mul(preferenceLossSlope(kind, h, beta).unsqueeze(1)).matmul(data.Y);
  return { loss, grad };
}

/** Per-group mean losses only, [S, K]. */
export const groupMeanLosses = (data: BanditBatch, theta: Tensor, kind: PreferenceLoss, beta: number): Tensor =>
  data.groupMean.matmul(preferenceLoss(kind, data.Y.matmul(theta), beta)).squeeze(-1);

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
  /** 'official' (default): the authors' bandit code; 'normalised': this method's first reading (group-weights.ts) */
  convention?: Convention;
  /** record α and the training group losses every this many iterations */
  recordEvery?: number;
}

export interface BanditTrace {
  /** per seed */
  theta: number[][];
  alpha: number[][];
  /** every recordEvery iterations: α and the training group losses, per seed */
  history: { iteration: number; alpha: number[][]; groupLoss: number[][] }[];
}

/**
 * The coefficient of each group's mean gradient, [S, K]: N_g/N (average); w_g·N_g/N with w_g = (1/N_g)/Σ_h(1/N_h)
 * (importance, official) or 1/K (importance, normalised); (1−χ)/K + χ·α_g (robust).
 */
export function coefficients(data: BanditBatch, weighting: Weighting, alpha: Tensor, chi: number, convention: Convention = 'official'): Tensor {
  if (weighting === 'average') return data.share;
  if (weighting === 'importance') {
    if (convention === 'normalised') return full(data.share.shape, 1 / data.groups, F64);
    const inverse = data.share.reciprocal(); // ∝ 1/N_g
    return inverse.div(inverse.sum(-1, true)).mul(data.share);
  }
  if (!(chi >= 0 && chi <= 1)) throw new Error(`coefficients: χ must lie in [0, 1], got ${chi}`);
  return alpha.mul(chi).add((1 - chi) / data.groups);
}

/** Replaces a kept tensor by the next one, which it keeps. */
function replace(old: Tensor, next: Tensor): Tensor {
  old.dispose();
  return keep(next);
}

async function record(history: BanditTrace['history'], iteration: number, alpha: Tensor, groupLoss: Tensor): Promise<void> {
  const [a, l] = await readTensors([alpha, groupLoss]);
  const rows = (v: ArrayLike<number>) => Array.from({ length: alpha.shape[0] }, (_, s) => Array.from(v).slice(s * alpha.shape[1], (s + 1) * alpha.shape[1]));
  history.push({ iteration, alpha: rows(a), groupLoss: rows(l) });
}

/** Reads θ ([S, d] or [S, d, 1]) and α back per seed and frees them. */
async function finish(theta: Tensor, alpha: Tensor, history: BanditTrace['history']): Promise<BanditTrace> {
  const [t, a] = await readTensors([theta, alpha]);
  const [S, d] = [theta.shape[0], theta.shape[1]];
  const K = alpha.shape[1];
  theta.dispose();
  alpha.dispose();
  return {
    theta: Array.from({ length: S }, (_, s) => Array.from(t).slice(s * d, (s + 1) * d)),
    alpha: Array.from({ length: S }, (_, s) => Array.from(a).slice(s * K, (s + 1) * K)),
    history,
  };
}

/** Gradient descent on θ (with the α ascent step first when robust), as the official vectorised trainer. θ0: [S, d]. */
export async function trainByGradient(data: BanditBatch, theta0: readonly number[][], cfg: BanditTrainConfig): Promise<BanditTrace> {
  let theta = keep(tidy(() => tensor(theta0 as number[][], F64).unsqueeze(-1)));
  let alpha = keep(full(data.share.shape, 1 / data.groups, F64));
  const history: BanditTrace['history'] = [];
  const every = cfg.recordEvery ?? Math.max(1, Math.floor(cfg.iterations / 100));
  const chi = cfg.chi ?? 1;
  for (let t = 0; t < cfg.iterations; t++) {
    const loss = tidy(() => {
      const { loss: L, grad } = groupGradients(data, theta, cfg.loss, cfg.beta);
      // full batch: every group is present, so updateGroupWeightsOnDevice's multipliers are all exp(χ·η_α·L_g)
      if (cfg.weighting === 'robust') alpha = replace(alpha, updateGroupWeightsOnDevice(alpha, L, alphaStep(cfg.etaAlpha, chi, cfg.convention)));
      const coef = coefficients(data, cfg.weighting, alpha, chi, cfg.convention);
      theta = replace(theta, theta.sub(coef.unsqueeze(1).matmul(grad).transpose(1, 2).mul(cfg.etaTheta)));
      return L;
    });
    if (t % every === 0) await record(history, t, alpha, loss);
    loss.dispose();
  }
  return finish(theta, alpha, history);
}

/**
 * IPO in closed form. 'average' and 'importance' solve once (per-sample weights 1/N, or ∝ 1/N_g); 'robust' starts
 * at θ₀ and, as the official closed-form trainer, alternates the α ascent step on the IPO group losses at the
 * current θ with θ ← θ(α) (grIpoClosedForm). θ0: [S, d].
 */
export async function trainIpoClosedForm(data: BanditBatch, theta0: readonly number[][], cfg: BanditTrainConfig & { lambda: number }): Promise<BanditTrace> {
  let alpha = keep(full(data.share.shape, 1 / data.groups, F64));
  const history: BanditTrace['history'] = [];
  const chi = cfg.chi ?? 1;
  if (cfg.weighting !== 'robust') {
    // per-sample weights coef_g/N_g: 1/N (average) or ∝ 1/N_g (importance), read off the group-mean operator
    const theta = keep(tidy(() => weightedIpoClosedForm(data.Y,
      coefficients(data, cfg.weighting, alpha, 1, cfg.convention).unsqueeze(1).matmul(data.groupMean).squeeze(1), cfg.beta, cfg.lambda)));
    const loss = tidy(() => groupMeanLosses(data, theta, 'ipo', cfg.beta));
    await record(history, 0, alpha, loss);
    loss.dispose();
    return finish(theta, alpha, history);
  }
  const every = cfg.recordEvery ?? Math.max(1, Math.floor(cfg.iterations / 100));
  let theta = keep(tidy(() => tensor(theta0 as number[][], F64).unsqueeze(-1)));
  for (let t = 0; t < cfg.iterations; t++) {
    const loss = tidy(() => {
      const L = groupMeanLosses(data, theta, 'ipo', cfg.beta);
      alpha = replace(alpha, updateGroupWeightsOnDevice(alpha, L, alphaStep(cfg.etaAlpha, chi, cfg.convention)));
      theta = replace(theta, grIpoClosedForm(data, coefficients(data, 'robust', alpha, chi), cfg.beta, cfg.lambda, cfg.convention));
      return L;
    });
    if (t % every === 0) await record(history, t, alpha, loss);
    loss.dispose();
  }
  return finish(theta, alpha, history);
}
