import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, noGrad, memory, type Tensor } from '../../index.js';
import { nn } from '../../index.js';
import { assertClose } from '../helpers.js';
import { dpoLoss, ipoLoss, preferenceLoss, preferenceLossSlope, preferenceMargin } from '../../methods/group-robust-preference/losses.js';
import { createGroupWeights, importanceWeights, mixingCoefficients, updateGroupWeights, updateGroupWeightsOnDevice } from '../../methods/group-robust-preference/group-weights.js';
import { algorithm1Step, groupLosses, groupRobustObjective, mixGroupLossesOnDevice } from '../../methods/group-robust-preference/objective.js';
import { marginMetrics } from '../../methods/group-robust-preference/metrics.js';
import { grIpoClosedForm, solvePositiveDefinite } from '../../methods/group-robust-preference/closed-form.js';
import { collectPreferences, dot, greedyRewardError, groupLinearBandit } from '../../methods/group-robust-preference/bandit.js';
import { disposeBatch, groupGradients, stackPreferences, trainByGradient, trainIpoClosedForm } from '../../methods/group-robust-preference/bandit-trainer.js';
import { alignPolicy, createTinyGPT, pairLogProbs, trainReference } from '../../methods/group-robust-preference/gpt-alignment.js';
import { GPT_ARMS } from '../../methods/group-robust-preference/gpt-experiment.js';
import { drawGroupRewards, heldOutPairs, trainingPairs } from '../../methods/group-robust-preference/synthetic-preferences.js';
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

