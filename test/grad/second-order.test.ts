// Second-order gradients: backward with createGraph records the backward pass, so the gradient g(x) = df/dx can be
// differentiated again. For a fixed direction v, d/dx (v . g(x)) = H v (H the Hessian, or the mixed second
// derivatives across inputs); it is checked against central finite differences of v . g(x) in float64 on the cpu,
// and the webgpu result against the cpu result.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { avgPool2d, batchNorm, conv2d, crossEntropy, layerNorm, linear, maxPool2d, logSoftmax, matmul, rmsNorm, softmax, tensor, tidy, type Tensor, type DeviceName, type DType } from '../../index.js';
import { assertClose, randomValues } from '../helpers.js';

const s = suite('grad/second-order');

interface Input { shape: number[]; values: number[] }

/** v . g summed over the inputs, with g the first gradients of `fn` at `values` (recorded when createGraph). */
function directional(fn: (...xs: Tensor[]) => Tensor, inputs: Input[], values: number[][], dirs: number[][],
  opts: { device: DeviceName; dtype: DType; createGraph: boolean }): { xs: Tensor[]; h: Tensor } {
  const xs = inputs.map((inp, k) => tensor(values[k], { shape: inp.shape, device: opts.device, dtype: opts.dtype, requiresGrad: true }));
  fn(...xs).backward(undefined, { createGraph: opts.createGraph });
  const h = xs.map((x, k) => {
    const g = x.grad!;
    if (opts.createGraph) assert.ok(g.gradFn, 'with createGraph the gradient is itself recorded');
    x.grad = null; // the next backward accumulates the second derivative into a fresh .grad
    return g.mul(tensor(dirs[k], { shape: inputs[k].shape, device: opts.device, dtype: opts.dtype })).sum();
  }).reduce((a, b) => a.add(b));
  return { xs, h };
}

/** The second derivatives d/dx_k (v . g) of every input, from the recorded backward. */
async function secondOrder(fn: (...xs: Tensor[]) => Tensor, inputs: Input[], dirs: number[][], device: DeviceName, dtype: DType) {
  const { xs, h } = directional(fn, inputs, inputs.map((i) => i.values), dirs, { device, dtype, createGraph: true });
  h.backward();
  return Promise.all(xs.map((x, k) => (x.grad ? x.grad.data() : new Float64Array(inputs[k].values.length))));
}

async function checkSecondOrder(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Input[]) {
  const dirs = inputs.map((inp, k) => randomValues(inp.values.length, 100 + k));
  const analytic = await secondOrder(fn, inputs, dirs, 'cpu', 'f64');
  const eps = 1e-6;
  const at = async (values: number[][]) => {
    const h = tidy(() => directional(fn, inputs, values, dirs, { device: 'cpu', dtype: 'f64', createGraph: false }).h);
    return h.item();
  };
  for (let k = 0; k < inputs.length; k++) {
    const numeric = [];
    for (let j = 0; j < inputs[k].values.length; j++) {
      const shifted = (delta: number) => inputs.map((inp, i) => inp.values.map((v, jj) => (i === k && jj === j ? v + delta : v)));
      numeric.push(((await at(shifted(eps))) - (await at(shifted(-eps)))) / (2 * eps));
    }
    assertClose(analytic[k], numeric, { atol: 1e-5, rtol: 1e-4, msg: `${name}: second derivative of input ${k}` });
  }
  const cpu = await secondOrder(fn, inputs, dirs, 'cpu', 'f32');
  const gpu = await secondOrder(fn, inputs, dirs, 'webgpu', 'f32');
  cpu.forEach((want, k) => assertClose(gpu[k], want, { atol: 1e-4, rtol: 1e-3, msg: `${name}: webgpu vs cpu, input ${k}` }));
}

const weightsOf = (x: Tensor, seed: number) => tensor(randomValues(x.numel, seed), { shape: [...x.shape], dtype: x.dtype, device: x.device });

s('tanh twice differentiated', () =>
  checkSecondOrder('tanh', (x) => x.tanh().mul(weightsOf(x, 1)).sum(), [{ shape: [2, 3], values: randomValues(6, 2) }]));

