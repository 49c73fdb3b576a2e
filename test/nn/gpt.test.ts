import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, tidy, noGrad, optim, memory } from '../../index.js';
import { GPT, type GPTConfig } from '../../nn/gpt.js';
import { sampleToken } from '../../nn/sampling.js';
import { seededRandom } from '../../nn/data/seeded-random.js';
import { DEVICES, assertClose, assertThrows } from '../helpers.js';

const s = suite('nn/gpt');

const tiny = (over: Partial<GPTConfig> = {}): GPTConfig => ({ vocabSize: 13, blockSize: 24, nLayer: 2, nHead: 2, nEmbd: 16, seed: 3, ...over });

s('forward: logits, final state, every hidden state and K/V; same numbers on cpu and webgpu', async () => {
  const results: Float32Array[] = [];
  for (const device of DEVICES) {
    const model = new GPT(tiny({ device, positions: 'rope', nKvHead: 1, norm: 'rms', mlp: 'swiglu' }));
    const out = noGrad(() => tidy(() => {
      const o = model.forward(tensor([[1, 2, 3, 4, 5]], { dtype: 'i32', device }), { hidden: true, kv: true });
      return { logits: o.logits, hidden: o.hidden!, k: o.kv!.map((x) => x.k), final: o.final };
    }));
    assert.equal(out.logits.shape, [1, 5, 13]);
    assert.is(out.hidden.length, 3);
    assert.equal(out.k[1].shape, [1, 1, 5, 8]);
    assert.equal(out.final.shape, [1, 5, 16]);
    results.push((await out.logits.data()) as Float32Array);
    [out.logits, out.final, ...out.hidden, ...out.k].forEach((t) => t.dispose());
    model.dispose();
  }
  assertClose(results[1], results[0], { atol: 1e-4 });
});

s('a GPT holds exactly its parameters: building and disposing one leaves no tensor behind', () => {
  const before = memory().tensors;
  const model = new GPT(tiny({ device: 'cpu' }));
  assert.is(memory().tensors - before, model.parameters().length, 'live tensors of a fresh model');
  model.dispose();
  assert.is(memory().tensors, before);
});

s('a tiny GPT overfits one batch to near-zero loss with flat memory (webgpu, AdamW)', async () => {
  const device = 'webgpu';
  const model = new GPT(tiny({ device, nEmbd: 32 }));
  const opt = new optim.AdamW(model.parameters(), { lr: 2e-2, weightDecay: 0 });
  const seq = [[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2], [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2]];
  const x = tensor(seq.map((r) => r.slice(0, -1)), { dtype: 'i32', device });
  const y = tensor(seq.map((r) => r.slice(1)), { dtype: 'i32', device });
  let first = 0;
  let last = 0;
  let tensorsAtStep10 = 0;
  for (let step = 0; step < 50; step++) {
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = model.loss(x, y);
      l.backward();
      opt.step();
      return l;
    });
    if (step === 0) first = await loss.item();
    if (step === 49) last = await loss.item();
    loss.dispose();
    if (step === 10) tensorsAtStep10 = memory().tensors;
  }
  assert.ok(first > 2, `initial loss ${first} should be near ln 13`);
  assert.ok(last < 0.02, `final loss ${last} should be near zero`);
  assert.is(memory().tensors, tensorsAtStep10, 'live tensors stay flat while training');
  [x, y].forEach((t) => t.dispose());
  model.dispose();
});

for (const positions of ['learned', 'rope'] as const) {
  s(`cached generation equals uncached generation token for token (${positions} positions, batch of unequal prompts)`, async () => {
    for (const device of DEVICES) {
      const model = new GPT(tiny({ device, positions, window: positions === 'rope' ? 4 : 0 }));
      const prompts = [[1, 2, 3, 4, 5], [6, 7], [8]];
      for (const sampling of [{ greedy: true }, { temperature: 1.5, topK: 6, seed: 11 }, { temperature: 0.8, topP: 0.9, seed: 5 }]) {
        const cached = await model.generate(prompts, { maxNewTokens: 8, ...sampling });
        const uncached = await model.generate(prompts, { maxNewTokens: 8, useCache: false, ...sampling });
        assert.equal(cached, uncached, `${JSON.stringify(sampling)} on ${device}`);
        assert.ok(cached.every((r) => r.length === 8));
      }
      // a prompt alone decodes as it does in the batch: padding is invisible
      const alone = await model.generate([[6, 7]], { maxNewTokens: 8, greedy: true });
      assert.equal(alone[0], (await model.generate(prompts, { maxNewTokens: 8, greedy: true }))[1]);
      model.dispose();
    }
  });
}

