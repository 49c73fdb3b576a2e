// Calls a PyTorch user writes, answered as torch answers them (cases where tessera used to disagree): pow with a
// number base on webgpu in backward, zero gradients of std and norm where they are 0, max/min(dim) gradients to
// the returned index, bool + bool, clamp with tensor bounds, var/std's positional unbiased/keepdim, .T on 3-D,
// and sum over an empty dim list. Each case is checked on both backends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clamp, max, min, pow, tensor, type Tensor } from '../../index.js';
import { DEVICES, assertClose, assertThrows } from '../helpers.js';

const s = suite('ops torch semantics');
const vals = async (t: Tensor) => [...(await t.data())];
const leaf = (v: number[] | number[][], device: (typeof DEVICES)[number]) => tensor(v, { device, requiresGrad: true });

s("pow(number, x) differentiates on x's device: d/dx 2^x = 2^x ln 2", async () => {
  for (const device of DEVICES) {
    const x = leaf([0, 1, 3], device);
    pow(2, x).sum().backward();
    assertClose(
      await vals(x.grad!),
      [1, 2, 8].map((v) => v * Math.LN2),
      { rtol: 1e-5, msg: device },
    );
    const z = leaf([0, 1], device);
    pow(0, z).sum().backward(); // torch takes log 0 as 0 here
    assert.equal(await vals(z.grad!), [0, 0], device);
  }
});

s('std and norm have gradient 0 where they are 0 (not NaN), and the usual one elsewhere', async () => {
  for (const device of DEVICES) {
    const x = leaf(
      [
        [2, 2, 2],
        [1, 2, 3],
      ],
      device,
    );
    x.std(1).sum().backward();
    // row 2: std = 1, d std / dx_i = (x_i - mean) / ((n - 1) std) = [-0.5, 0, 0.5]
    assertClose(await vals(x.grad!), [0, 0, 0, -0.5, 0, 0.5], { atol: 1e-6, msg: device });
    const v = leaf(
      [
        [0, 0],
        [3, 4],
      ],
      device,
    );
    v.norm(2, 1).sum().backward();
    assertClose(await vals(v.grad!), [0, 0, 0.6, 0.8], { atol: 1e-6, msg: device });
  }
});

s('max(x, dim) and min(x, dim) send the whole gradient to the returned index among ties', async () => {
  for (const device of DEVICES) {
    const x = leaf(
      [
        [1, 3, 3],
        [5, 0, 0],
      ],
      device,
    );
    const hi = max(x, 1);
    const lo = min(x, 1, true);
    hi.values.sum().add(lo.values.sum()).backward();
    const [iHi, iLo] = [await vals(hi.indices), await vals(lo.indices)];
    const expected = [0, 0, 0, 0, 0, 0];
    iHi.forEach((j, r) => (expected[r * 3 + j] += 1));
    iLo.forEach((j, r) => (expected[r * 3 + j] += 1));
    assert.equal(await vals(x.grad!), expected, device);
    assert.equal(expected.filter((g) => g !== 0).length, 4, 'one element per row and reduction');
    assert.equal(await vals(hi.values), [3, 5], device);
    assert.equal([...lo.values.shape], [2, 1], device);
  }
});

s('bool + bool and bool * bool stay bool (logical or / and); bool + number promotes', async () => {
  for (const device of DEVICES) {
    const a = tensor([true, false, false], { device });
    const b = tensor([true, true, false], { device });
    const sum = a.add(b);
    assert.is(sum.dtype, 'bool', device);
    assert.equal(await sum.toArray(), [true, true, false]);
    assert.equal(await a.mul(b).toArray(), [true, false, false]);
    assert.equal(
      await a.add(tensor(true, { device })).toArray(),
      [true, false, false].map(() => true),
    );
    const n = a.add(1);
    assert.is(n.dtype, 'i32');
    assert.equal(await vals(n), [2, 1, 1]);
  }
});

s('clamp takes tensor bounds (broadcast), with gradients to x inside and to the bound that was taken', async () => {
  for (const device of DEVICES) {
    const x = leaf([-2, 0.5, 3, 1], device);
    const lo = leaf([-1, 0, 0, 0], device);
    const hi = tensor([2], { device, requiresGrad: true });
    const y = clamp(x, lo, hi);
    assert.equal(await vals(y), [-1, 0.5, 2, 1], device);
    y.mul(tensor([1, 2, 3, 4], { device }))
      .sum()
      .backward();
    assert.equal(await vals(x.grad!), [0, 2, 0, 4], device);
    assert.equal(await vals(lo.grad!), [1, 0, 0, 0], device);
    assert.equal(await vals(hi.grad!), [3], device);
    const onlyMax = tensor([1, 5], { device }).clamp(null, tensor([0, 9], { device }));
    assert.equal(await vals(onlyMax), [0, 5], device);
    assert.equal(await vals(tensor([1, -5], { device }).clamp(0)), [1, 0], device);
    assertThrows(
      () => tensor([1], { device }).clamp_(tensor([0], { device }) as unknown as number),
      'clamp_',
      'tensor bounds',
    );
  }
});

s("var and std read torch's positional (dim, unbiased, keepdim) and var(unbiased)", async () => {
  for (const device of DEVICES) {
    const x = tensor([[1, 2, 3, 6]], { device }); // mean 3, squared deviations sum 14
    assert.equal(await vals(x.var(1, false)), [14 / 4], device);
    assertClose(await vals(x.var(1, true)), [14 / 3], { rtol: 1e-6, msg: device });
    assertClose(await vals(x.var(1)), [14 / 3], { rtol: 1e-6, msg: device });
    const kept = x.std(1, false, true);
    assert.equal([...kept.shape], [1, 1], device);
    assertClose(await vals(kept), [Math.sqrt(14 / 4)], { rtol: 1e-6 });
    assert.equal(await vals(x.var(false)), [14 / 4], device);
    assert.equal(await vals(x.var(1, { correction: 0, keepdim: true })), [14 / 4]);
    assertThrows(() => x.var(1, { correction: 0 }, true), 'var', 'keepdim');
  }
});

s('.T reverses every dim (as torch), and sum/amax over [] reduce everything', async () => {
  for (const device of DEVICES) {
    const x = tensor(
      [
        [
          [0, 1, 2, 3],
          [4, 5, 6, 7],
          [8, 9, 10, 11],
        ],
        [
          [12, 13, 14, 15],
          [16, 17, 18, 19],
          [20, 21, 22, 23],
        ],
      ],
      { device },
    );
    const t = x.T;
    assert.equal([...t.shape], [4, 3, 2], device);
    assert.equal(((await t.toArray()) as number[][][])[3][1][0], 7); // x[0][1][3]
    assert.equal([...tensor([1, 2], { device }).T.shape], [2]);
    assert.equal(await vals(x.sum([])), [276], device);
    assert.equal(await vals(x.amax([])), [23], device);
    assert.equal([...x.sum([], true).shape], [1, 1, 1]);
  }
});

s.run();
