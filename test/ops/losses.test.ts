// The losses: the fused cross-entropy kernel against its cpu reference and against composites of logSoftmax,
// values against the formulas written out in JS, float64 gradient checks of every crossEntropy option combination
// and of the other losses, webgpu gradients against cpu gradients, and the errors for bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  crossEntropy, nllLoss, mseLoss, klDiv, binaryCrossEntropyWithLogits, logSoftmax, tensor, tidy, zeros,
  type Tensor, type DeviceName, type Reduction,
} from '../../index.js';
import { assertClose, assertTensorClose, assertThrows, gradcheck, lcg, randomTensor, randomValues } from '../helpers.js';

const s = suite('ops/losses');

async function sameOnBoth(fn: (device: DeviceName) => Tensor, opts: { atol?: number; rtol?: number; msg?: string } = {}) {
  const [want, got] = tidy(() => [fn('cpu'), fn('webgpu')]);
  await assertTensorClose(got, want, { atol: 1e-5, rtol: 1e-5, ...opts });
  want.dispose();
  got.dispose();
}

/** Class indices in [0, classes), with every `ignoreEvery`-th one set to `ignored`. */
function classes(n: number, count: number, seed: number, ignoreEvery = 0, ignored = -100): number[] {
  const r = lcg(seed);
  return Array.from({ length: n }, (_, i) => (ignoreEvery && i % ignoreEvery === 1 ? ignored : Math.floor(r() * count)));
}
const targets = (shape: number[], count: number, device: DeviceName, seed = 2, ignoreEvery = 0) =>
  tensor(classes(shape.reduce((a, b) => a * b, 1), count, seed, ignoreEvery), { shape, dtype: 'i32', device });

interface Options { labelSmoothing?: number; weighted?: boolean; ignoreEvery?: number }
const OPTION_SETS: Options[] = [
  {}, { labelSmoothing: 0.2 }, { weighted: true }, { weighted: true, labelSmoothing: 0.1 },
  { ignoreEvery: 3 }, { ignoreEvery: 3, weighted: true, labelSmoothing: 0.3 },
];
const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];

// ---- crossEntropy, class indices ---------------------------------------------------------------------------------

const CE_CASES: { logits: number[]; view?: (t: Tensor) => Tensor; what: string }[] = [
  { logits: [6, 5], what: '[N, C]' },
  { logits: [3, 4, 5], what: '[N, C, d] (classes in dim 1, read through its stride)' },
  { logits: [7, 4], view: (t) => t.T, what: 'transposed logits' },
  { logits: [3, 700], what: 'more classes than the workgroup has threads' },
  { logits: [0, 5], what: 'empty batch' },
  { logits: [1, 1], what: 'one class' },
];

s('crossEntropy: the fused kernel equals the cpu reference for every option and reduction', async () => {
  for (const c of CE_CASES) {
    const view = c.view ?? ((t: Tensor) => t);
    const shape = view(zeros(c.logits)).shape;
    const C = shape[1];
    const tshape = [shape[0], ...shape.slice(2)];
    for (const o of OPTION_SETS) {
      for (const reduction of REDUCTIONS) {
        await sameOnBoth((d) => crossEntropy(view(randomTensor(c.logits, { device: d, seed: 5 })), targets(tshape, C, d, 6, o.ignoreEvery), {
          reduction, labelSmoothing: o.labelSmoothing ?? 0,
          weight: o.weighted ? randomTensor([C], { device: d, seed: 7, lo: 0.2, hi: 2 }) : null,
        }), { msg: `${c.what} ${JSON.stringify(o)} ${reduction}` });
      }
    }
  }
});

s('crossEntropy: equals nllLoss(logSoftmax) and, smoothed, the probability-target form', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = randomTensor([5, 4, 3], { device, seed: 8 });
    const t = targets([5, 3], 4, device, 9, 4);
    const w = randomTensor([4], { device, seed: 10, lo: 0.5, hi: 2 });
    for (const weight of [null, w]) {
      await assertTensorClose(crossEntropy(x, t, { weight }), nllLoss(logSoftmax(x, 1), t, { weight }), { atol: 1e-6, msg: device });
    }
    const t2 = targets([5, 3], 4, device, 11);
    const onehot = t2.unsqueeze(1).eq(tensor([0, 1, 2, 3], { dtype: 'i32', device }).reshape([1, 4, 1])).float();
    for (const weight of [null, w]) {
      await assertTensorClose(crossEntropy(x, t2, { labelSmoothing: 0.25, reduction: 'sum', weight }),
        crossEntropy(x, onehot, { labelSmoothing: 0.25, reduction: 'sum', weight }), { atol: 1e-5, msg: `${device} smoothing` });
    }
  }
});

