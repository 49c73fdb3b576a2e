// batchNorm, groupNorm, interpolate and the regression/probability losses on inputs small enough to check by hand,
// on both backends; the registry suite covers webgpu against cpu on random inputs and the float64 gradchecks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  batchNorm,
  groupNorm,
  interpolate,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
  tensor,
  zeros,
  ones,
} from '../../index.js';
import { DEVICES, assertThrows, assertTensorClose } from '../helpers.js';

const s = suite('ops/norm-resample-loss');

s('batchNorm: training normalises each channel with its batch statistics and updates the running ones', async () => {
  for (const device of DEVICES) {
    // channel 0 holds {1, 3}: mean 2, variance 1; channel 1 holds {10, 30}: mean 20, variance 100
    const x = tensor([1, 10, 3, 30], { shape: [2, 2], device });
    const rm = zeros([2], { device });
    const rv = ones([2], { device });
    const w = tensor([2, 3], { device });
    const b = tensor([0.5, -1], { device });
    await assertTensorClose(batchNorm(x, rm, rv, w, b, true, 0.1, 0), [-1.5, -4, 2.5, 2], { msg: device });
    // running mean 0.9 * 0 + 0.1 * mean; running variance 0.9 * 1 + 0.1 * the unbiased variance (2 and 200)
    await assertTensorClose(rm, [0.2, 2], { msg: `${device} running mean` });
    await assertTensorClose(rv, [1.1, 20.9], { msg: `${device} running var` });
    const evalOut = batchNorm(tensor([1, 10], { shape: [1, 2], device }), rm, rv, null, null, false, 0.1, 0);
    await assertTensorClose(evalOut, [0.8 / Math.sqrt(1.1), 8 / Math.sqrt(20.9)], {
      msg: `${device} eval`,
      rtol: 1e-5,
    });
  }
});

s('groupNorm: statistics per sample and group of channels, then a per-channel affine', async () => {
  for (const device of DEVICES) {
    // groups {1, 2} and {3, 5} each normalise to [-1, 1]
    const x = tensor([1, 2, 3, 5], { shape: [1, 4, 1], device });
    const y = groupNorm(x, 2, tensor([1, 2, 3, 4], { device }), tensor([0, 0, 0, 1], { device }), 0);
    await assertTensorClose(y, [-1, 2, -3, 5], { msg: device });
  }
});

s('interpolate: nearest picks floor(i in / out), linear modes use the half-pixel or corner-aligned grid', async () => {
  for (const device of DEVICES) {
    const ramp = tensor([1, 2, 3], { shape: [1, 1, 3], device });
    await assertTensorClose(interpolate(ramp, { size: 5 }), [1, 1, 2, 2, 3], { msg: `${device} nearest 3 -> 5` });
    const sq = tensor([0, 1, 2, 3], { shape: [1, 1, 2, 2], device });
    await assertTensorClose(interpolate(sq, { scaleFactor: 2 }), [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3], {
      msg: device,
    });
    const two = tensor([0, 1], { shape: [1, 1, 2], device });
    // half-pixel sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (the last reads x[1] twice)
    await assertTensorClose(interpolate(two, { size: 4, mode: 'linear' }), [0, 0.25, 0.75, 1], {
      msg: `${device} linear`,
    });
    await assertTensorClose(interpolate(two, { size: 4, mode: 'linear', alignCorners: true }), [0, 1 / 3, 2 / 3, 1], {
      msg: device,
    });
    await assertTensorClose(
      interpolate(sq, { size: [3, 3], mode: 'bilinear', alignCorners: true }),
      [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3],
      { msg: device },
    );
    const row = tensor([0, 1, 2, 3], { shape: [1, 1, 1, 4], device });
    await assertTensorClose(interpolate(row, { size: [1, 2], mode: 'bilinear' }), [0.5, 2.5], {
      msg: `${device} downsample`,
    });
    const g = ramp.requiresGrad_();
    interpolate(g, { size: 5 }).sum().backward();
    await assertTensorClose(g.grad!, [2, 2, 1], { msg: `${device} nearest gradient counts the copies` });
  }
});

