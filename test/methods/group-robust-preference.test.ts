import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, noGrad, type Tensor } from '../../index.js';
import { nn } from '../../index.js';
import { assertClose } from '../helpers.js';
import { dpoLoss, ipoLoss, preferenceMargin } from '../../methods/group-robust-preference/losses.js';
import { createGroupWeights, importanceWeights, mixingCoefficients, updateGroupWeights, updateGroupWeightsOnDevice } from '../../methods/group-robust-preference/group-weights.js';
import { algorithm1Step, groupLosses, groupRobustObjective, mixGroupLossesOnDevice } from '../../methods/group-robust-preference/objective.js';
import { marginMetrics } from '../../methods/group-robust-preference/metrics.js';
import { grIpoClosedForm } from '../../methods/group-robust-preference/closed-form.js';
import { collectPreferences, dot, greedyRewardError, groupLinearBandit } from '../../methods/group-robust-preference/bandit.js';
import { groupGradients, pairLoss } from '../../methods/group-robust-preference/bandit-trainer.js';
import { sequenceLogProb } from '../../methods/group-robust-preference/sequence-logprob.js';
import { seededRng } from '../../methods/group-robust-preference/random.js';

const s = suite('methods/group-robust-preference');
const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'f64', device: 'cpu' });

s('two-group weight update by hand: α=(½,½), L=(1,0), η=1 gives (e/(1+e), 1/(1+e))', () => {
  const a = updateGroupWeights(createGroupWeights(2), [1, 0], [true, true], 1);
  assertClose(a, [Math.E / (1 + Math.E), 1 / (1 + Math.E)], { atol: 1e-12 });
  assertClose(a, [0.7311, 0.2689], { atol: 1e-4 });
});

s('the on-device α update and mixing equal the plain-array ones', async () => {
  const alpha = f64([0.2, 0.3, 0.5]);
  const loss = f64([2, 0, 0.5]);
  assertClose(await updateGroupWeightsOnDevice(alpha, loss, 0.5).data(), updateGroupWeights([0.2, 0.3, 0.5], [2, 0, 0.5], [true, true, true], 0.5), { atol: 1e-12 });
  const mixed = await mixGroupLossesOnDevice(loss, alpha, 0.4).item();
  assertClose([mixed], [mixingCoefficients([0.2, 0.3, 0.5], 0.4).reduce((acc, c, g) => acc + c * [2, 0, 0.5][g], 0)], { atol: 1e-12 });
});

s('held-out metrics: per-group loss, accuracy (βh > 0), margin and worst values by hand', () => {
  const m = marginMetrics([2, -1, 0.5, 0.5], [0, 0, 1, 1], 2, 'dpo', 0.5);
  assertClose(m.accuracy, [0.5, 1], { atol: 1e-12 });
  assertClose(m.margin, [0.25, 0.25], { atol: 1e-12 });
  assertClose(m.loss, [(Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(0.5))) / 2, Math.log1p(Math.exp(-0.25))], { atol: 1e-12 });
  assert.is(m.worstAccuracy, 0.5);
  assert.is(m.worstLoss, m.loss[0]);
  assertClose([m.meanAccuracy], [0.75], { atol: 1e-12 });
});

s('an absent group keeps multiplier 1 and changes only through renormalisation; no NaN', () => {
  const a = updateGroupWeights([0.2, 0.3, 0.5], [2, NaN, 0.5], [true, false, true], 0.5);
  const raw = [0.2 * Math.exp(1), 0.3, 0.5 * Math.exp(0.25)];
  const z = raw.reduce((x, y) => x + y);
  assertClose(a, raw.map((v) => v / z), { atol: 1e-12 });
  assert.ok(a.every(Number.isFinite));
});

s('Algorithm 1 step: N=10, N_g=(8,2), sample from group 1 with ℓ=0.5, η_α=0.1 gives α=(0.4378, 0.5622)', () => {
  const { alpha, theta } = algorithm1Step([0.5, 0.5], [1, -1], { group: 1, loss: 0.5, grad: [2, 4] },
    { N: 10, Ng: [8, 2] }, { etaAlpha: 0.1, etaTheta: 0.01 });
  assertClose(alpha, [0.5 / (0.5 + 0.5 * Math.exp(0.25)), 0.5 * Math.exp(0.25) / (0.5 + 0.5 * Math.exp(0.25))], { atol: 1e-12 });
  assertClose(alpha, [0.4378, 0.5622], { atol: 1e-4 });
  // θ − η_θ·(N/N_g)·α_g·∇ℓ with the new α
  assertClose(theta, [1 - 0.01 * 5 * alpha[1] * 2, -1 - 0.01 * 5 * alpha[1] * 4], { atol: 1e-12 });
});

