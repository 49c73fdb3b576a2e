// Autograd semantics, as PyTorch has them: accumulation, retainGrad, noGrad/enableGrad, detach, and the errors for
// non-scalar backward, backward through a disposed tensor and an in-place change of a saved tensor.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enableGrad, isGradEnabled, noGrad, tensor } from '../../index.js';
import { assertThrows } from '../helpers.js';

const test = suite('core/autograd');

test('gradients accumulate across backward calls until reset; shared inputs sum their paths', async () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.equal(await x.grad!.toArray(), [2, 4, 6]);
  x.mul(3).sum().backward();
  assert.equal(await x.grad!.toArray(), [5, 7, 9]);
  x.grad!.dispose();
  x.grad = null;
  x.add(x).add(x).sum().backward();
  assert.equal(await x.grad!.toArray(), [3, 3, 3]);
});

test('leaves get .grad; intermediates only with retainGrad; isLeaf and gradFn', async () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2).retainGrad();
  const z = y.exp();
  z.sum().backward();
  assert.ok(x.isLeaf && !y.isLeaf);
  assert.is(y.gradFn!.op, 'mul');
  assert.equal(await y.grad!.toArray(), (await z.toArray()) as number[]);
  assert.is(z.grad, null);
  assertThrows(() => tensor([1]).retainGrad(), 'retainGrad', 'does not require grad');
});

test('noGrad records nothing, enableGrad inside it records, modes nest and restore after throws', () => {
  const x = tensor([1], { requiresGrad: true });
  const y = noGrad(() => x.mul(2));
  assert.is(y.requiresGrad, false);
  assert.is(y.gradFn, null);
  const z = noGrad(() => enableGrad(() => x.mul(2)));
  assert.is(z.requiresGrad, true);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }));
  assert.is(isGradEnabled(), true, 'the mode is restored after a throw');
  assert.is(noGrad(() => x.reshape([1, 1]).requiresGrad), false, 'views record nothing either');
});

test('detach cuts the graph but shares storage; requiresGrad_ rules', async () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const d = x.detach();
  assert.is(d.requiresGrad, false);
  assert.is(d.storage, x.storage);
  const y = x.mul(d); // d is a constant here
  y.sum().backward();
  assert.equal(await x.grad!.toArray(), [1, 2]);
  assertThrows(() => x.mul(2).requiresGrad_(false), 'requiresGrad_', 'leaf');
  assertThrows(() => tensor([1], { dtype: 'bool' }).requiresGrad_(), 'requiresGrad_', 'floating-point', 'bool');
});

test('backward errors: non-scalar without a gradient, a mismatched gradient, a tensor without grad', async () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  assertThrows(() => y.backward(), 'backward', 'non-scalar', '[2]');
  assertThrows(() => y.backward(tensor([1, 2, 3])), 'backward', '[3]', '[2]');
  assertThrows(() => tensor([1]).backward(), 'backward', 'does not require grad');
  y.backward(tensor([1, 10]));
  assert.equal(await x.grad!.toArray(), [2, 20]);
});

test('backward through a disposed saved tensor names the op; a disposed root is refused', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.exp();
  const y = h.mul(h).sum();
  h.dispose();
  assertThrows(() => y.backward(), 'backward through mul', 'disposed');
  const z = x.sum();
  z.dispose();
  assertThrows(() => z.backward(), 'backward', 'disposed');
});

test('an in-place change of a saved tensor makes backward refuse; out-of-place is fine', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.mul(1);
  const y = h.exp(); // exp saves its output y
  const loss = y.mul(h).sum(); // mul saves h and y
  noGrad(() => h.add_(1));
  assertThrows(() => loss.backward(), 'backward', 'modified in place', 'clone()');
  assertThrows(() => x.add_(1), 'add_', 'requires grad', 'noGrad');
  assertThrows(() => h.mul_(2), 'mul_', 'requires grad');
});

test('webgpu autograd: same gradients and accumulation as the cpu', async () => {
  const grads: ArrayLike<number>[] = [];
  for (const device of ['cpu', 'webgpu'] as const) {
    const w = tensor([[0.5, -1], [2, 0.25]], { device, requiresGrad: true });
    const x = tensor([[1, 2], [3, 4]], { device });
    for (let i = 0; i < 2; i++) x.matmul(w).tanh().sum().backward();
    grads.push(await w.grad!.data());
  }
  Array.from(grads[1]).forEach((g, i) => assert.ok(Math.abs(g - grads[0][i]) < 1e-5, `element ${i}`));
});

test.run();