s('crossEntropy: known values; uniform logits give log C; unbatched input', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = tensor([[0, 0, 0, 0], [1, 2, 3, 4]], { device });
    const t = tensor([2, 3], { dtype: 'i32', device });
    const lse = Math.log(Math.E + Math.E ** 2 + Math.E ** 3 + Math.E ** 4);
    assertClose(await crossEntropy(x, t, { reduction: 'none' }).data(), [Math.log(4), lse - 4], { msg: device });
    // weighted mean divides by the weights of the targets: (0.5 log 4 + 2 (lse - 4)) / 2.5
    const w = tensor([1, 1, 0.5, 2], { device });
    assertClose([await crossEntropy(x, t, { weight: w }).item()], [(0.5 * Math.log(4) + 2 * (lse - 4)) / 2.5], { msg: device });
    const one = crossEntropy(tensor([1, 2, 3, 4], { device }), tensor(3, { dtype: 'i32', device }), { reduction: 'none' });
    assert.equal(one.shape, []);
    assertClose([await one.item()], [lse - 4], { msg: `${device} unbatched` });
  }
});

s('crossEntropy: large logits are stable; -inf logits are masked; ignored masked rows give 0 and zero gradient', async () => {
  await sameOnBoth((d) => crossEntropy(randomTensor([4, 50], { device: d, seed: 12, lo: -3e4, hi: 3e4 }), targets([4], 50, d), { reduction: 'none' }), { rtol: 1e-6 });
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = tensor([[0, -Infinity, 0], [-Infinity, -Infinity, -Infinity], [-Infinity, -Infinity, -Infinity]], { device, requiresGrad: true });
    const loss = crossEntropy(x, tensor([0, -100, 1], { dtype: 'i32', device }), { reduction: 'none' });
    const v = await loss.data();
    assertClose(v.slice(0, 2), [Math.log(2), 0], { msg: device });
    assert.ok(Number.isNaN(v[2]), `${device}: a fully masked row that is not ignored has a NaN loss`);
    loss.select(0, 0).add(loss.select(0, 1)).backward();
    assertClose((await x.grad!.data()).slice(0, 6), [-0.5, 0, 0.5, 0, 0, 0], { msg: `${device} gradient` });
  }
});

s('crossEntropy: f16 logits and weights compute in f32 and round once', async () => {
  await sameOnBoth((d) => crossEntropy(randomTensor([9, 37], { device: d, dtype: 'f16', seed: 40 }), targets([9], 37, d, 41, 4), {
    reduction: 'none', labelSmoothing: 0.1, weight: randomTensor([37], { device: d, dtype: 'f16', seed: 42, lo: 0.5, hi: 1.5 }) }),
  { atol: 2e-3, rtol: 2e-3 });
});

s('crossEntropy: gradient matches finite differences (float64) for every option combination', async () => {
  const C = 4;
  const t = classes(6, C, 13, 3);
  const w = randomValues(C, 14, 0.3, 2);
  const mix = randomValues(6, 15);
  for (const o of OPTION_SETS) {
    for (const reduction of REDUCTIONS) {
      const target = tensor(o.ignoreEvery ? t : t.map((k) => (k < 0 ? 1 : k)), { shape: [3, 2], dtype: 'i32' });
      await gradcheck((x) => {
        const loss = crossEntropy(x, target, {
          reduction, labelSmoothing: o.labelSmoothing ?? 0,
          weight: o.weighted ? tensor(w, { dtype: 'f64' }) : null,
        });
        return reduction === 'none' ? loss.mul(tensor(mix, { shape: [3, 2], dtype: 'f64' })).sum() : loss;
      }, [{ shape: [3, C, 2], values: randomValues(3 * C * 2, 16) }], { msg: `${JSON.stringify(o)} ${reduction}` });
    }
  }
});

s('crossEntropy: probability targets: kernel vs reference, gradients of logits and target', async () => {
  const probs = (device: DeviceName, dtype: 'f32' | 'f64' = 'f32') => randomTensor([4, 6], { device, dtype, seed: 17, lo: 0, hi: 1 }).softmax(1);
  for (const reduction of REDUCTIONS) {
    await sameOnBoth((d) => crossEntropy(randomTensor([4, 6], { device: d, seed: 18 }), probs(d), {
      reduction, labelSmoothing: 0.1, weight: randomTensor([6], { device: d, seed: 19, lo: 0.5, hi: 1.5 }) }), { msg: reduction });
  }
  await gradcheck((x, q) => crossEntropy(x, q.softmax(1), { labelSmoothing: 0.2 }),
    [{ shape: [3, 5], values: randomValues(15, 20) }, { shape: [3, 5], values: randomValues(15, 21) }]);
});

