import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cat, manualSeed, nn, noGrad, tensor, tidy, type Tensor } from '../../index.js';
import { gae, makeRng, ppoClipLoss } from '../../methods/shared/rl/index.js';
import { BarDistribution } from '../../methods/nap/bar.js';
import { evaluateRegret } from '../../methods/nap/evaluate.js';
import { initialQueries } from '../../methods/nap/rollout.js';
import { buildAttentionMask, MASKED } from '../../methods/nap/mask.js';
import { NapModel, type NapConfig, type NapInputs } from '../../methods/nap/model.js';
import { randomContexts } from '../../methods/nap/np-loss.js';
import type { Policy } from '../../methods/nap/policies.js';
import { countRecords, harmonic, regretCurve, regretReward } from '../../methods/nap/regret.js';
import { meanRanks } from '../../methods/nap/report.js';
import { rankWithTies } from '../../methods/shared/stats.js';
import { maskedLogProb, maskedProbabilities, sampleAllowed, topKAllowed } from '../../methods/nap/sampling.js';
import { napInputs, stateFeatures } from '../../methods/nap/state.js';
import { hartmann3, minMaxNormalise, type Task } from '../../methods/nap/tasks.js';
import { standardise } from '../../methods/nap/train.js';

const s = suite('methods/nap');
const close = (a: number, b: number, tol: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
const vals = async (t: Tensor) => Array.from((await t.data()) as ArrayLike<number>);

s(
  'mask (T = 3 slots, t = 2 filled, N = 2 queries): history sees the filled slots, queries the history and themselves',
  () => {
    const m = buildAttentionMask(3, 2, 2);
    const rows = [0, 1, 2, 3, 4].map((i) => Array.from(m.subarray(i * 5, i * 5 + 5)));
    assert.equal(rows, [
      [1, 1, 0, 0, 0],
      [1, 1, 0, 0, 0],
      [1, 1, 1, 0, 0],
      [1, 1, 0, 1, 0],
      [1, 1, 0, 0, 1],
    ]);
    assert.throws(() => buildAttentionMask(3, 2, 4), /filled <= slots/);
  },
);

// a tiny model with weights scaled up so that a wrong mask would move the outputs by far more than 1e-5
const TINY: NapConfig = {
  dim: 2,
  embed: 8,
  layers: 2,
  heads: 2,
  feedForward: 16,
  buckets: 8,
  acqHidden: [8],
  temperature: 0.1,
  detachBuckets: false,
  device: 'cpu',
};
function tinyModel(): NapModel {
  manualSeed(3);
  const model = new NapModel(TINY);
  for (const p of model.parameters()) if (p.ndim === 2) nn.init.normal_(p, 0, 0.5);
  return model;
}
function tinyInputs(rng = makeRng(1)): NapInputs {
  const [B, S, N, d] = [2, 4, 3, 2];
  const r = (n: number) => Float32Array.from({ length: n }, () => rng.uniform());
  return {
    batch: B,
    slots: S,
    pool: N,
    histX: r(B * S * d),
    histY: r(B * S),
    filled: Int32Array.of(3, 2),
    queryX: r(B * N * d),
    state: r(B * 2),
  };
}
const forward = async (model: NapModel, inp: NapInputs) => {
  const [a, b] = tidy(() =>
    noGrad(() => {
      const o = model.forward(inp);
      return [o.acqLogits, o.bucketLogits];
    }),
  );
  return { acq: await vals(a), buckets: await vals(b) };
};
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

s(
  'transformer: padding is never read; permuting the history changes nothing; permuting queries permutes outputs',
  async () => {
    const model = tinyModel();
    const inp = tinyInputs();
    const base = await forward(model, inp);
    // padding: row 0 has 3 of 4 slots filled, row 1 has 2
    const padded = { ...inp, histX: inp.histX.slice(), histY: inp.histY.slice() };
    for (const [b, t] of [
      [0, 3],
      [1, 2],
    ])
      for (let k = t; k < 4; k++) {
        padded.histY[b * 4 + k] = 9;
        padded.histX.set([7, -7], (b * 4 + k) * 2);
      }
    assert.equal((await forward(model, padded)).acq, base.acq);
    // history order: reverse the 3 filled slots of row 0
    const perm = { ...inp, histX: inp.histX.slice(), histY: inp.histY.slice() };
    for (const [from, to] of [
      [0, 2],
      [2, 0],
    ]) {
      perm.histY[to] = inp.histY[from];
      perm.histX.set(inp.histX.subarray(from * 2, from * 2 + 2), to * 2);
    }
    const permuted = await forward(model, perm);
    assert.ok(maxDiff(permuted.acq, base.acq) < 1e-5 && maxDiff(permuted.buckets, base.buckets) < 1e-5);
    // queries: rotate the 3 candidates of each row; outputs rotate with them
    const rot = { ...inp, queryX: inp.queryX.slice() };
    for (let b = 0; b < 2; b++)
      for (let j = 0; j < 3; j++)
        rot.queryX.set(inp.queryX.subarray((b * 3 + j) * 2, (b * 3 + j) * 2 + 2), (b * 3 + ((j + 1) % 3)) * 2);
    const rotated = await forward(model, rot);
    for (let b = 0; b < 2; b++)
      for (let j = 0; j < 3; j++)
        close(rotated.acq[b * 3 + ((j + 1) % 3)], base.acq[b * 3 + j], 1e-5, `query ${b},${j}`);
    // and a different history does change the outputs (the test above is not vacuous)
    const other = await forward(model, { ...inp, histY: inp.histY.map((v) => 1 - v) });
    assert.ok(maxDiff(other.acq, base.acq) > 1e-3);
  },
);

s('transformer: split attention equals dense attention over [history | queries] under buildAttentionMask', async () => {
  const model = tinyModel();
  const inp = tinyInputs(makeRng(5));
  const { batch: B, slots: S, pool: N } = inp;
  const dense = tidy(() =>
    noGrad(() => {
      const f = (a: Float32Array, shape: number[]) => tensor(a, { shape, device: 'cpu', dtype: 'f32' });
      const hist = model.xEncoder.forward(f(inp.histX, [B, S, 2])).add(model.yEncoder.forward(f(inp.histY, [B, S, 1])));
      let x = cat([hist, model.xEncoder.forward(f(inp.queryX, [B, N, 2]))], 1);
      const L = S + N;
      const bias = new Float32Array(B * L * L);
      for (let b = 0; b < B; b++)
        buildAttentionMask(S, N, inp.filled[b]).forEach((m, i) => (bias[b * L * L + i] = m ? 0 : MASKED));
      const biasT = f(bias, [B, 1, L, L]);
      for (const layer of model.layers.children() as InstanceType<
        typeof import('../../methods/nap/model.js').NapEncoderLayer
      >[]) {
        const [q, k, v] = [layer.q, layer.k, layer.v].map((p) => layer.splitHeads(p.forward(x)));
        const att = q
          .matmul(k.transpose(-2, -1))
          .mul(1 / Math.sqrt(4))
          .add(biasT)
          .softmax(-1)
          .matmul(v);
        x = layer.finish(x, layer.mergeHeads(att));
      }
      return model.bucketHead.forward(x.narrow(1, S, N)) as Tensor;
    }),
  );
  const split = await forward(model, inp);
  assert.ok(
    maxDiff(await vals(dense), split.buckets) < 1e-4,
    `dense vs split ${maxDiff(await vals(dense), split.buckets)}`,
  );
});

s('bar distribution: 4 uniform buckets on [−0.1, 1.1] have log density −0.18232 and EI(0.5) = 0.15', async () => {
  const bar = BarDistribution.uniform(-0.1, 1.1, 4);
  const uniform = tensor([[[0, 0, 0, 0]]], { device: 'cpu', dtype: 'f64' });
  for (const y of [-0.05, 0.3, 0.99])
    close((await vals(bar.logDensity(uniform.reshape([1, 4]), [y])))[0], -0.18232, 1e-5, `y=${y}`);
  close((await vals(bar.ei(uniform, [0.5])))[0], 0.25 * 0.15 + 0.25 * 0.45, 1e-12);
  // all mass in [0.5, 0.8] and y* = 0.6 inside it: (0.8 − 0.6)² / (2·0.3)
  const peaked = tensor([[[-50, -50, 0, -50]]], { device: 'cpu', dtype: 'f64' });
  close((await vals(bar.ei(peaked, [0.6])))[0], 0.04 / 0.6, 1e-9);
  close((await vals(bar.ei(peaked, [0.9])))[0], 0, 1e-9);
  // targets outside the range are clipped into the end buckets; log density of a peaked bucket is log(1/0.3)
  assert.equal([bar.bucketOf(-3), bar.bucketOf(0.25), bar.bucketOf(5)], [0, 1, 3]);
  close((await vals(bar.logDensity(peaked.reshape([1, 4]), [0.7])))[0], Math.log(1 / 0.3), 1e-9);
});

s('reward −log10 max(R, 1e-20): regret 0.01 → 2, regret 0 → 20; regret curve tracks the incumbent', () => {
  close(regretReward(0.01), 2, 1e-12);
  assert.is(regretReward(0), 20);
  assert.equal(Array.from(regretCurve([0.2, 1, 0.5, 0], [3, 0, 2, 1])), [1, 0.8, 0.5, 0]);
});

s('GAE γ = λ = 0.5 on rewards [1, 0, 2], values 0.5, terminal end; PPO clip ε = 0.15 objective values', async () => {
  const { advantages, returns } = gae(
    { rewards: [1, 0, 2], values: [0.5, 0.5, 0.5], nextValues: [0.5, 0.5, 0], terminal: [0, 0, 1], done: [0, 0, 1] },
    0.5,
    0.5,
  );
  assert.equal(Array.from(advantages), [0.78125, 0.125, 1.5]);
  assert.equal(Array.from(returns), [1.28125, 0.625, 2]);
  const cpu = { device: 'cpu', dtype: 'f64' } as const;
  const loss = (ratio: number, adv: number) =>
    ppoClipLoss(tensor([Math.log(ratio)], cpu), tensor([0], cpu), tensor([adv], cpu), 0.15).item();
  close(await loss(1.3, 1), -1.15, 1e-12); // the objective is clipped at 1.15
  close(await loss(0.7, -1), 0.85, 1e-12); // min(−0.7, −0.85) = −0.85
});

s('sampling: queried candidates get probability 0; top-2 of [3, 1, 2, 0, 5] samples only {4, 0}', async () => {
  const logits = [3, 1, 2, 0, 5];
  const allowed = topKAllowed(logits, new Uint8Array(5), 2);
  assert.equal(Array.from(allowed), [1, 0, 0, 0, 1]);
  const rng = makeRng(4);
  const seen = new Set(Array.from({ length: 200 }, () => sampleAllowed(logits, allowed, rng).action));
  assert.equal([...seen].sort(), [0, 4]);
  const queried = Uint8Array.of(0, 0, 0, 0, 1);
  const open = topKAllowed(logits, queried, 2);
  assert.equal(Array.from(open), [1, 0, 1, 0, 0]);
  assert.is(maskedProbabilities(logits, open)[4], 0);
  // the tensor log-probability under the stored mask matches the host one
  const { logProb } = maskedLogProb(tensor([logits], { device: 'cpu', dtype: 'f64' }), open, Int32Array.of(2));
  close((await vals(logProb))[0], Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(3))), 1e-9);
});