s('tree verification: a tree-masked forward over a cached prefix equals per-path forwards; keep() compacts the cache', async () => {
  for (const device of DEVICES) {
    const model = new GPT(tiny({ device, positions: 'rope' }));
    const prefix = [1, 2, 3];
    // tree of 4 nodes: 0 and 1 children of the last prefix token, 2 child of 0, 3 child of 2
    const tokens = [4, 5, 6, 7];
    const parents = [-1, -1, 0, 2];
    const ancestors = (i: number): number[] => (i < 0 ? [] : [...ancestors(parents[i]), i]);
    const depth = (i: number) => ancestors(i).length - 1;
    const cache = model.createCache(1);
    const treeLogits = await noGrad(() => tidy(() => {
      model.forward(tensor([prefix], { dtype: 'i32', device }), { cache });
      const mask = tokens.flatMap((_, i) => [...prefix.map(() => 0), ...tokens.map((__, j) => (ancestors(i).includes(j) ? 0 : -Infinity))]);
      const positions = tensor(Int32Array.from(tokens.map((_, i) => prefix.length + depth(i))), { dtype: 'i32', device });
      return model.forward(tensor([tokens], { dtype: 'i32', device }), { cache, positions, mask: tensor(mask, { shape: [4, 7], device }) }).logits;
    })).data();
    for (let i = 0; i < tokens.length; i++) {
      const path = [...prefix, ...ancestors(i).map((j) => tokens[j])];
      const logits = await noGrad(() => tidy(() => model.forward(tensor([path], { dtype: 'i32', device })).logits.select(1, -1))).data();
      assertClose(treeLogits.slice(i * 13, (i + 1) * 13), logits, { atol: 2e-5, msg: `node ${i} on ${device}` });
    }
    // accept the path 0 -> 2: keep the prefix rows and those two nodes, then decode one more token
    cache.keep([0, 1, 2, 3, 5]);
    const next = await noGrad(() => tidy(() => model.forward(tensor([[9]], { dtype: 'i32', device }), { cache }).logits)).data();
    const full = await noGrad(() => tidy(() => model.forward(tensor([[1, 2, 3, 4, 6, 9]], { dtype: 'i32', device })).logits.select(1, -1))).data();
    assertClose(next, full, { atol: 2e-5, msg: `after keep on ${device}` });
    cache.dispose();
    model.dispose();
  }
});

s('generate stops at stop tokens; errors for prompts past the block size', async () => {
  const model = new GPT(tiny());
  const [free] = await model.generate([[1, 2]], { maxNewTokens: 10, greedy: true });
  const stop = free[3];
  const [stopped] = await model.generate([[1, 2]], { maxNewTokens: 10, greedy: true, stopTokens: [stop] });
  assert.equal(stopped, free.slice(0, free.indexOf(stop)));
  await model.generate([[1]], { maxNewTokens: 30 }).then(() => assert.unreachable('should throw'), (e: Error) => assert.ok(e.message.includes('blockSize 24')));
  const long = await model.generate([[1]], { maxNewTokens: 30, useCache: false, greedy: true });
  assert.is(long[0].length, 30);
  assertThrows(() => noGrad(() => model.forward(tensor([new Array(25).fill(1)], { dtype: 'i32' }))), 'blockSize 24');
  model.dispose();
});

s('sampling: greedy is the argmax, top-k 1 and a tiny top-p are greedy, temperature sampling follows softmax', () => {
  const logits = [0.1, 2.0, -1, 1.9];
  const random = seededRandom(1);
  assert.is(sampleToken(logits, { greedy: true, random }), 1);
  assert.is(sampleToken(logits, { topK: 1, random }), 1);
  assert.is(sampleToken(logits, { topP: 1e-6, random }), 1);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[sampleToken(logits, { random })]++;
  const z = logits.reduce((a, l) => a + Math.exp(l), 0);
  assertClose(counts.map((c) => c / 20000), logits.map((l) => Math.exp(l) / z), { atol: 0.015 });
  const topTwo = [0, 0, 0, 0];
  for (let i = 0; i < 2000; i++) topTwo[sampleToken(logits, { topK: 2, random })]++;
  assert.is(topTwo[0] + topTwo[2], 0);
});

s.run();
