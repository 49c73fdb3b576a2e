import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, tidy } from '../../index.js';
import { linearAttention, linearAttentionParallel } from '../../ops/linear-attention.js';
import { LinearAttentionState } from '../../nn/attention/linear-attention-state.js';
import { hybridAttention, HybridState } from '../../nn/attention/hybrid.js';
import { eluPlusOne, LearnableFeatureMap } from '../../nn/attention/feature-maps.js';
import { scaledDotProductAttention } from '../../ops/attention.js';
import { DEVICES, assertClose, assertTensorClose, randomValues, gradcheck, assertThrows } from '../helpers.js';

const s = suite('nn/attention linear and hybrid');

/** Loop reference of the hybrid weights (spec of methods/linearisation): one row i. */
function hybridRow(i: number, q: number[][], k: number[][], v: number[][], fq: number[][], fk: number[][],
  o: { W: number; gamma: number; lambda: number; useWindow?: boolean; useLinear?: boolean }) {
  const d = q[0].length;
  const win: number[] = [];
  const lin: number[] = [];
  for (let j = 0; j <= i; j++) (o.useWindow !== false && j > i - o.W ? win : lin).push(j);
  const dot = (a: number[], b: number[]) => a.reduce((acc, x, n) => acc + x * b[n], 0);
  const s = win.map((j) => dot(q[i], k[j]) / Math.sqrt(d));
  const m = Math.max(...s);
  const weights = new Map<number, number>();
  win.forEach((j, n) => weights.set(j, o.gamma * Math.exp(s[n] - m)));
  if (o.useLinear !== false) lin.forEach((j) => weights.set(j, o.lambda * dot(fq[i], fk[j])));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const y = v[0].map((_, e) => [...weights].reduce((acc, [j, w]) => acc + w * v[j][e], 0) / (total + 1e-6));
  const linMass = o.useLinear !== false ? lin.reduce((acc, j) => acc + weights.get(j)!, 0) : 0;
  return { y, share: linMass / total };
}

const rows = (flat: number[], T: number, n: number) => Array.from({ length: T }, (_, t) => flat.slice(t * n, (t + 1) * n));

s('linear attention: the fused op, the parallel form and a loop agree on both devices', async () => {
  const [B, H, T, F, Dv] = [2, 2, 21, 5, 3];
  const pq = randomValues(B * H * T * F, 1, 0.1, 1);
  const pk = randomValues(B * H * T * F, 2, 0.1, 1);
  const vv = randomValues(B * H * T * Dv, 3);
  const expected: number[] = [];
  for (let bh = 0; bh < B * H; bh++) for (let i = 0; i < T; i++) {
    const w = Array.from({ length: i + 1 }, (_, j) => pq.slice((bh * T + i) * F, (bh * T + i + 1) * F).reduce((a, x, f) => a + x * pk[(bh * T + j) * F + f], 0));
    const z = w.reduce((a, b) => a + b, 0) + 1e-6;
    for (let e = 0; e < Dv; e++) expected.push(w.reduce((a, x, j) => a + x * vv[(bh * T + j) * Dv + e], 0) / z);
  }
  for (const device of DEVICES) {
    const [fused, parallel] = tidy(() => {
      const [q, k, v] = [tensor(pq, { shape: [B, H, T, F], device }), tensor(pk, { shape: [B, H, T, F], device }), tensor(vv, { shape: [B, H, T, Dv], device })];
      return [linearAttention(q, k, v), linearAttentionParallel(q, k, v)];
    });
    await assertTensorClose(fused, expected, { atol: 1e-5, msg: `fused on ${device}` });
    await assertTensorClose(parallel, expected, { atol: 1e-5, msg: `parallel on ${device}` });
    fused.dispose(); parallel.dispose();
  }
});

