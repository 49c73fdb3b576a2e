// Memory: tidy and keep, idempotent dispose, storage kept alive by views, the buffer pool, and memory() flat over
// 1000 steps of a small training loop on webgpu (a 2-layer MLP on raw tensors, SGD in place under noGrad).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { keep, memory, noGrad, randn, tensor, tidy, trim, type Tensor } from '../../index.js';
import { assertThrows } from '../helpers.js';

const test = suite('core/memory');

test('tidy disposes what it made except its result (tensor, array, object) and kept tensors', () => {
  const before = memory().tensors;
  const x = tensor([1, 2, 3]);
  let inner: Tensor | null = null;
  let kept: Tensor | null = null;
  const { a, b: [c] } = tidy(() => {
    inner = x.mul(2).add(1);
    kept = keep(x.exp());
    return { a: inner.sum(), b: [x.neg()] };
  });
  assert.ok(inner!.disposed, 'intermediates are disposed');
  assert.ok(!kept!.disposed && !a.disposed && !c.disposed && !x.disposed);
  assert.is(memory().tensors, before + 4); // x, kept, a, c
  for (const t of [x, kept!, a, c]) t.dispose();
  assert.is(memory().tensors, before);
});

test('nested tidy hands its result to the enclosing scope; a throwing scope frees what it made', () => {
  const before = memory().tensors;
  const outer = tidy(() => {
    const r = tidy(() => tensor([1]).add(1));
    return r.mul(3); // r is disposed by the outer scope
  });
  assert.is(memory().tensors, before + 1);
  outer.dispose();
  assert.throws(() => tidy(() => { tensor([1, 2]).add(tensor([1, 2, 3])); }), /cannot be broadcast/);
  assert.is(memory().tensors, before, 'the failed scope left nothing behind');
  assertThrows(() => tidy((() => Promise.resolve()) as unknown as () => void), 'tidy', 'Promise');
});

test('dispose is idempotent, Symbol.dispose works, and a view keeps the storage alive', async () => {
  const before = memory();
  const x = tensor([1, 2, 3, 4], { device: 'webgpu' });
  const v = x.reshape([2, 2]);
  x.dispose();
  x.dispose();
  assert.equal(await v.toArray(), [[1, 2], [3, 4]], 'the view still reads the storage');
  assert.is(memory().storages, before.storages + 1);
  { using u = tensor([5]); assert.is(u.disposed, false); }
  v.dispose();
  assert.equal(memory().tensors, before.tensors);
  assert.equal(memory().bytes, before.bytes, 'the storage is freed with its last view');
  assertThrows(() => x.add(1), 'add:', 'disposed', '[4] f32');
});

test('pooled buffers are reused and trim() returns them', async () => {
  const a = tensor(new Array(1000).fill(1), { device: 'webgpu' });
  await a.data();
  a.dispose();
  const small = tensor([0], { device: 'webgpu' }).add(1);
  await small.data(); // a submit recycles the released buffer
  const allocated = memory().gpuAllocatedBytes;
  assert.ok(memory().pooledBytes >= 4000);
  const b = tensor(new Array(900).fill(2), { device: 'webgpu' }); // same size bucket: no new allocation
  assert.is(memory().gpuAllocatedBytes, allocated);
  b.dispose();
  await tensor([0], { device: 'webgpu' }).add(1).data();
  trim();
  assert.is(memory().pooledBytes, 0);
});

test('memory() stays flat over 1000 training steps of a 2-layer MLP on webgpu', async () => {
  const device = 'webgpu';
  const x = randn([32, 4], { seed: 1, device });
  const y = x.select(1, 0).mul(x.select(1, 1)).unsqueeze(1); // a target the MLP can fit
  const params = [randn([4, 16], { seed: 2, device }).mul(0.5), randn([16], { seed: 3, device }).mul(0),
    randn([16, 1], { seed: 4, device }).mul(0.25), randn([1], { seed: 5, device }).mul(0)].map((p) => p.requiresGrad_());
  const [w1, b1, w2, b2] = params;
  const step = () => tidy(() => {
    const h = x.matmul(w1).add(b1).relu();
    const loss = h.matmul(w2).add(b2).sub(y).square().mean();
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        p.sub_(p.grad!.mul(0.05));
        p.grad!.zero_();
      }
    });
    return loss;
  });
  const losses: number[] = [];
  let early = memory();
  for (let i = 0; i < 1000; i++) {
    const loss = step();
    if (i % 250 === 0 || i === 999) losses.push(await loss.item());
    loss.dispose();
    // Buffers released in a batch return to the pool at its submit (every 128 dispatches), so how many the pool
    // needs depends on where a step falls in a batch; the step meets every such phase within 128 steps of the
    // readback at step 250 (which resets it), so the pool has warmed up by step 400 (at step 10 it had not: a step
    // of 35 dispatches met a new phase later and took one more buffer).
    if (i === 400) early = memory();
  }
  await x.data();
  const late = memory();
  assert.is(late.tensors, early.tensors, 'live tensors');
  assert.is(late.storages, early.storages, 'live storages');
  assert.is(late.bytes, early.bytes, 'live bytes');
  assert.is(late.gpuAllocatedBytes, early.gpuAllocatedBytes, 'GPU bytes allocated from the driver');
  assert.ok(losses[losses.length - 1] < losses[0] * 0.5, `the loss falls: ${losses.map((l) => l.toFixed(4))}`);
  for (const t of [x, y, ...params]) t.dispose();
});

test.run();
