// conv1d/conv2d and pooling on hand-checkable inputs, on both backends: values worked out by hand (or, for the
// grouped/dilated case, by a direct six-loop convolution written independently in numpy), gradients whose values
// are window counts, the -inf padding of max pooling, torch's divisors of average pooling, and the errors.
// The registry suite (test/ops/registry.test.ts) covers webgpu against cpu and the float64 gradchecks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  arange,
  conv1d,
  conv2d,
  maxPool2d,
  maxPool1d,
  avgPool2d,
  adaptiveAvgPool2d,
  ones,
  tensor,
  type Tensor,
} from '../../index.js';
import { DEVICES, assertThrows, assertTensorClose } from '../helpers.js';

const s = suite('ops/conv-pool');

const image = (values: number[], shape: number[], device: (typeof DEVICES)[number]) =>
  tensor(values, { shape, device });
const grid16 = (device: (typeof DEVICES)[number]) => arange(0, 16, 1, { device, dtype: 'f32' }).reshape([1, 1, 4, 4]);

s('conv2d: stride 2, padding 1 and a bias on a 4x4 ramp (each output is a hand-summed window)', async () => {
  for (const device of DEVICES) {
    const w = image([1, 2, 3, 4], [1, 1, 2, 2], device);
    // out(0,0) sees only x(0,0) = 0 under tap w(1,1); out(0,1) sees x(0,1) 3 + x(0,2) 4 = 3 + 8; +10 bias
    const y = conv2d(grid16(device), w, tensor([10], { device }), 2, 1);
    assert.equal([...y.shape], [1, 1, 3, 3]);
    await assertTensorClose(y, [10, 21, 19, 50, 94, 50, 34, 51, 25], { msg: device });
  }
});

s('conv2d: groups 2, dilation [2, 1], stride [1, 2], padding [0, 1] against a direct numpy convolution', async () => {
  const x = Array.from({ length: 100 }, (_, i) => (i % 7) - 3);
  const w = Array.from({ length: 32 }, (_, i) => (i % 5) - 2);
  const want = [
    1, 7, -6, -2, -8, 7, 9, -9, -8, 2, -6, -4, 2, 13, -6, -5, 11, 13, -2, 6, -1, 1, -1, 6, -3, -1, -1, 9, -6, -8, -10,
    10, -6, -8, -9, 10,
  ];
  for (const device of DEVICES) {
    const y = conv2d(
      image(x, [1, 4, 5, 5], device),
      image(w, [4, 2, 2, 2], device),
      tensor([0, 1, 0, -1], { device }),
      [1, 2],
      [0, 1],
      [2, 1],
      2,
    );
    assert.equal([...y.shape], [1, 4, 3, 3]);
    await assertTensorClose(y, want, { msg: device });
  }
});

s("conv1d: padding 'same' with an even kernel pads one on the left and two on the right, as torch", async () => {
  for (const device of DEVICES) {
    const y = conv1d(
      tensor([1, 2, 3, 4, 5], { shape: [1, 1, 5], device }),
      ones([1, 1, 4], { device }),
      null,
      1,
      'same',
    );
    await assertTensorClose(y, [0 + 1 + 2 + 3, 10, 14, 3 + 4 + 5, 4 + 5], { msg: device });
  }
});

s(
  'conv2d backward: dW sums the input over each tap, dx counts the weights over the windows covering a pixel',
  async () => {
    for (const device of DEVICES) {
      const x = grid16(device).requiresGrad_();
      const w = image([1, 2, 3, 4], [1, 1, 2, 2], device).requiresGrad_();
      const b = tensor([0.5], { device }).requiresGrad_();
      conv2d(x, w, b).sum().backward();
      // taps (i, j) read x[i..i+2][j..j+2]: 0+1+2+4+5+6+8+9+10 = 45, and +9 per column, +36 per row shift
      await assertTensorClose(w.grad!, [45, 54, 81, 90], { msg: `${device} dW` });
      await assertTensorClose(b.grad!, [9], { msg: `${device} db (9 positions)` });
      await assertTensorClose(x.grad!, [1, 3, 3, 2, 4, 10, 10, 6, 4, 10, 10, 6, 3, 7, 7, 4], { msg: `${device} dx` });
    }
  },
);

