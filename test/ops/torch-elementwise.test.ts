// Hand-checked values (from torch's definitions) of the elementwise ops and activations the registry's generated
// suite compares only backend against backend: signs of fmod and floorDivide, xlogy's zeros, logaddexp and hypot at
// the edges, and the gradients at the kinks of the piecewise activations. Each case runs on both backends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  atan2,
  cosineSimilarity,
  floorDivide,
  fmod,
  glu,
  hardsigmoid,
  hardswish,
  hardtanh,
  hypot,
  lerp,
  logaddexp,
  relu6,
  selu,
  tensor,
  xlogy,
  type Tensor,
} from '../../index.js';
import { DEVICES, assertClose, assertThrows } from '../helpers.js';

const s = suite('ops torch elementwise');
const vals = async (t: Tensor) => [...(await t.data())];

s('fmod takes the sign of the dividend, floorDivide rounds toward -inf (floats and i32)', async () => {
  for (const device of DEVICES) {
    const a = tensor([-5, 5, -5.5, 7], { device });
    const b = tensor([3, -3, 2, 2], { device });
    assertClose(await vals(fmod(a, b)), [-2, 2, -1.5, 1], { msg: `${device} fmod` });
    assertClose(await vals(floorDivide(a, b)), [-2, -2, -3, 3], { msg: `${device} floorDivide` });
    const i = tensor([-7, 7], { device, dtype: 'i32' });
    const q = floorDivide(i, 2);
    assert.is(q.dtype, 'i32', device);
    assert.equal(await vals(q), [-4, 3], `${device} i32 floorDivide`);
    assert.equal(await vals(fmod(i, 3)), [-1, 1], `${device} i32 fmod`);
  }
  // torch's div_floor: 1 // 0.1 is 9 (0.1 is a little over 1/10), where floor(1 / 0.1) would give 10
  assert.equal(await vals(floorDivide(tensor([1], { dtype: 'f64' }), 0.1)), [9]);
});

s(
  'xlogy is 0 where x = 0 (even for y = 0), NaN where y is NaN; its x-gradient is 0 where x = 0 and y <= 0',
  async () => {
    for (const device of DEVICES) {
      const x = tensor([0, 0, 2, 0], { device, requiresGrad: true });
      const y = tensor([0, NaN, Math.E, 2], { device });
      const out = xlogy(x, y);
      assertClose(await vals(out), [0, NaN, 2, 0], { msg: device });
      xlogy(x, tensor([0, 1, Math.E, 2], { device }))
        .sum()
        .backward();
      assertClose(await vals(x.grad!), [0, 0, 1, Math.log(2)], { msg: `${device} grad` });
    }
  },
);

s('logaddexp, hypot and atan2 at the edges', async () => {
  for (const device of DEVICES) {
    const a = tensor([-Infinity, 1000, 0, Infinity], { device });
    const b = tensor([-Infinity, 1000, 0, 3], { device });
    assertClose(await vals(logaddexp(a, b)), [-Infinity, 1000 + Math.LN2, Math.LN2, Infinity], { msg: device });
    // 3e30^2 overflows f32: the naive sqrt(a^2 + b^2) gives inf
    assertClose(await vals(hypot(tensor([3e30, 0, -3], { device }), tensor([4e30, 0, 4], { device }))), [5e30, 0, 5], {
      msg: device,
    });
    assertClose(
      await vals(atan2(tensor([1, -1], { device }), tensor([-1, -1], { device }))),
      [(3 * Math.PI) / 4, (-3 * Math.PI) / 4],
      {
        msg: device,
      },
    );
  }
});

s('hardswish, hardsigmoid, hardtanh and relu6: values and torch gradients at the kinks', async () => {
  for (const device of DEVICES) {
    const x = tensor([-4, -3, 0, 3, 4], { device, requiresGrad: true });
    assertClose(await vals(hardswish(x)), [0, 0, 0, 3, 4], { msg: device });
    hardswish(x).sum().backward();
    assertClose(await vals(x.grad!), [0, -0.5, 0.5, 1.5, 1], { msg: `${device} hardswish grad` });
    const y = tensor([-4, -3, 0, 3, 4], { device, requiresGrad: true });
    assertClose(await vals(hardsigmoid(y)), [0, 0, 0.5, 1, 1], { msg: device });
    hardsigmoid(y).sum().backward();
    assertClose(await vals(y.grad!), [0, 0, 1 / 6, 0, 0], { msg: `${device} hardsigmoid grad` });
    const z = tensor([-1, 0, 0.5, 6, 7], { device, requiresGrad: true });
    assertClose(await vals(relu6(z)), [0, 0, 0.5, 6, 6], { msg: device });
    relu6(z)
      .add(hardtanh(z, -1, 0.5))
      .sum()
      .backward();
    // relu6: 1 on (0, 6) only; hardtanh(-1, 0.5): 1 on (-1, 0.5) only
    assertClose(await vals(z.grad!), [0, 1, 1, 0, 0], { msg: `${device} relu6 + hardtanh grad` });
  }
});

s('selu with torch constants; lerp exact at weight 1; glu halves; cosineSimilarity', async () => {
  for (const device of DEVICES) {
    assertClose(await vals(selu(tensor([1, -1, 0], { device }))), [1.0507009873554805, -1.1113307378125628, 0], {
      msg: device,
    });
    assert.equal(
      await vals(lerp(tensor([1, 0.1], { device }), tensor([3, 0.7], { device }), 1)),
      [3, Math.fround(0.7)],
      device,
    );
    assertClose(await vals(glu(tensor([[1, 2, 0, 100]], { device }))), [0.5, 2], { msg: device });
    assertThrows(() => glu(tensor([[1, 2, 3]], { device })), 'glu', 'even');
    const u = tensor(
      [
        [1, 0],
        [2, 2],
        [0, 0],
      ],
      { device },
    );
    assertClose(await vals(cosineSimilarity(u, tensor([0, 1], { device }))), [0, Math.SQRT1_2, 0], { msg: device });
  }
});

s.run();
