import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, tidy, type Tensor } from '../../index.js';
import { scaledDotProductAttention, attentionUnfused, attentionWeights } from '../../ops/attention.js';
import { rope, positionsFrom } from '../../ops/rope.js';
import { DEVICES, assertClose, assertTensorClose, randomTensor, randomValues, gradcheck, assertThrows } from '../helpers.js';

const s = suite('nn/attention softmax');

/** Independent loop reference: per query, softmax over the visible keys, with GQA and an additive mask. */
function loopAttention(q: number[], k: number[], v: number[], [B, H, T, D]: number[], [hkv, S]: number[],
  o: { causal?: boolean; window?: number; mask?: number[] } = {}): number[] {
  const out: number[] = [];
  const off = S - T;
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) {
    const kh = Math.floor(h / (H / hkv));
    const keys: number[] = [];
    const w: number[] = [];
    for (let j = 0; j < S; j++) {
      if (o.causal && j > off + i) continue;
      if (o.window && j <= off + i - o.window) continue;
      let dot = 0;
      for (let d = 0; d < D; d++) dot += q[((b * H + h) * T + i) * D + d] * k[((b * hkv + kh) * S + j) * D + d];
      const m = o.mask ? o.mask[i * S + j] : 0;
      if (m === -Infinity) continue;
      keys.push(j);
      w.push(dot / Math.sqrt(D) + m);
    }
    const mx = Math.max(...w);
    const e = w.map((x) => Math.exp(x - mx));
    const z = e.reduce((a, c) => a + c, 0);
    for (let d = 0; d < D; d++) out.push(keys.reduce((a, j, n) => a + (e[n] / z) * v[((b * hkv + kh) * S + j) * D + d], 0));
  }
  return out;
}

const cases = [
  { name: 'full', B: 2, H: 2, hkv: 2, T: 5, S: 5, D: 4, o: {} },
  { name: 'causal', B: 1, H: 2, hkv: 2, T: 7, S: 7, D: 8, o: { causal: true } },
  { name: 'causal, queries at the end of a longer cache', B: 1, H: 2, hkv: 1, T: 3, S: 9, D: 4, o: { causal: true } },
  { name: 'window 3, grouped query (4 heads over 2)', B: 2, H: 4, hkv: 2, T: 9, S: 9, D: 6, o: { causal: true, window: 3 } },
  { name: 'window 1 (self only)', B: 1, H: 1, hkv: 1, T: 4, S: 4, D: 2, o: { causal: true, window: 1 } },
  { name: 'more rows than a workgroup, window 20', B: 1, H: 2, hkv: 1, T: 80, S: 80, D: 16, o: { causal: true, window: 20 } },
];

for (const c of cases) {
  s(`matches the loop reference on both devices: ${c.name}`, async () => {
    const n = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const [qs, ks] = [[c.B, c.H, c.T, c.D], [c.B, c.hkv, c.S, c.D]];
    const [qv, kv, vv] = [randomValues(n(qs), 1), randomValues(n(ks), 2), randomValues(n(ks), 3)];
    const expected = loopAttention(qv, kv, vv, qs, [c.hkv, c.S], c.o);
    for (const device of DEVICES) {
      await tidy(() => {
        const [q, k, v] = [tensor(qv, { shape: qs, device }), tensor(kv, { shape: ks, device }), tensor(vv, { shape: ks, device })];
        return [scaledDotProductAttention(q, k, v, c.o), attentionUnfused(q, k, v, c.o)];
      }).reduce(async (prev, t) => {
        await prev;
        await assertTensorClose(t, expected, { atol: 2e-5, msg: `${c.name} on ${device}` });
        t.dispose();
      }, Promise.resolve());
    }
  });
}

s('an additive tree mask and transposed (non-contiguous) inputs', async () => {
  // tree: node 0 root, 1 and 2 children of 0, 3 child of 1; each node sees its ancestors and itself
  const parents = [-1, 0, 0, 1];
  const mask: number[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
    let a = i;
    while (a >= 0 && a !== j) a = parents[a];
    mask.push(a === j ? 0 : -Infinity);
  }
  const [B, T, H, D] = [1, 4, 2, 4];
  const [qv, kv, vv] = [randomValues(B * T * H * D, 4), randomValues(B * T * H * D, 5), randomValues(B * T * H * D, 6)];
  const toBHTD = (x: number[]) => { // stored as [B, T, H, D]
    const out: number[] = [];
    for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) out.push(x[(t * H + h) * D + d]);
    return out;
  };
  const expected = loopAttention(toBHTD(qv), toBHTD(kv), toBHTD(vv), [B, H, T, D], [H, T], { mask });
  for (const device of DEVICES) {
    const out = tidy(() => {
      const view = (x: number[]) => tensor(x, { shape: [B, T, H, D], device }).transpose(1, 2);
      return scaledDotProductAttention(view(qv), view(kv), view(vv), { mask: tensor(mask, { shape: [T, T], device }) });
    });
    await assertTensorClose(out, expected, { atol: 2e-5, msg: device });
    out.dispose();
  }
});