s('crossEntropy: webgpu gradients equal the cpu gradients (weight, smoothing, ignored targets, [N, C, d])', async () => {
  const grads = [];
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = randomTensor([4, 70, 3], { device, seed: 22 }).requiresGrad_();
    crossEntropy(x, targets([4, 3], 70, device, 23, 5), {
      labelSmoothing: 0.1, weight: randomTensor([70], { device, seed: 24, lo: 0.5, hi: 1.5 }) }).backward();
    grads.push(await x.grad!.data());
  }
  assertClose(grads[1], grads[0], { atol: 1e-6, rtol: 1e-4 });
});

s('crossEntropy: bad input names the op and what is valid; out-of-range classes throw on cpu, give NaN on webgpu', async () => {
  const x = randomTensor([3, 4]);
  assertThrows(() => crossEntropy(x, tensor([0, 1, 2])), 'crossEntropy', '[3] f32', 'i32 of shape [3]', 'probabilities');
  assertThrows(() => crossEntropy(x, tensor([0, 1], { dtype: 'i32' })), 'crossEntropy', '[2] i32', 'shape [3]');
  assertThrows(() => crossEntropy(x, tensor([0, 1, 2], { dtype: 'u32' })), 'crossEntropy', 'u32', 'must be i32');
  assertThrows(() => crossEntropy(x, tensor([0, 4, 1], { dtype: 'i32' })), 'crossEntropy', 'class 4', 'valid: 0..3');
  assertThrows(() => crossEntropy(x, tensor([0, 1, 2], { dtype: 'i32' }), { weight: tensor([1, 1]) }), 'crossEntropy', 'weight [2] f32', '4 class weights');
  assertThrows(() => crossEntropy(x, tensor([0, 1, 2], { dtype: 'i32' }), { labelSmoothing: 1.5 }), 'crossEntropy', 'labelSmoothing', '[0, 1]');
  assertThrows(() => crossEntropy(x, tensor([0, 1, 2], { dtype: 'i32' }), { reduction: 'avg' as Reduction }), 'crossEntropy', "'avg'", "'mean', 'sum', 'none'");
  assertThrows(() => crossEntropy(x, x.softmax(1), { ignoreIndex: 0 }), 'crossEntropy', 'ignoreIndex', 'class-index targets only');
  assertThrows(() => crossEntropy(tensor([[1, 2]], { dtype: 'i32' }), tensor([0], { dtype: 'i32' })), 'crossEntropy', 'floating point');
  const loss = await crossEntropy(randomTensor([3, 4], { device: 'webgpu' }), tensor([0, 7, -1], { dtype: 'i32', device: 'webgpu' }), { reduction: 'none' }).data();
  assert.ok(Number.isFinite(loss[0]) && Number.isNaN(loss[1]) && Number.isNaN(loss[2]), `webgpu out-of-range classes give NaN, got ${loss}`);
});

// ---- nllLoss, mseLoss, klDiv, binaryCrossEntropyWithLogits ---------------------------------------------------------

s('nllLoss: values, weights, ignored and out-of-range targets, gradient', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    const lp = tensor([[-1, -2, -3], [-0.5, -1.5, -2.5], [-4, -5, -6]], { device });
    const t = tensor([2, 0, -100], { dtype: 'i32', device });
    assertClose(await nllLoss(lp, t, { reduction: 'none' }).data(), [3, 0.5, 0], { msg: device });
    assertClose([await nllLoss(lp, t).item()], [1.75], { msg: device });
    assertClose([await nllLoss(lp, t, { weight: tensor([2, 1, 4], { device }) }).item()], [(12 + 1) / 6], { msg: device });
    const t0 = tensor([2, 0, 1], { dtype: 'i32', device });
    assertClose([await nllLoss(lp, t0, { ignoreIndex: 0, reduction: 'sum' }).item()], [3 + 5], { msg: `${device} ignoreIndex 0` });
  }
  const bad = await nllLoss(randomTensor([2, 3], { device: 'webgpu' }), tensor([5, 1], { dtype: 'i32', device: 'webgpu' }), { reduction: 'none' }).data();
  assert.ok(Number.isNaN(bad[0]) && Number.isFinite(bad[1]), 'webgpu out-of-range class gives NaN');
  assertThrows(() => nllLoss(randomTensor([2, 3]), tensor([5, 1], { dtype: 'i32' })), 'nllLoss', 'class 5', 'valid: 0..2');
  await gradcheck((x) => nllLoss(x, tensor([1, 0, 2], { dtype: 'i32' }), { weight: tensor([1, 2, 3], { dtype: 'f64' }) }),
    [{ shape: [3, 3], values: randomValues(9, 25) }]);
});

