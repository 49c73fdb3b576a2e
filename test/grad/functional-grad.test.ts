// grad(outputs, inputs, opts), as torch.autograd.grad: values on hand-derived functions, .grad left alone, double
// backward with createGraph, several outputs with gradOutputs, unused and intermediate inputs, memory, bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { grad, memory, tensor, tidy, type Tensor } from '../../index.js';
import { assertClose, assertThrows } from '../helpers.js';

const test = suite('grad/functional-grad');

const f64 = (values: number[], requiresGrad = true) => tensor(values, { dtype: 'f64', requiresGrad });

test('grad of sum(x^3) is 3x^2, and .grad stays untouched', async () => {
  const x = f64([1, -2, 3]);
  const [g] = grad(x.pow(3).sum(), x);
  assert.equal(await g!.toArray(), [3, 12, 27]);
  assert.is(x.grad, null, 'leaf .grad not written');
  assert.is(g!.requiresGrad, false, 'without createGraph the gradient is not recorded');
});

test('createGraph: the gradient differentiates again (d2/dx2 x^3 = 6x), through grad or backward', async () => {
  const x = f64([1, -2, 3]);
  const [g] = grad(x.pow(3).sum(), [x], { createGraph: true });
  assert.ok(g!.requiresGrad && g!.gradFn, 'recorded');
  const [h] = grad(g!.sum(), x);
  assert.equal(await h!.toArray(), [6, -12, 18]);
  // a gradient penalty: loss = sum(g^2) = sum(9 x^4), d loss/dx = 36 x^3, accumulated by backward
  g!.square().sum().backward();
  assert.equal(await x.grad!.toArray(), [36, -288, 972]);
});

test('Hessian-vector product of f(x, y) = x^2 y + y^3 (mixed second derivatives)', async () => {
  const x = f64([2]);
  const y = f64([3]);
  const f = x.square().mul(y).add(y.pow(3)).sum();
  const [gx, gy] = grad(f, [x, y], { createGraph: true }); // gx = 2xy = 12, gy = x^2 + 3y^2 = 31
  assert.equal([await gx!.item(), await gy!.item()], [12, 31]);
  // H v with v = (1, 2): H = [[2y, 2x], [2x, 6y]] = [[6, 4], [4, 18]]: H v = (14, 40)
  const dot = gx!.mul(1).add(gy!.mul(2)).sum();
  const [hx, hy] = grad(dot, [x, y]);
  assert.equal([await hx!.item(), await hy!.item()], [14, 40]);
});

test('several outputs with gradOutputs; non-scalar outputs need them', async () => {
  const x = f64([1, 2]);
  const a = x.mul(3); // d/dx (u . a) = 3u
  const b = x.square(); // d/dx (w . b) = 2 x w
  const [g] = grad([a, b], x, { gradOutputs: [tensor([1, 10], { dtype: 'f64' }), tensor([0.5, 1], { dtype: 'f64' })] });
  assert.equal(await g!.toArray(), [3 + 1, 30 + 4]);
  const [s] = grad([a.sum(), b], x, { gradOutputs: [null, tensor([1, 1], { dtype: 'f64' })] });
  assert.equal(await s!.toArray(), [3 + 2, 3 + 4], 'null means 1 for a scalar output');
  assertThrows(() => grad(a, x), 'grad', 'not a scalar', 'gradOutputs');
  assertThrows(
    () => grad(a, x, { gradOutputs: tensor([1, 2, 3], { dtype: 'f64' }) }),
    'grad',
    'shape [3]',
    'shape [2]',
  );
  assertThrows(
    () => grad([a, b], x, { gradOutputs: [tensor([1, 2], { dtype: 'f64' })] }),
    'grad',
    '1 gradOutputs given for 2',
  );
});

test('an intermediate tensor as input; unused inputs with allowUnused / materializeGrads', async () => {
  const x = f64([1, 2]);
  const h = x.mul(2);
  const unused = f64([5]);
  const y = h.square().sum(); // dy/dh = 2h = [4, 8]
  const [gh, gx] = grad(y, [h, x]);
  assert.equal(await gh!.toArray(), [4, 8]);
  assert.equal(await gx!.toArray(), [8, 16]);
  assertThrows(() => grad(y, [x, unused]), 'grad', 'input 1', 'not used', 'allowUnused');
  assert.is(grad(y, [x, unused], { allowUnused: true })[1], null);
  assert.equal(await grad(y, [x, unused], { materializeGrads: true })[1]!.toArray(), [0]);
  assertThrows(() => grad(y, unused, { materializeGrads: true, allowUnused: false }), 'grad', 'materializeGrads');
});

test('bad input: outputs or inputs without grad, unknown options', () => {
  const x = f64([1, 2]);
  const plain = f64([1, 2], false);
  assertThrows(() => grad(plain.sum(), x), 'grad', 'output 0', 'does not require grad');
  assertThrows(() => grad(x.sum(), plain), 'grad', 'input 0', 'requiresGrad_()');
  assertThrows(() => grad(x.sum(), x, { isGradsBatched: true } as never), 'grad', "unknown option 'isGradsBatched'");
  assertThrows(() => grad(x.sum(), []), 'grad', 'non-empty list');
});

test('grad on webgpu, and memory stays flat: the sweep frees its intermediates', async () => {
  const w = tensor([0.5, -1, 2], { device: 'webgpu', requiresGrad: true });
  const step = (): Tensor => tidy(() => grad(w.mul(w).exp().sum(), w)[0]!);
  step().dispose();
  const before = memory().tensors;
  const g = step();
  assert.is(memory().tensors, before + 1, 'only the returned gradient survives');
  assertClose(
    await g.data(),
    [0.5, -1, 2].map((v) => 2 * v * Math.exp(v * v)),
    { rtol: 1e-5 },
  );
  g.dispose();
});

test.run();