s('records: 10k random permutations of length 16 set 3.381 ± 0.03 incumbents (H_16)', () => {
  const rng = makeRng(11);
  let total = 0;
  for (let r = 0; r < 10000; r++) total += countRecords(Array.from({ length: 16 }, () => rng.uniform()));
  close(total / 10000, 3.381, 0.03);
  close(harmonic(16), 3.3807, 1e-4);
  assert.is(countRecords([1, 1, 2, 0]), 2);
});

s('tasks: Hartmann-3 peaks at 3.86278; min-max normalisation; states pack (y*, t/T) and pad the history', () => {
  close(hartmann3([0.114614, 0.555649, 0.852547]), 3.86278, 1e-4);
  assert.equal(Array.from(minMaxNormalise([2, 4, 3])), [0, 1, 0.5]);
  const task: Task = {
    x: [Float64Array.of(0, 0), Float64Array.of(1, 1), Float64Array.of(0.5, 0.5)],
    y: Float64Array.of(0.2, 1, 0),
  };
  const h = { steps: 4, nInit: 1 };
  assert.equal(stateFeatures({ task, history: [0, 2] }, h), [0.2, 0.25]);
  const inp = napInputs([{ task, history: [2, 0] }], h);
  assert.equal([inp.slots, inp.filled[0], inp.histY[0], inp.histY[1], inp.histY[2]], [4, 2, 0, Math.fround(0.2), 0]);
  const ctx = randomContexts([task, task, task], 3, makeRng(2));
  assert.ok(ctx.every((c) => c.history.length >= 1 && c.history.length <= 3));
});