s('gradients match finite differences (float64, window, grouped heads, mask)', async () => {
  const [B, H, hkv, T, D] = [1, 2, 1, 4, 3];
  const mask = tensor(randomValues(T * T, 9, -1, 1), { shape: [T, T], dtype: 'f64' });
  const f = (q: Tensor, k: Tensor, v: Tensor) => scaledDotProductAttention(q, k, v, { causal: true, window: 2, mask }).square().sum();
  await gradcheck(f, [
    { shape: [B, H, T, D], values: randomValues(B * H * T * D, 11) },
    { shape: [B, hkv, T, D], values: randomValues(B * hkv * T * D, 12) },
    { shape: [B, hkv, T, D], values: randomValues(B * hkv * T * D, 13) },
  ]);
  mask.dispose();
});

s('webgpu gradients equal cpu gradients', async () => {
  const grads = async (device: 'cpu' | 'webgpu') => {
    const q = randomTensor([1, 4, 6, 8], { device, seed: 21, requiresGrad: true });
    const k = randomTensor([1, 2, 6, 8], { device, seed: 22, requiresGrad: true });
    const v = randomTensor([1, 2, 6, 8], { device, seed: 23, requiresGrad: true });
    tidy(() => scaledDotProductAttention(q, k, v, { causal: true, window: 4 }).mul(randomTensor([1, 4, 6, 8], { device, seed: 24 })).sum().backward());
    const out = [await q.grad!.data(), await k.grad!.data(), await v.grad!.data()];
    [q, k, v].forEach((t) => t.dispose());
    return out;
  };
  const [cpu, gpu] = [await grads('cpu'), await grads('webgpu')];
  cpu.forEach((g, i) => assertClose(gpu[i], g, { atol: 1e-4, msg: `grad ${i}` }));
});

s('attention weights: rows are distributions over the visible keys only', async () => {
  const q = randomTensor([1, 2, 5, 4], { seed: 41 });
  const k = randomTensor([1, 1, 5, 4], { seed: 42 });
  const w = tidy(() => attentionWeights(q, k, { causal: true, window: 2 }));
  assert.equal(w.shape, [1, 2, 5, 5]);
  const data = await w.data();
  for (let r = 0; r < 10; r++) {
    const row = Array.from(data.slice(r * 5, r * 5 + 5));
    const i = r % 5;
    assertClose([row.reduce((a, b) => a + b, 0)], [1], { atol: 1e-6 });
    row.forEach((p, j) => assert.ok(j <= i && j > i - 2 ? p > 0 : p === 0, `row ${i} key ${j}`));
  }
  [q, k, w].forEach((t) => t.dispose());
});

s('errors name the shapes', () => {
  const q = randomTensor([1, 3, 4, 8]);
  const k = randomTensor([1, 2, 4, 8]);
  assertThrows(() => scaledDotProductAttention(q, k, k), 'attention', 'multiple of Hkv', '[1, 3, 4, 8]');
  assertThrows(() => scaledDotProductAttention(k, k, k, { window: 2 }), 'causal');
  const boolMask = randomTensor([4, 4], { dtype: 'bool' });
  assertThrows(() => scaledDotProductAttention(k, k, k, { mask: boolMask }), 'mask', 'bool');
  boolMask.dispose();
  [q, k].forEach((t) => t.dispose());
});

s('rope: rotates pairs (i, i + D/2) by pos * base^(-2i/D); backward is the inverse rotation', async () => {
  const [T, D] = [5, 4];
  const xv = randomValues(2 * T * D, 31);
  const expected: number[] = [];
  for (let r = 0; r < 2 * T; r++) {
    const pos = 3 + (r % T);
    for (let d = 0; d < D; d++) {
      const i = d % (D / 2);
      const a = pos * 10000 ** (-2 * i / D);
      const x = xv[r * D + d];
      const partner = d < D / 2 ? xv[r * D + d + D / 2] : xv[r * D + d - D / 2];
      expected.push(d < D / 2 ? x * Math.cos(a) - partner * Math.sin(a) : x * Math.cos(a) + partner * Math.sin(a));
    }
  }
  for (const device of DEVICES) {
    const out = tidy(() => rope(tensor(xv, { shape: [1, 2, T, D], device }), positionsFrom(3, T, device)));
    await assertTensorClose(out, expected, { atol: 1e-5, msg: device });
    out.dispose();
  }
  const pos = positionsFrom(2, 3);
  await gradcheck((x) => rope(x, pos).mul(tensor(randomValues(12, 7), { shape: [1, 1, 3, 4], dtype: 'f64' })).sum(),
    [{ shape: [1, 1, 3, 4], values: randomValues(12, 8) }]);
  pos.dispose();
});

s.run();