s('linear attention: the recurrent state equals the parallel form token by token', async () => {
  const [B, H, T, F, Dv] = [1, 2, 6, 4, 3];
  for (const device of DEVICES) {
    const [q, k, v] = [tensor(randomValues(B * H * T * F, 4, 0.1, 1), { shape: [B, H, T, F], device }),
      tensor(randomValues(B * H * T * F, 5, 0.1, 1), { shape: [B, H, T, F], device }), tensor(randomValues(B * H * T * Dv, 6), { shape: [B, H, T, Dv], device })];
    const full = await tidy(() => linearAttentionParallel(q, k, v)).data();
    const state = new LinearAttentionState(B, H, F, Dv, { device });
    for (let t = 0; t < T; t++) {
      const y = tidy(() => state.step(q.narrow(2, t, 1), k.narrow(2, t, 1), v.narrow(2, t, 1)));
      const want = Array.from({ length: B * H * Dv }, (_, n) => full[(Math.floor(n / Dv) * T + t) * Dv + (n % Dv)]);
      assertClose(await y.data(), want, { atol: 1e-5, msg: `step ${t} on ${device}` });
      y.dispose();
    }
    state.dispose();
    [q, k, v].forEach((x) => x.dispose());
  }
});

s('linear attention: gradients match finite differences and webgpu matches cpu', async () => {
  const [B, H, T, F, Dv] = [1, 1, 4, 3, 2];
  const sizes = [B * H * T * F, B * H * T * F, B * H * T * Dv];
  const shapes = [[B, H, T, F], [B, H, T, F], [B, H, T, Dv]];
  const values = sizes.map((n, i) => randomValues(n, 7 + i, 0.2, 1.5));
  const weights = randomValues(B * H * T * Dv, 10);
  await gradcheck((q, k, v) => linearAttention(q, k, v).mul(tensor(weights, { shape: [B, H, T, Dv], dtype: 'f64' })).sum(),
    values.map((v, i) => ({ shape: shapes[i], values: v })));
  const grads = async (device: 'cpu' | 'webgpu') => {
    const xs = values.map((v, i) => tensor(v, { shape: shapes[i], device, requiresGrad: true }));
    tidy(() => linearAttention(xs[0], xs[1], xs[2]).mul(tensor(weights, { shape: [B, H, T, Dv], device })).sum().backward());
    const out = await Promise.all(xs.map((x) => x.grad!.data()));
    xs.forEach((x) => x.dispose());
    return out;
  };
  const [cpu, gpu] = [await grads('cpu'), await grads('webgpu')];
  cpu.forEach((g, i) => assertClose(gpu[i], g, { atol: 1e-4, msg: `grad ${i}` }));
});

s('hybrid: the hand case of the linearisation spec (weights 0.5, 0.25, 0.5; y = 2.4; share 0.4)', async () => {
  // T = 3, W = 2, d = 1, scale 1: window scores at j = 1, 2 are 0 and ln 2; phi(q_2).phi(k_0) = 0.5; gamma = 0.5
  const q = tensor([0, 0, 1], { shape: [1, 1, 3, 1] });
  const k = tensor([7, 0, Math.LN2], { shape: [1, 1, 3, 1] });
  const v = tensor([1, 2, 4], { shape: [1, 1, 3, 1] });
  const phiQ = tensor([1, 1, 1], { shape: [1, 1, 3, 1] });
  const phiK = tensor([0.5, 1, 1], { shape: [1, 1, 3, 1] });
  const { y, linearShare } = hybridAttention(q, k, v, { window: 2, phiQ, phiK, gate: 0.5, scale: 1, eps: 0 });
  assertClose([(await y.data())[2]], [2.4], { atol: 1e-6 });
  assertClose([(await linearShare.data())[2]], [0.4], { atol: 1e-6 });
  assertClose((await linearShare.data()).slice(0, 2), [0, 0], { atol: 0 });
  [q, k, v, phiQ, phiK, y, linearShare].forEach((t) => t.dispose());
});

const hybridModes = [
  { name: 'hybrid', useWindow: true, useLinear: true },
  { name: 'window only', useWindow: true, useLinear: false },
  { name: 'linear only (all j <= i)', useWindow: false, useLinear: true },
];

