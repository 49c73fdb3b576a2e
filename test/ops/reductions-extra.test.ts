// Reductions and scans added for issue 10, on known values worked out by hand (and as torch gives them): tie and
// NaN rules of cummax/cummin, median, mode, quantile's interpolations, logcumsumexp far outside exp's range; on
// both backends. The generated registry suite checks webgpu against cpu and the float64 gradients.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  tensor,
  cummax,
  cummin,
  logcumsumexp,
  median,
  mode,
  kthvalue,
  quantile,
  nansum,
  countNonzero,
  varMean,
} from '../../index.js';
import { DEVICES, assertClose, assertThrows, gradcheck } from '../helpers.js';

const test = suite('ops/reductions-extra');

test('cummax/cummin: a tie takes the later index; a NaN stays, at the first NaN', async () => {
  for (const device of DEVICES) {
    const r = cummax(tensor([1, 3, 2, 3, NaN, 0, NaN], { device }), 0);
    assert.equal(Array.from(await r.values.data()), [1, 3, 3, 3, NaN, NaN, NaN], device);
    assert.equal(Array.from(await r.indices.data()), [0, 1, 1, 3, 4, 4, 4], device);
    const m = cummin(
      tensor(
        [
          [3, 1, 1, 2],
          [0, -1, 4, -1],
        ],
        { device, dtype: 'i32' },
      ),
      1,
    );
    assert.equal(
      await m.values.toArray(),
      [
        [3, 1, 1, 1],
        [0, -1, -1, -1],
      ],
      device,
    );
    assert.equal(
      await m.indices.toArray(),
      [
        [0, 1, 2, 2],
        [0, 1, 1, 3],
      ],
      device,
    );
    assert.equal(
      await cummax(
        tensor(
          [
            [1, 0],
            [0, 2],
            [1, 1],
          ],
          { device },
        ),
        0,
      ).indices.toArray(),
      [
        [0, 0],
        [0, 1],
        [2, 1],
      ],
    );
  }
});

test('cummax: the gradient goes to the element each running max came from', async () => {
  const x = tensor([1, 3, 2, 4], { dtype: 'f64', requiresGrad: true });
  cummax(x, 0).values.sum().backward();
  assert.equal(Array.from(await x.grad!.data()), [1, 2, 0, 1]);
});

test('logcumsumexp: stable far outside exp range, -inf is the identity', async () => {
  for (const device of DEVICES) {
    const got = await logcumsumexp(tensor([-1000, 0, 1, -Infinity, 1000], { device }), 0).data();
    assertClose(got, [-1000, 0, Math.log(1 + Math.E), Math.log(1 + Math.E), 1000], { atol: 1e-5, msg: device });
    assert.equal(Array.from(await logcumsumexp(tensor([-Infinity, -Infinity], { device }), 0).data()), [
      -Infinity,
      -Infinity,
    ]);
  }
  // the gradient with large values and a negative upstream gradient (torch's sign-split form)
  await gradcheck(
    (x) =>
      logcumsumexp(x, 0)
        .mul(tensor([1, -2, 0.5], { dtype: 'f64' }))
        .sum(),
    [{ shape: [3], values: [30, -20, 31] }],
  );
});

test('median: the lower middle value, NaN wins at its first index; kthvalue and mode', async () => {
  for (const device of DEVICES) {
    const r = median(
      tensor(
        [
          [1, 5, 2, 8],
          [3, NaN, 1, NaN],
        ],
        { device },
      ),
      1,
    );
    assert.equal(Array.from(await r.values.data()), [2, NaN], device);
    assert.equal(Array.from(await r.indices.data()), [2, 1], device);
    assert.is(await median(tensor([4, 1, 3, 2], { device })).item(), 2);
    assert.is(await tensor([4, 1, 3, 2], { device }).median().item(), 2);
    const k = kthvalue(
      tensor(
        [
          [3, 1, 2],
          [9, 7, 8],
        ],
        { device },
      ),
      2,
      1,
    );
    assert.equal(
      [await k.values.toArray(), await k.indices.toArray()],
      [
        [2, 8],
        [2, 2],
      ],
      device,
    );
    // mode: 2 and 3 are both twice in row 0, the smaller wins; the index is its last occurrence
    const mo = mode(
      tensor(
        [
          [1, 2, 2, 3, 3],
          [5, 4, 4, 5, 1],
        ],
        { device },
      ),
      1,
      true,
    );
    assert.equal(
      [await mo.values.toArray(), await mo.indices.toArray()],
      [
        [[2], [4]],
        [[2], [2]],
      ],
      device,
    );
  }
  assertThrows(() => kthvalue(tensor([1, 2]), 3), 'kthvalue', 'k = 3', '1..2');
  assertThrows(() => median(tensor([]), 0), 'median', 'empty');
});

test('quantile: the five interpolations, a list of q, NaN rows', async () => {
  for (const device of DEVICES) {
    const x = tensor(
      [
        [0, 1, 2, 3],
        [4, 5, 6, 10],
      ],
      { device },
    );
    assert.equal(
      await quantile(x, [0.25, 0.5, 1], 1).toArray(),
      [
        [0.75, 4.75],
        [1.5, 5.5],
        [3, 10],
      ],
      device,
    );
    assertClose(await quantile(x, 0.4).data(), [2.8], { atol: 1e-6 }); // sorted all: rank 0.4 * 7 = 2.8
    const want = { linear: 5.8, lower: 5, higher: 6, nearest: 6, midpoint: 5.5 }; // rank 0.6 * 3 = 1.8 in [4, 5, 6, 10]
    for (const [interpolation, v] of Object.entries(want)) {
      const got = quantile(x.narrow(0, 1, 1), 0.6, 1, false, { interpolation: interpolation as 'linear' });
      assertClose(await got.data(), [v], { atol: 1e-6, msg: interpolation });
    }
    assert.equal(Array.from(await quantile(tensor([[1, NaN, 2]], { device }), 0.5, 1).data()), [NaN]);
    assert.equal(quantile(x, 0.5, 1, true).shape, [2, 1]);
  }
  assertThrows(() => quantile(tensor([1, 2]), 1.5), 'quantile', 'q = 1.5', '[0, 1]');
});

test('nansum, countNonzero, varMean', async () => {
  for (const device of DEVICES) {
    assert.is(await nansum(tensor([1, NaN, 2], { device })).item(), 3);
    assert.equal(
      await countNonzero(
        tensor(
          [
            [0, 1],
            [2, 0.5],
          ],
          { device },
        ),
        0,
      ).toArray(),
      [1, 2],
    );
    assert.is(countNonzero(tensor([1, 0], { device })).dtype, 'i32');
    const [v, m] = varMean(tensor([[1, 2, 3, 4]], { device }), 1);
    assertClose(await v.data(), [5 / 3], { atol: 1e-6 });
    assert.equal(Array.from(await m.data()), [2.5]);
    const [v0] = varMean(tensor([[1, 2, 3, 4]], { device }), 1, { correction: 0, keepdim: true });
    assert.equal(await v0.toArray(), [[1.25]]);
  }
});

test.run();