s('mul twice differentiated (a * b * a: pure and mixed second derivatives)', () =>
  checkSecondOrder('mul', (a, b) => a.mul(b).mul(a).sum(),
    [{ shape: [3, 2], values: randomValues(6, 3) }, { shape: [2], values: randomValues(2, 4) }]));

s('linear twice differentiated (x, the weight and the bias)', () =>
  checkSecondOrder('linear', (x, w, b) => linear(x, w, b).tanh().mul(weightsOf(linear(x, w, b), 23)).sum(),
    [{ shape: [2, 3, 4], values: randomValues(24, 24) }, { shape: [2, 4], values: randomValues(8, 25) }, { shape: [2], values: randomValues(2, 26) }]));

s('matmul twice differentiated ((A B)^2 and the mixed A-B derivatives)', () =>
  checkSecondOrder('matmul', (a, b) => matmul(a, b).square().mul(weightsOf(matmul(a, b), 5)).sum(),
    [{ shape: [2, 3], values: randomValues(6, 6) }, { shape: [3, 2], values: randomValues(6, 7) }]));

s('softmax twice differentiated, along the last and the first dim', async () => {
  for (const dim of [-1, 0]) {
    await checkSecondOrder(`softmax dim ${dim}`, (x) => softmax(x, dim).mul(weightsOf(x, 8)).sum(),
      [{ shape: [3, 4], values: randomValues(12, 9) }]);
  }
});

s('the other fused ops twice differentiated: logSoftmax, layerNorm, rmsNorm, crossEntropy', async () => {
  const x = { shape: [3, 4], values: randomValues(12, 10) };
  const affine = { shape: [4], values: randomValues(4, 11, 0.5, 1.5) };
  await checkSecondOrder('logSoftmax', (a) => logSoftmax(a, 0).mul(weightsOf(a, 12)).sum(), [x]);
  await checkSecondOrder('layerNorm', (a, w, b) => layerNorm(a, 4, w, b, 1e-3).tanh().mul(weightsOf(a, 13)).sum(), [x, affine, affine]);
  await checkSecondOrder('rmsNorm', (a, w) => rmsNorm(a, 4, w, 1e-3).tanh().mul(weightsOf(a, 14)).sum(), [x, affine]);
  await checkSecondOrder('crossEntropy', (a, w) => crossEntropy(a.mul(w), tensor([1, -100, 3], { dtype: 'i32', device: a.device }),
    { labelSmoothing: 0.1 }), [x, affine]);
  // class weights, extra dims, and per-row losses scaled by a second input b: its mixed derivative d/db (v . dL/da)
  // is the gradient's own derivative in its output gradient g
  const t = [[2, -100], [0, 3], [1, 1]];
  await checkSecondOrder('crossEntropy, weighted, [N, C, d], reduction none', (a, b) => crossEntropy(a,
    tensor(t, { dtype: 'i32', device: a.device }), { labelSmoothing: 0.2, reduction: 'none',
      weight: tensor([0.5, 2, 1, 1.5], { dtype: a.dtype, device: a.device }) }).mul(b).sum(),
  [{ shape: [3, 4, 2], values: randomValues(24, 21) }, { shape: [3, 2], values: randomValues(6, 22) }]);
});

s('conv2d (unfold and fold are each other\'s backward), maxPool2d, avgPool2d and batchNorm twice differentiated', async () => {
  const img = { shape: [2, 2, 4, 3], values: randomValues(48, 15) };
  const w = { shape: [3, 2, 2, 2], values: randomValues(24, 16) };
  await checkSecondOrder('conv2d', (a, b) => conv2d(a, b, null, 1, 1).tanh().mul(weightsOf(conv2d(a, b, null, 1, 1), 17)).sum(), [img, w]);
  await checkSecondOrder('maxPool2d', (a) => maxPool2d(a.tanh(), 2, 1).square().mul(weightsOf(maxPool2d(a, 2, 1), 18)).sum(), [img]);
  await checkSecondOrder('avgPool2d', (a) => avgPool2d(a, 2, 1, 1, false, false).square().mul(weightsOf(avgPool2d(a, 2, 1, 1), 20)).sum(), [img]);
  await checkSecondOrder('batchNorm', (a) => batchNorm(a, null, null, null, null, true, 0.1, 1e-3).tanh().mul(weightsOf(a, 19)).sum(), [img]);
});

s.run();
