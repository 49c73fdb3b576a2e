// The backward sweep's shortcuts (core/backward.ts): gradients of slices of one tensor are added into its gradient
// in place, and a gradient the sweep made and nothing else holds becomes .grad without a copy. Each case checks
// the values against hand-computed ones and that .grad never shares memory it must not share.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countDispatches, tensor, tidy, type Tensor } from '../../index.js';
import { DEVICES } from '../helpers.js';

const test = suite('core/backward sweep');

test('slices of one tensor: each slice gradient lands on its own positions, overlapping ones add up', async () => {
  for (const device of DEVICES) {
    const x = tensor([1, 2, 3, 4, 5, 6], { requiresGrad: true, device });
    tidy(() => {
      const [a, b, c] = [x.narrow(0, 0, 2), x.narrow(0, 2, 2), x.narrow(0, 4, 2)];
      const overlap = x.slice(0, 1, 6, 2); // positions 1, 3, 5
      a.mul(1).sum().add(b.mul(2).sum()).add(c.mul(3).sum()).add(overlap.mul(10).sum()).backward();
    });
    assert.equal(await x.grad!.toArray(), [1, 11, 2, 12, 3, 13], device);
    x.grad!.dispose();
    x.dispose();
  }
});

test('slices of one tensor: the second and later slice gradients cost one dispatch each', () => {
  const x = tensor(
    Array.from({ length: 12 }, (_, i) => i),
    { shape: [3, 4], requiresGrad: true, device: 'webgpu' },
  );
  const w = tensor([1, 2, 3, 4], { device: 'webgpu' });
  // the sweep with 1 slice and with 3: zero-fill + copy for the first slice, one in-place add for each further one
  const backwardCost = (parts: number) => {
    const c = countDispatches(() =>
      tidy(() => {
        const losses = Array.from({ length: parts }, (_, i) => x.narrow(0, i, 1).mul(w).sum());
        const total = losses.reduce((s, l) => s.add(l));
        return countDispatches(() => total.backward()).dispatches;
      }),
    );
    x.grad!.dispose();
    x.grad = null;
    return c.value;
  };
  const one = backwardCost(1);
  const three = backwardCost(3);
  // each extra slice: its loss' backward (one mul, g * w: w needs no gradient, so none is computed for it) and its
  // one add into the gradient
  assert.is(three - one, 2 * (1 + 1), `${one} dispatches for one slice, ${three} for three`);
  x.dispose();
  w.dispose();
});

test('a gradient handed to two leaves (add) is copied for the second: the two .grad never share storage', async () => {
  for (const device of DEVICES) {
    const p = tensor([1, 2], { requiresGrad: true, device });
    const q = tensor([3, 4], { requiresGrad: true, device });
    tidy(() =>
      p
        .add(q)
        .mul(tensor([5, 6], { device }))
        .sum()
        .backward(),
    );
    assert.ok(p.grad!.storage !== q.grad!.storage, `${device}: separate storages`);
    p.grad!.mul_(2); // an in-place change of one (clipping does this) leaves the other alone
    assert.equal(await q.grad!.toArray(), [5, 6], device);
    [p, q, p.grad!, q.grad!].forEach((t) => t.dispose());
  }
});

test("a caller's gradient seeds the sweep but never becomes .grad itself", async () => {
  const x = tensor([1, 2], { requiresGrad: true, device: 'webgpu' });
  const seed = tensor([3, 4], { device: 'webgpu' });
  x.backward(seed);
  seed.dispose();
  assert.equal(await x.grad!.toArray(), [3, 4]);
  [x, x.grad!].forEach((t) => t.dispose());
});

test('a fresh weight gradient is moved into .grad (no copy), a view of one is copied', () => {
  const x = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { device: 'webgpu' },
  );
  const w = tensor(
    [
      [1, 0],
      [0, 1],
    ],
    { requiresGrad: true, device: 'webgpu' },
  );
  const copies = (f: () => void) =>
    countDispatches(() => tidy(f)).byKernel.filter(([k]) => k.startsWith('ew|a|f32|')).length;
  // x @ w: w's gradient x^T g is a fresh matmul result; x @ w^T: it arrives as a transposed view and is copied
  assert.is(
    copies(() => x.matmul(w).sum().backward()),
    0,
    'no copy kernel for a fresh gradient',
  );
  w.grad!.dispose();
  w.grad = null;
  assert.ok(copies(() => x.matmul(w.T).sum().backward()) > 0, 'a transposed view is made contiguous');
  [x, w, w.grad!].forEach((t) => t.dispose());
});

test('the gradient of a copy that keeps the dtype (clone, contiguous) is passed on; a cast is cast back', async () => {
  const x = tensor([1, 2, 3], { requiresGrad: true, device: 'webgpu' });
  const w = tensor([4, 5, 6], { device: 'webgpu' });
  const backwardKernels = (y: Tensor) => {
    const c = countDispatches(() => tidy(() => y.backward()));
    y.dispose();
    return c.byKernel.flatMap(([k, n]) => Array<string>(n).fill(k.split('|').slice(0, 2).join('|'))).sort();
  };
  // the seed and g * w; the clone's backward adds nothing
  assert.equal(backwardKernels(x.clone().mul(w).sum()), ['ew|a', 'ew|a * b']);
  assert.equal(await x.grad!.toArray(), [4, 5, 6]);
  x.grad!.dispose();
  x.grad = null;
  // f32 -> f16 -> f32: each cast's gradient is a cast back (two more copies)
  assert.equal(backwardKernels(x.cast('f16').cast('f32').mul(w).sum()), ['ew|a', 'ew|a', 'ew|a', 'ew|a * b']);
  assert.equal(await x.grad!.toArray(), [4, 5, 6]);
  [x, w, x.grad!].forEach((t) => t.dispose());
});

test.run();