s('held-out metrics: per-group loss, accuracy (βh > 0), margin and worst values by hand', async () => {
  const m = await marginMetrics([2, -1, 0.5, 0.5], [0, 0, 1, 1], 2, 'dpo', 0.5);
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

/** ∇L_g of the tensor bandit trainer (analytic slopes), as [K][d]. */
async function analyticGroupGradients(kind: 'dpo' | 'ipo', beta: number): Promise<number[][]> {
  const data = stackPreferences([{ Y, group: groupOf }], 2);
  const { grad } = groupGradients(data, f64([theta0]).unsqueeze(-1), kind, beta);
  const g = Array.from(await grad.data());
  disposeBatch(data);
  return [g.slice(0, 2), g.slice(2, 4)];
}

async function autogradGradient(alpha: number[], chi: number, kind: 'dpo' | 'ipo', beta: number): Promise<number[]> {
  const theta = tensor(theta0, { dtype: 'f64', device: 'cpu', requiresGrad: true });
  const h = f64(Y).matmul(theta.unsqueeze(1)).squeeze(1);
  const { loss } = groupRobustObjective(kind === 'dpo' ? dpoLoss(h, beta) : ipoLoss(h, beta), groupOf, alpha, { chi });
  loss.backward();
  return Array.from(await theta.grad!.data());
}

s('the weighted autograd gradient equals Σ_g α_g ∇L_g computed analytically for a log-linear policy', async () => {
  for (const kind of ['dpo', 'ipo'] as const) {
    const beta = kind === 'dpo' ? 0.8 : 0.4;
    const alpha = [0.35, 0.65];
    const grad = await analyticGroupGradients(kind, beta);
    const analytic = theta0.map((_, j) => alpha[0] * grad[0][j] + alpha[1] * grad[1][j]);
    assertClose(await autogradGradient(alpha, 1, kind, beta), analytic, { atol: 1e-12, msg: kind });
  }
});

s('χ = 0 reproduces the group-balanced gradient; χ = 1 with one-hot α picks one group', async () => {
  const grad = await analyticGroupGradients('dpo', 1);
  assertClose(await autogradGradient([0.9, 0.1], 0, 'dpo', 1), theta0.map((_, j) => (grad[0][j] + grad[1][j]) / 2), { atol: 1e-12 });
  assertClose(await autogradGradient([0, 1], 1, 'dpo', 1), grad[1], { atol: 1e-12 });
  // α enters as constants: nothing in the graph requires grad but θ
  const { loss } = groupRobustObjective(dpoLoss(f64([0.1, 0.2]), 1), [0, 1], [0.5, 0.5]);
  assert.is(loss.requiresGrad, false);
});

s('the analytic slopes dℓ/dh equal autograd: −β/2 for DPO at h = 0, 2(h − 1/(2β)) for IPO', async () => {
  for (const kind of ['dpo', 'ipo'] as const) {
    const h = tensor([0, 0.7, -2], { dtype: 'f64', device: 'cpu', requiresGrad: true });
    preferenceLoss(kind, h, 0.5).sum().backward();
    assertClose(await preferenceLossSlope(kind, h.detach(), 0.5).data(), await h.grad!.data(), { atol: 1e-12, msg: kind });
  }
  assertClose(await preferenceLossSlope('dpo', f64([0]), 0.3).data(), [-0.15], { atol: 1e-12 });
  assertClose(await preferenceLossSlope('ipo', f64([0]), 0.5).data(), [-2], { atol: 1e-12 });
});

s('closed-form GR-IPO satisfies its normal equations and matches 5k steps of gradient descent', async () => {
  const Yh = [[1, 0], [0.5, 1], [-1, 2]];
  const groups = [0, 0, 1];
  const alpha = [0.3, 0.7];
  const beta = 0.5;
  const lambda = 0.1;
  const data = stackPreferences([{ Y: Yh, group: groups }], 2);
  const theta = Array.from(await grIpoClosedForm(data, f64([alpha]), beta, lambda).data());
  disposeBatch(data);
  const w = groups.map((g) => alpha[g] / groups.filter((x) => x === g).length);
  // ∇ of Σ_i w_i (θᵀY_i − 1/(2β))² + λ‖θ‖²
  const gradient = (t: number[]) => t.map((tj, j) => 2 * lambda * tj + Yh.reduce((acc, y, i) => acc + 2 * w[i] * (dot(t, y) - 1 / (2 * beta)) * y[j], 0));
  assertClose(gradient(theta), [0, 0], { atol: 1e-12, msg: 'normal equations' });
  let t = [0, 0];
  for (let k = 0; k < 5000; k++) t = t.map((v, j) => v - 0.1 * gradient(t)[j]);
  assertClose(t, theta, { atol: 1e-4, msg: 'gradient descent' });
});

s('solvePositiveDefinite solves a batch of 3×3 systems', async () => {
  const A = [[[4, 1, 0], [1, 3, 1], [0, 1, 2]], [[2, 0, 0], [0, 5, 0], [0, 0, 1]]];
  const x = [[1, -2, 3], [0.5, 1, -1]];
  const b = A.map((a, s) => a.map((row) => [dot(row, x[s])]));
  assertClose(await solvePositiveDefinite(f64(A as unknown as number[][]), f64(b as unknown as number[][])).data(), x.flat(), { atol: 1e-12 });
});

s('bandit: labels agree with the true reward, and θ*_g makes the greedy policy optimal for group g', async () => {
  const env = groupLinearBandit();
  const data = collectPreferences(env, 200, [0.2, 0.8], 'uneven', seededRng(7));
  assert.is(data.group.filter((g) => g === 0).length, 40);
  data.Y.forEach((y, i) => assert.ok(dot(env.thetaStar[data.group[i]], y) >= 0, `pair ${i} is labelled against its reward`));
  const states = Array.from({ length: 50 }, (_, i) => [(i % 7) / 7, (i % 5) / 5]);
  const err = await greedyRewardError(env, [env.thetaStar[0], [-1, -3, -1, -3]], [states, states]);
  assertClose([err[0][0]], [0], { atol: 1e-12 });
  assert.ok(err[1][0] > 0.05);
});

s('bandit trainers: seeds batched together train as if alone, and leave no tensors behind', async () => {
  const env = groupLinearBandit();
  const rng = seededRng(3);
  const sets = [0, 1].map(() => collectPreferences(env, 30, [0.2, 0.8], 'even', rng));
  const theta0 = [[1, 2, 3, 4], [4, 0.5, 2, 1]];
  const cfg = { loss: 'dpo' as const, weighting: 'robust' as const, beta: 1, etaTheta: 0.5, etaAlpha: 0.9, iterations: 20 };
  const before = memory().tensors;
  const both = stackPreferences(sets, 2);
  const together = await trainByGradient(both, theta0, cfg);
  const ipo = await trainIpoClosedForm(both, { ...cfg, loss: 'ipo', beta: 0.1, etaAlpha: 0.01, lambda: 0 });
  disposeBatch(both);
  for (const s of [0, 1]) {
    const one = stackPreferences([sets[s]], 2);
    const alone = await trainByGradient(one, [theta0[s]], cfg);
    assertClose(together.theta[s], alone.theta[0], { atol: 1e-12 });
    assertClose(together.alpha[s], alone.alpha[0], { atol: 1e-12 });
    assertClose(ipo.theta[s], (await trainIpoClosedForm(one, { ...cfg, loss: 'ipo', beta: 0.1, etaAlpha: 0.01, lambda: 0 })).theta[0], { atol: 1e-9 });
    disposeBatch(one);
  }
  assert.is(memory().tensors, before);
});

s('GPT alignment: memory() stays flat over alignment steps, and SFT leaves the reference holding only its parameters', async () => {
  const rng = seededRng(1);
  const w = drawGroupRewards(rng);
  const train = trainingPairs(rng, w, 40);
  const heldOut = heldOutPairs(rng, w, 2);
  const before = memory().tensors;
  const reference = createTinyGPT('cpu', 0);
  const params = memory().tensors - before;
  await trainReference(reference, rng, { steps: 2, batch: 4, lr: 1e-3, device: 'cpu' });
  assert.is(memory().tensors - before, params, 'after SFT');
  const trainRef = await pairLogProbs(reference, train, 'cpu');
  const heldOutRef = await pairLogProbs(reference, heldOut, 'cpu');
  for (const arm of [GPT_ARMS[0], GPT_ARMS[3]]) {
    const policy = createTinyGPT('cpu', 0);
    const live: number[] = [];
    await alignPolicy(policy, train, trainRef, heldOut, heldOutRef, arm, { beta: 0.1, lr: 1e-3, batch: 4, steps: 5, evalEvery: 2, device: 'cpu' },
      seededRng(2), (step) => { if (step > 0) live.push(memory().tensors); });
    assert.equal(live, new Array(5).fill(live[0]), `${arm.name}: live tensors over steps ${live}`);
    policy.module.dispose();
  }
  reference.module.dispose();
  assert.is(memory().tensors, before);
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
