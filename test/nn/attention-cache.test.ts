import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, tidy, noGrad, linear, type Tensor } from '../../index.js';
import { KVCache } from '../../nn/kv-cache.js';
import { MultiHeadAttention } from '../../nn/attention/multi-head.js';
import { scaledDotProductAttention } from '../../ops/attention.js';
import { DEVICES, assertClose, assertTensorClose, randomTensor, assertThrows } from '../helpers.js';

const s = suite('nn/attention module and KV cache');

s('KV cache: append grows past its capacity, crop forgets, keep compacts to the given rows', async () => {
  for (const device of DEVICES) {
    const cache = new KVCache({ layers: 2, batch: 1, kvHeads: 1, headDim: 2, capacity: 2, device });
    const rows = (start: number, n: number) => tensor(Array.from({ length: 2 * n }, (_, i) => start + i), { shape: [1, 1, n, 2], device });
    for (const layer of [0, 1]) tidy(() => { cache.append(layer, rows(0, 3), rows(100, 3)); });
    for (const layer of [0, 1]) tidy(() => { cache.append(layer, rows(6, 2), rows(106, 2)); });
    assert.is(cache.length, 5);
    assert.ok(cache.capacity >= 5);
    const read = async (layer: number) => tidy(() => cache.get(layer)).k.data();
    assert.equal(Array.from(await read(1)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    cache.keep([0, 2, 4]);
    assert.equal(Array.from(await read(0)), [0, 1, 4, 5, 8, 9]);
    const v = tidy(() => cache.get(1).v);
    assert.equal(Array.from(await v.data()), [100, 101, 104, 105, 108, 109]);
    cache.crop(1);
    assert.equal(Array.from(await read(0)), [0, 1]);
    assertThrows(() => cache.keep([1]), 'KVCache.keep', '[0, 1)');
    assertThrows(() => cache.append(0, rows(0, 1), rows(0, 2)), 'KVCache.append');
    cache.dispose();
    v.dispose();
  }
});

const variants = [
  { name: 'multi-head, no positions', nHeads: 2, nKvHeads: 2, rope: false, window: 0 },
  { name: 'RoPE, grouped-query (4 heads over 2)', nHeads: 4, nKvHeads: 2, rope: true, window: 0 },
  { name: 'RoPE, sliding window 3', nHeads: 2, nKvHeads: 1, rope: true, window: 3 },
];

for (const c of variants) {
  s(`KV-cache decoding equals full recomputation: ${c.name}`, async () => {
    const [B, T, dModel] = [2, 7, 16];
    for (const device of DEVICES) {
      const attn = new MultiHeadAttention({ dModel, nHeads: c.nHeads, nKvHeads: c.nKvHeads, rope: c.rope, window: c.window, bias: true, device });
      const x = randomTensor([B, T, dModel], { device, seed: 3 });
      const full = await noGrad(() => tidy(() => attn.forward(x))).data();
      const cache = new KVCache({ layers: 1, batch: B, kvHeads: c.nKvHeads, headDim: dModel / c.nHeads, capacity: 4, device });
      const pieces: Float32Array[] = [];
      // a 3-token prompt, then one token at a time
      for (const [start, n] of [[0, 3], [3, 1], [4, 1], [5, 1], [6, 1]]) {
        const y = noGrad(() => tidy(() => attn.forward(x.narrow(1, start, n), { cache, layer: 0 })));
        pieces.push((await y.data()) as Float32Array);
        y.dispose();
      }
      // reassemble [B, T, dModel] from the pieces [B, n, dModel]
      const got: number[] = [];
      for (let b = 0; b < B; b++) pieces.forEach((p) => {
        const n = p.length / (B * dModel);
        got.push(...Array.from(p.slice(b * n * dModel, (b + 1) * n * dModel)));
      });
      assertClose(got, full, { atol: 2e-5, msg: `${c.name} on ${device}` });
      cache.dispose();
      attn.dispose();
      x.dispose();
    }
  });
}

s('cross-attention reads keys and values from the context, without a causal mask', async () => {
  const attn = new MultiHeadAttention({ dModel: 8, nHeads: 2, device: 'cpu' });
  const x = randomTensor([1, 3, 8], { seed: 5 });
  const ctx = randomTensor([1, 5, 8], { seed: 6 });
  const [got, want] = noGrad(() => tidy(() => {
    const heads = (t: Tensor) => t.reshape([1, -1, 2, 4]).transpose(1, 2);
    const [W, b] = [attn.qkvProj.weight, attn.qkvProj.bias];
    const rows = (t: Tensor, i: number) => heads(linear(t, W.narrow(0, 8 * i, 8), b?.narrow(0, 8 * i, 8)));
    const [q, k, v] = [rows(x, 0), rows(ctx, 1), rows(ctx, 2)];
    const y = scaledDotProductAttention(q, k, v).transpose(1, 2).reshape([1, 3, 8]);
    return [attn.forward(x, { context: ctx }), attn.oProj.forward(y)];
  }));
  await assertTensorClose(got, want, { atol: 1e-6 });
  [got, want, x, ctx].forEach((t) => t.dispose());
  attn.dispose();
});

s('hybrid module: switches turn a branch off, the linear share is reported, gate and feature maps train', async () => {
  const attn = new MultiHeadAttention({ dModel: 8, nHeads: 2, kind: 'hybrid', window: 2, featureDim: 3, device: 'cpu' });
  const x = randomTensor([1, 6, 8], { seed: 7 });
  const out = tidy(() => attn.forwardWithKV(x));
  const share = Array.from(await out.linearShare!.data());
  assert.equal(out.linearShare!.shape, [1, 2, 6]);
  for (const head of [share.slice(0, 6), share.slice(6)]) {
    assert.equal(head.slice(0, 2), [0, 0]); // rows 0 and 1 have no key older than the window
    assert.ok(head.slice(2).every((r) => r > 0 && r < 1));
  }
  attn.useLinear = false;
  const windowOnly = tidy(() => attn.forwardWithKV(x));
  assert.ok(Array.from(await windowOnly.linearShare!.data()).every((r) => r === 0));
  attn.useLinear = true;
  tidy(() => attn.forward(x).square().sum().backward());
  assert.ok(attn.gateLogit!.grad && attn.featureMapQ!.weight.grad && attn.featureMapK!.weight.grad);
  assert.ok(Array.from(await attn.gateLogit!.grad!.data()).some((g) => g !== 0));
  [out.y, out.k, out.v, out.linearShare!, windowOnly.y, windowOnly.k, windowOnly.v, windowOnly.linearShare!, x].forEach((t) => t.dispose());
  attn.dispose();
  assertThrows(() => new MultiHeadAttention({ dModel: 8, nHeads: 2, kind: 'hybrid' }), 'window');
});

s.run();