s('DPO at h = 0 is ln 2 with gradient −β/2; IPO at h = 1/(2β) is 0; hand values elsewhere', async () => {
  const beta = 0.3;
  const h = tensor([0], { dtype: 'f64', device: 'cpu', requiresGrad: true });
  const l = dpoLoss(h, beta).sum();
  l.backward();
  assertClose([await l.item()], [Math.LN2], { atol: 1e-12 });
  assertClose(await h.grad!.data(), [-beta / 2], { atol: 1e-12 });
  assertClose(await dpoLoss(f64([1, -2]), 0.5).data(), [Math.log(1 + Math.exp(-0.5)), Math.log(1 + Math.exp(1))], { atol: 1e-12 });
  assertClose(await ipoLoss(f64([1 / (2 * beta), 2]), 0.5).data(), [(1 / 0.6 - 1) ** 2, 1], { atol: 1e-12 });
  const m = preferenceMargin(f64([-1]), f64([-3]), f64([-2]), f64([-2.5]));
  assertClose(await m.data(), [(-1 + 2) - (-3 + 2.5)], { atol: 1e-12 });
});

s('importance weights make the weighted sample mean the group-balanced mean', () => {
  const w = importanceWeights([8, 2]);
  const losses = [...new Array(8).fill(1), 3, 3];
  const groupOf = [...new Array(8).fill(0), 1, 1];
  const weighted = losses.reduce((acc, l, i) => acc + w[groupOf[i]] * l, 0) / 10;
  assertClose([weighted], [(1 + 3) / 2], { atol: 1e-12 });
});

s('totalCount scaling: L_g = N·Σ_{batch∩g} ℓ_i / N_g', async () => {
  const { groupLoss, present } = groupLosses(f64([1, 2, 4]), [0, 0, 2], 3, { scaling: 'totalCount', N: 100, Ng: [50, 30, 20] });
  assertClose(await groupLoss.data(), [100 * 3 / 50, 0, 100 * 4 / 20], { atol: 1e-12 });
  assert.equal(present, [true, false, true]);
});

// a small log-linear data set: h = θᵀY_i with a uniform reference
const Y = [[1, 0.5], [0.2, -1], [-0.3, 0.8], [0.9, 0.1], [0.4, 0.4]];
const groupOf = [0, 0, 1, 1, 1];
const theta0 = [0.3, -0.7];

async function autogradGradient(alpha: number[], chi: number, kind: 'dpo' | 'ipo', beta: number): Promise<number[]> {
  const theta = tensor(theta0, { dtype: 'f64', device: 'cpu', requiresGrad: true });
  const h = f64(Y).matmul(theta.unsqueeze(1)).squeeze(1);
  const { loss } = groupRobustObjective(kind === 'dpo' ? dpoLoss(h, beta) : ipoLoss(h, beta), groupOf, alpha, { chi });
  loss.backward();
  return Array.from(await theta.grad!.data());
}

s('the weighted autograd gradient equals Σ_g α_g ∇L_g computed analytically for a log-linear policy', async () => {
  const data = { Y, group: groupOf };
  for (const kind of ['dpo', 'ipo'] as const) {
    const beta = kind === 'dpo' ? 0.8 : 0.4;
    const alpha = [0.35, 0.65];
    const { grad } = groupGradients(data, 2, theta0, kind, beta);
    const analytic = theta0.map((_, j) => alpha[0] * grad[0][j] + alpha[1] * grad[1][j]);
    assertClose(await autogradGradient(alpha, 1, kind, beta), analytic, { atol: 1e-12, msg: kind });
  }
});