s('l1Loss, smoothL1Loss (beta) and huberLoss (delta) on differences -2, -0.5, 0.25, 3', async () => {
  for (const device of DEVICES) {
    const x = tensor([0, 0.5, 1.25, 3], { device });
    const y = tensor([2, 1, 1, 0], { device });
    await assertTensorClose(l1Loss(x, y), [5.75 / 4], { msg: device });
    await assertTensorClose(l1Loss(x, y, { reduction: 'sum' }), [5.75], { msg: device });
    await assertTensorClose(smoothL1Loss(x, y, { reduction: 'none' }), [1.5, 0.125, 0.03125, 2.5], { msg: device });
    await assertTensorClose(smoothL1Loss(x, y, { reduction: 'none', beta: 0.5 }), [1.75, 0.25, 0.0625, 2.75], {
      msg: device,
    });
    await assertTensorClose(smoothL1Loss(x, y, { beta: 0, reduction: 'sum' }), [5.75], {
      msg: `${device} beta 0 is L1`,
    });
    await assertTensorClose(huberLoss(x, y, { reduction: 'none', delta: 2 }), [2, 0.125, 0.03125, 4], { msg: device });
    await assertTensorClose(huberLoss(x, y, { reduction: 'sum' }), [4.15625], { msg: device });
  }
});

s(
  'binaryCrossEntropy: -[t log p + (1 - t) log(1 - p)], logs clamped at -100, finite gradients at p = 0 and 1',
  async () => {
    for (const device of DEVICES) {
      const p = tensor([0.5, 0.9, 0, 1], { device }).requiresGrad_();
      const t = tensor([1, 0, 0, 1], { device });
      await assertTensorClose(binaryCrossEntropy(p, t, { reduction: 'none' }), [Math.LN2, -Math.log(0.1), 0, 0], {
        msg: device,
        rtol: 1e-5,
      });
      const weighted = binaryCrossEntropy(p, t, { reduction: 'none', weight: tensor([2, 1, 1, 1], { device }) });
      await assertTensorClose(weighted, [2 * Math.LN2, -Math.log(0.1), 0, 0], { msg: device, rtol: 1e-5 });
      await assertTensorClose(
        binaryCrossEntropy(tensor([0, 1], { device }), tensor([1, 0], { device }), { reduction: 'none' }),
        [100, 100],
        { msg: `${device} clamp` },
      );
      binaryCrossEntropy(p, t).backward();
      // d/dp of the mean: -t / p + (1 - t) / (1 - p), over 4
      await assertTensorClose(p.grad!, [-0.5, 2.5, 0.25, -0.25], { msg: `${device} grad`, rtol: 1e-4 });
    }
  },
);

s('errors name the op, the shapes and what is valid', () => {
  const x = ones([2, 4, 3]);
  assertThrows(() => batchNorm(x, null, null), 'batchNorm', 'evaluation mode');
  assertThrows(
    () => batchNorm(ones([1, 4]), null, null, null, null, true),
    'batchNorm',
    'more than 1 value per channel',
  );
  assertThrows(() => batchNorm(x, zeros([3]), ones([3])), 'batchNorm', 'runningMean', '[3]', '4 channels');
  assertThrows(() => groupNorm(x, 3), 'groupNorm', '4 channels', 'divisible by numGroups');
  assertThrows(() => interpolate(x, { size: 4, scaleFactor: 2 }), 'interpolate', 'exactly one of size and scaleFactor');
  assertThrows(() => interpolate(x, { size: 4, mode: 'bilinear' }), 'interpolate', "'bilinear'", '4-D');
  assertThrows(() => interpolate(x, { size: 4, alignCorners: true }), 'interpolate', 'alignCorners', "'nearest'");
  assertThrows(
    () => interpolate(x, { size: 4, mode: 'bicubic' as 'linear' }),
    'interpolate',
    "'bicubic'",
    'not supported',
  );
  assertThrows(() => interpolate(x, { size: 4, antialias: true } as object), 'interpolate', 'antialias');
  assertThrows(() => smoothL1Loss(x, x, { beta: -1 }), 'smoothL1Loss', 'beta');
  assertThrows(() => huberLoss(x, x, { delta: 0 }), 'huberLoss', 'delta');
  assertThrows(() => binaryCrossEntropy(tensor([1.5]), tensor([1])), 'binaryCrossEntropy', '[0, 1]');
  assertThrows(() => l1Loss(x, ones([2, 4])), 'l1Loss', '[2, 4, 3]', '[2, 4]');
  assert.ok(true);
});

s.run();