for (const mode of hybridModes) {
  s(`hybrid (${mode.name}): quadratic form = loop reference at window edges; recurrent form = quadratic form`, async () => {
    const [T, d, F, W] = [7, 4, 3, 3];
    const qv = randomValues(2 * T * d, 11), kv = randomValues(2 * T * d, 12), vv = randomValues(2 * T * d, 13);
    const fqv = randomValues(2 * T * F, 14, 0.1, 1), fkv = randomValues(2 * T * F, 15, 0.1, 1);
    const gates = [0.3, 0.8];
    const expectedY: number[] = [];
    const expectedShare: number[] = [];
    for (let h = 0; h < 2; h++) {
      const part = (x: number[], n: number) => rows(x.slice(h * T * n, (h + 1) * T * n), T, n);
      for (let i = 0; i < T; i++) {
        const r = hybridRow(i, part(qv, d), part(kv, d), part(vv, d), part(fqv, F), part(fkv, F), { W, gamma: gates[h], lambda: 1, ...mode });
        expectedY.push(...r.y);
        expectedShare.push(r.share);
      }
    }
    for (const device of DEVICES) {
      const t = (x: number[], n: number) => tensor(x, { shape: [1, 2, T, n], device });
      const [q, k, v, fq, fk] = [t(qv, d), t(kv, d), t(vv, d), t(fqv, F), t(fkv, F)];
      const gate = tensor(gates, { device });
      const { y, linearShare } = tidy(() => hybridAttention(q, k, v, { window: W, phiQ: fq, phiK: fk, gate, ...mode }));
      await assertTensorClose(y, expectedY, { atol: 1e-5, msg: `y on ${device}` });
      await assertTensorClose(linearShare, expectedShare, { atol: 1e-5, msg: `share on ${device}` });
      const state = new HybridState({ B: 1, H: 2, d, F, Dv: d }, { window: W, device, ...mode });
      const yData = await y.data();
      for (let i = 0; i < T; i++) {
        const step = state.step(q.narrow(2, i, 1), k.narrow(2, i, 1), v.narrow(2, i, 1), fq.narrow(2, i, 1), fk.narrow(2, i, 1), { gate });
        const want = [0, 1].flatMap((h) => Array.from(yData.slice((h * T + i) * d, (h * T + i + 1) * d)));
        assertClose(await step.data(), want, { atol: 1e-5, msg: `decode step ${i} on ${device}` });
        step.dispose();
      }
      state.dispose();
      [q, k, v, fq, fk, gate, y, linearShare].forEach((x) => x.dispose());
    }
  });
}

s('hybrid: window-only equals sliding-window softmax attention; both branches off is an error', async () => {
  const [T, d, W] = [6, 4, 2];
  const [q, k, v] = [11, 12, 13].map((seed) => tensor(randomValues(T * d, seed), { shape: [1, 1, T, d] }));
  const { y } = hybridAttention(q, k, v, { window: W, phiQ: q, phiK: k, useLinear: false, eps: 0 });
  await assertTensorClose(y, await scaledDotProductAttention(q, k, v, { causal: true, window: W }).data(), { atol: 1e-6 });
  assertThrows(() => hybridAttention(q, k, v, { window: W, phiQ: q, phiK: k, useLinear: false, useWindow: false }), 'both branches');
});

s('hybrid: gradients reach q, k, v, the features and the gate (finite differences, float64)', async () => {
  const [T, d, F] = [5, 2, 2];
  const n = T * d;
  await gradcheck((q, k, v, fq, fk, gate) => hybridAttention(q, k, v, { window: 2, phiQ: fq, phiK: fk, gate }).y.square().sum(), [
    { shape: [1, 1, T, d], values: randomValues(n, 21) }, { shape: [1, 1, T, d], values: randomValues(n, 22) },
    { shape: [1, 1, T, d], values: randomValues(n, 23) }, { shape: [1, 1, T, F], values: randomValues(T * F, 24, 0.1, 1) },
    { shape: [1, 1, T, F], values: randomValues(T * F, 25, 0.1, 1) }, { shape: [1], values: [0.4] },
  ]);
});

s('feature maps: elu+1 is positive; Hedgehog gives 2F features, each half a distribution, per head', async () => {
  for (const device of DEVICES) {
    const x = tensor(randomValues(2 * 3 * 4, 31, -3, 3), { shape: [1, 2, 3, 4], device });
    const e = eluPlusOne(x);
    assert.ok(Array.from(await e.data()).every((z) => z > 0));
    const hh = new LearnableFeatureMap({ heads: 2, headDim: 4, featureDim: 5, seed: 1, device });
    const phi = hh.forward(x);
    assert.equal(phi.shape, [1, 2, 3, 10]);
    const data = await phi.data();
    for (let r = 0; r < 6; r++) for (const half of [0, 5]) {
      assertClose([Array.from(data.slice(r * 10 + half, r * 10 + half + 5)).reduce((a, b) => a + b, 0)], [1], { atol: 1e-5 });
    }
    [x, e, phi].forEach((t) => t.dispose());
    hh.dispose();
  }
});

s.run();