s('χ = 0 reproduces the group-balanced gradient; χ = 1 with one-hot α picks one group', async () => {
  const { grad } = groupGradients({ Y, group: groupOf }, 2, theta0, 'dpo', 1);
  assertClose(await autogradGradient([0.9, 0.1], 0, 'dpo', 1), theta0.map((_, j) => (grad[0][j] + grad[1][j]) / 2), { atol: 1e-12 });
  assertClose(await autogradGradient([0, 1], 1, 'dpo', 1), grad[1], { atol: 1e-12 });
  // α enters as constants: nothing in the graph requires grad but θ
  const { loss } = groupRobustObjective(dpoLoss(f64([0.1, 0.2]), 1), [0, 1], [0.5, 0.5]);
  assert.is(loss.requiresGrad, false);
});

s('pairLoss derivatives match finite differences', () => {
  for (const kind of ['dpo', 'ipo'] as const) {
    const e = 1e-6;
    const num = (pairLoss(kind, 0.7 + e, 0.5).loss - pairLoss(kind, 0.7 - e, 0.5).loss) / (2 * e);
    assertClose([pairLoss(kind, 0.7, 0.5).dloss], [num], { atol: 1e-7 });
  }
});

s('closed-form GR-IPO satisfies its normal equations and matches 5k steps of gradient descent', () => {
  const Yh = [[1, 0], [0.5, 1], [-1, 2]];
  const groups = [0, 0, 1];
  const alpha = [0.3, 0.7];
  const beta = 0.5;
  const lambda = 0.1;
  const theta = grIpoClosedForm(Yh, groups, alpha, beta, lambda);
  const w = groups.map((g) => alpha[g] / groups.filter((x) => x === g).length);
  // ∇ of Σ_i w_i (θᵀY_i − 1/(2β))² + λ‖θ‖²
  const gradient = (t: number[]) => t.map((tj, j) => 2 * lambda * tj + Yh.reduce((acc, y, i) => acc + 2 * w[i] * (dot(t, y) - 1 / (2 * beta)) * y[j], 0));
  assertClose(gradient(theta), [0, 0], { atol: 1e-12, msg: 'normal equations' });
  let t = [0, 0];
  for (let k = 0; k < 5000; k++) t = t.map((v, j) => v - 0.1 * gradient(t)[j]);
  assertClose(t, theta, { atol: 1e-4, msg: 'gradient descent' });
});

s('bandit: labels agree with the true reward, and θ*_g makes the greedy policy optimal for group g', () => {
  const env = groupLinearBandit();
  const data = collectPreferences(env, 200, [0.2, 0.8], 'uneven', seededRng(7));
  assert.is(data.group.filter((g) => g === 0).length, 40);
  data.Y.forEach((y, i) => assert.ok(dot(env.thetaStar[data.group[i]], y) >= 0, `pair ${i} is labelled against its reward`));
  const states = Array.from({ length: 50 }, (_, i) => [(i % 7) / 7, (i % 5) / 5]);
  assertClose([greedyRewardError(env, env.thetaStar[0], states)[0]], [0], { atol: 1e-12 });
  assert.ok(greedyRewardError(env, [-1, -3, -1, -3], states)[0] > 0.05);
});

class FixedLogits extends nn.Module {
  // a model whose next-token logits depend only on the position: rows of `table`
  constructor(private table: number[][]) { super(); }
  forward(ids: Tensor): Tensor {
    const [B, T] = ids.shape;
    return tensor(this.table.slice(0, T), { dtype: 'f64', device: 'cpu' }).unsqueeze(0).expand([B, T, this.table[0].length]);
  }
}

s('sequenceLogProb sums response-token log-probs only (hand 2-token sum)', async () => {
  const table = [[0, 0, 0], [1, 2, 3], [0.5, -1, 0], [2, 0, 0]];
  const logSoftmaxAt = (row: number[], k: number) => row[k] - Math.log(row.reduce((acc, v) => acc + Math.exp(v), 0));
  // prompt [0, 1] then response [2, 0]: position 1 predicts token 2, position 2 predicts token 0
  const lp = await noGrad(() => sequenceLogProb(new FixedLogits(table), [[0, 1], [1, 1]], [[2, 0], [1, 2]])).data();
  assertClose(lp, [logSoftmaxAt(table[1], 2) + logSoftmaxAt(table[2], 0), logSoftmaxAt(table[1], 1) + logSoftmaxAt(table[2], 2)], { atol: 1e-12 });
});

s.run();