s('maxPool2d: values, flat indices into each plane, and the gradient routed to the winners', async () => {
  const x = [1, 5, 2, 0, 3, 4, 8, 6, 7, 0, 1, 2, 9, 3, 4, 5];
  for (const device of DEVICES) {
    const input = image(x, [1, 1, 4, 4], device).requiresGrad_();
    const [y, idx] = maxPool2d(input, 2, null, 0, 1, false, true);
    await assertTensorClose(y, [5, 8, 9, 5], { msg: device });
    assert.is(idx.dtype, 'i32');
    await assertTensorClose(idx, [1, 6, 12, 15], { msg: device });
    y.mul(tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2], device }))
      .sum()
      .backward();
    await assertTensorClose(input.grad!, [0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4], { msg: `${device} grad` });
  }
});

s('maxPool: padding reads -inf, not 0 (an all-negative input keeps negative maxima)', async () => {
  for (const device of DEVICES) {
    const x = image([-1, -2, -3, -4, -5, -6, -7, -8, -9], [1, 1, 3, 3], device);
    await assertTensorClose(maxPool2d(x, 2, 2, 1), [-1, -2, -4, -5], { msg: device });
    const [v, i] = maxPool1d(tensor([-3, -1, -2], { shape: [1, 1, 3], device }), 2, 2, 1, 1, false, true);
    await assertTensorClose(v, [-3, -1], { msg: device });
    await assertTensorClose(i, [0, 1], { msg: device });
  }
});

s('maxPool2d: a NaN in a window wins, as in torch (its value and its index)', async () => {
  for (const device of DEVICES) {
    const [v, i] = maxPool2d(image([1, NaN, 3, 2, 5, 4, 0, 1], [1, 2, 2, 2], device), 2, null, 0, 1, false, true);
    const values = await v.data();
    assert.ok(Number.isNaN(values[0]), `${device}: NaN propagates, got ${values[0]}`);
    assert.is(values[1], 5);
    await assertTensorClose(i, [1, 0], { msg: device });
  }
});

s(
  'avgPool2d: countIncludePad divides by the padded window, without it by the cells inside; ceilMode clips',
  async () => {
    for (const device of DEVICES) {
      const x = ones([1, 1, 3, 3], { device });
      await assertTensorClose(avgPool2d(x, 2, 2, 1), [0.25, 0.5, 0.5, 1], { msg: `${device} include pad` });
      await assertTensorClose(avgPool2d(x, 2, 2, 1, false, false), [1, 1, 1, 1], { msg: `${device} exclude pad` });
      const ceil = avgPool2d(ones([1, 1, 5, 5], { device }), 2, 2, 0, true);
      assert.equal([...ceil.shape], [1, 1, 3, 3]);
      await assertTensorClose(ceil, Array<number>(9).fill(1), {
        msg: `${device} ceil mode: the clipped windows divide by what they hold`,
      });
      await assertTensorClose(avgPool2d(x, 3, 1, 1, false, true, 2), [2, 3, 2, 3, 4.5, 3, 2, 3, 2], {
        msg: `${device} divisorOverride`,
      });
    }
  },
);

s("adaptiveAvgPool2d: torch's overlapping windows [floor(i L / n), ceil((i + 1) L / n))", async () => {
  for (const device of DEVICES) {
    const x = arange(0, 5, 1, { device, dtype: 'f32' }).reshape([1, 1, 1, 5]);
    // windows of 5 into 3: [0, 2), [1, 4), [3, 5)
    await assertTensorClose(adaptiveAvgPool2d(x, [1, 3]), [0.5, 2, 3.5], { msg: device });
    await assertTensorClose(adaptiveAvgPool2d(x, [null, 1]), [2], { msg: `${device} global` });
  }
});

s('errors name the op, the shapes and what is valid', () => {
  const x = ones([1, 4, 5, 5]);
  assertThrows(() => conv2d(x, ones([2, 3, 3, 3])), 'conv2d', '[1, 4, 5, 5]', '[2, 3, 3, 3]', 'groups');
  assertThrows(() => conv2d(x, ones([2, 4, 3, 3]), null, 2, 'same'), 'conv2d', "padding='same'", 'strided');
  assertThrows(() => conv2d(x, ones([2, 4, 7, 7])), 'conv2d', 'larger than');
  assertThrows(() => conv2d(ones([4, 5]), ones([2, 4, 3, 3])), 'conv2d', '3-D', '4-D');
  assertThrows(() => conv1d(ones([1, 4, 5]), ones([2, 4, 3]), ones([3])), 'conv1d', 'bias', 'out_channels');
  assertThrows(() => maxPool2d(x, 2, 2, 2), 'maxPool2d', 'padding 2', 'half');
  assertThrows(() => avgPool2d(x, 0), 'avgPool2d', 'kernelSize', '>= 1');
  assertThrows(() => maxPool2d(ones([5, 5]) as Tensor, 2), 'maxPool2d', '3-D', '4-D');
});

s.run();