s('mseLoss: values, reductions on both devices, gradient, shape errors', async () => {
  for (const reduction of REDUCTIONS) {
    await sameOnBoth((d) => mseLoss(randomTensor([5, 7], { device: d, seed: 26 }), randomTensor([5, 7], { device: d, seed: 27 }), { reduction }));
  }
  assertClose([await mseLoss(tensor([1, 2, 3]), tensor([1, 0, 0])).item()], [13 / 3]);
  await gradcheck((a, b) => mseLoss(a, b, { reduction: 'sum' }), [{ shape: [4], values: randomValues(4, 28) }, { shape: [4], values: randomValues(4, 29) }]);
  assertThrows(() => mseLoss(tensor([1, 2]), tensor([[1, 2]])), 'mseLoss', '[2] f32', '[1, 2] f32', 'same shape');
});

s('klDiv: values with 0 log 0 = 0, logTarget, batchmean, both devices, gradients', async () => {
  const input = [Math.log(0.25), Math.log(0.75), Math.log(0.5), Math.log(0.5)];
  const target = [0, 1, 0.5, 0.5];
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = tensor(input, { shape: [2, 2], device });
    const t = tensor(target, { shape: [2, 2], device });
    const want = [0, -Math.log(0.75), 0, 0];
    assertClose(await klDiv(x, t, { reduction: 'none' }).data(), want, { atol: 1e-6, msg: device });
    assertClose([await klDiv(x, t, { reduction: 'batchmean' }).item()], [-Math.log(0.75) / 2], { atol: 1e-6, msg: device });
    assertClose([await klDiv(x, t).item()], [-Math.log(0.75) / 4], { atol: 1e-6, msg: device });
    assertClose([await klDiv(x, t.add(1e-30).log(), { logTarget: true, reduction: 'sum' }).item()], [-Math.log(0.75)], { atol: 1e-6, msg: device });
  }
  await gradcheck((x, t) => klDiv(x.logSoftmax(1), t.softmax(1), { reduction: 'batchmean' }),
    [{ shape: [2, 3], values: randomValues(6, 30) }, { shape: [2, 3], values: randomValues(6, 31) }]);
  await gradcheck((x, t) => klDiv(x.logSoftmax(1), t.logSoftmax(1), { logTarget: true }),
    [{ shape: [2, 3], values: randomValues(6, 32) }, { shape: [2, 3], values: randomValues(6, 33) }]);
  assertThrows(() => klDiv(tensor([1]), tensor([1]), { reduction: 'max' as Reduction }), 'klDiv', "'batchmean'");
});

s('binaryCrossEntropyWithLogits: the stable form, posWeight and weight, both devices, gradients', async () => {
  const bce = (x: number, t: number, pw = 1) => -(pw * t * Math.log(1 / (1 + Math.exp(-x))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-x))));
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = tensor([[-2, 0.5, 3], [1, -1, 0]], { device });
    const t = tensor([[0, 1, 0.3], [1, 0, 1]], { device });
    const pw = [2, 0.5, 1];
    const want = [[-2, 0, 0], [0.5, 1, 1], [3, 0.3, 2], [1, 1, 0], [-1, 0, 1], [0, 1, 2]].map(([xv, tv, k]) => bce(xv, tv, pw[k]));
    assertClose(await binaryCrossEntropyWithLogits(x, t, { posWeight: tensor(pw, { device }), reduction: 'none' }).data(), want, { msg: device });
    const huge = await binaryCrossEntropyWithLogits(tensor([200, -200], { device }), tensor([0, 1], { device }), { reduction: 'none' }).data();
    assertClose(huge, [200, 200], { msg: `${device} no overflow` });
  }
  for (const reduction of REDUCTIONS) {
    await sameOnBoth((d) => binaryCrossEntropyWithLogits(randomTensor([6, 5], { device: d, seed: 34 }), randomTensor([6, 5], { device: d, seed: 35, lo: 0, hi: 1 }), {
      reduction, weight: randomTensor([6, 1], { device: d, seed: 36, lo: 0, hi: 2 }), posWeight: randomTensor([5], { device: d, seed: 37, lo: 0.5, hi: 3 }) }));
  }
  await gradcheck((x, t) => binaryCrossEntropyWithLogits(x, t, { posWeight: tensor([3, 0.5], { dtype: 'f64' }) }),
    [{ shape: [3, 2], values: [0, ...randomValues(5, 38)] }, { shape: [3, 2], values: randomValues(6, 39, 0, 1) }]);
  assertThrows(() => binaryCrossEntropyWithLogits(tensor([1, 2]), tensor([1])), 'binaryCrossEntropyWithLogits', 'same shape');
});

s.run();