s('evaluateRegret: a scripted policy gives the hand-computed regret matrix, from a shared initial point', async () => {
  const task: Task = { x: [0, 1, 2, 3].map((v) => Float64Array.of(v)), y: Float64Array.of(0.3, 1, 0, 0.6) };
  const ascending: Policy = {
    name: 'asc',
    choose: async (st) => st.map((s) => [0, 1, 2, 3].find((i) => !s.history.includes(i))!),
  };
  const [curve] = await evaluateRegret(ascending, [task], { steps: 2, nInit: 1 }, 0);
  const [first] = initialQueries(4, 1, makeRng(0)); // the evaluation's initial point for task 0, seed 0
  const order = [first, ...[0, 1, 2, 3].filter((i) => i !== first).slice(0, 2)];
  const best = order.map((_, k) => Math.max(...order.slice(0, k + 1).map((i) => task.y[i])));
  assert.equal(
    Array.from(curve),
    best.map((b) => 1 - b),
  ); // [after the initial point, step 1, step 2]
});

s('report: average ranks share ties; mean rank over runs and steps; advantages standardised', () => {
  assert.equal(rankWithTies([0.3, 0.1, 0.3]), [2.5, 1, 2.5]);
  const a = [Float64Array.of(1, 0.5, 0)];
  const b = [Float64Array.of(1, 0.7, 0.2)];
  assert.equal(meanRanks([a, b]), [1, 2]);
  const z = standardise([1, 2, 3]);
  close(z[0], -Math.sqrt(1.5), 1e-6);
  close(z[2], Math.sqrt(1.5), 1e-6);
});

s.run();
