// Search and counting ops added for issue 10, against the values torch's documentation gives (searchsorted,
// bucketize, histc, bincount, triu/tril_indices) and hand-worked edge cases (infinities and NaN in isclose, the
// data range of histc, the length of bincount), on both backends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  tensor,
  isclose,
  allclose,
  searchsorted,
  bucketize,
  histc,
  bincount,
  triuIndices,
  trilIndices,
  memory,
  linspace,
} from '../../index.js';
import { DEVICES, assertThrows } from '../helpers.js';

const test = suite('ops/counting');

test('isclose / allclose: the tolerance is relative to the second input; infinities equal, NaN only if asked', async () => {
  for (const device of DEVICES) {
    const a = tensor([1, 1.1, Infinity, NaN, -Infinity, 1], { device });
    const b = tensor([1.000001, 1, Infinity, NaN, Infinity, 2e6], { device });
    assert.equal(Array.from(await isclose(a, b).data()), [1, 0, 1, 0, 0, 0], device);
    assert.equal(Array.from(await isclose(a, b, 1e-5, 1e-8, true).data()), [1, 0, 1, 1, 0, 0], device);
    // |1 - 2| <= 0.6 * |2| holds, |2 - 1| <= 0.6 * |1| does not
    assert.equal(
      Array.from(await isclose(tensor([1, 2], { device }), tensor([2, 1], { device }), 0.6, 0).data()),
      [1, 0],
    );
    assert.is(await allclose(a.narrow(0, 0, 1), b.narrow(0, 0, 1)), true);
    assert.is(await a.allclose(b), false);
    assert.is(await allclose(tensor([1, 2], { device }), 1, 1, 0), true);
  }
});

test('searchsorted / bucketize: torch documentation examples', async () => {
  for (const device of DEVICES) {
    const seq = tensor(
      [
        [1, 3, 5, 7, 9],
        [2, 4, 6, 8, 10],
      ],
      { device },
    );
    const v = tensor(
      [
        [3, 6, 9],
        [3, 6, 9],
      ],
      { device },
    );
    assert.equal(
      await searchsorted(seq, v).toArray(),
      [
        [1, 3, 4],
        [1, 2, 4],
      ],
      device,
    );
    assert.equal(
      await searchsorted(seq, v, { right: true }).toArray(),
      [
        [2, 3, 5],
        [1, 3, 4],
      ],
      device,
    );
    assert.equal(await searchsorted(seq.select(0, 0), v.select(0, 0), { side: 'right' }).toArray(), [2, 3, 5]);
    assert.equal(await searchsorted(seq.select(0, 0), 6).toArray(), 3);
    // an unsorted sequence with its sorter
    const shuffled = tensor([9, 1, 5, 3, 7], { device });
    const sorter = tensor([1, 3, 2, 4, 0], { dtype: 'i32', device });
    assert.equal(await searchsorted(shuffled, tensor([3, 6, 9], { device }), { sorter }).toArray(), [1, 3, 4]);
    const boundaries = tensor([1, 3, 5, 7, 9], { device });
    assert.equal(
      await bucketize(v, boundaries).toArray(),
      [
        [1, 3, 4],
        [1, 3, 4],
      ],
      device,
    );
    assert.equal(
      await bucketize(v, boundaries, { right: true }).toArray(),
      [
        [2, 3, 5],
        [2, 3, 5],
      ],
      device,
    );
  }
  // a long sorted sequence with repeats (every value twice), from strided views: the binary search against a count
  const seq = Array.from({ length: 1001 }, (_, i) => Math.floor(i / 2));
  const values = [-3, 0, 0.5, 17, 250, 499.5, 500, 600];
  for (const device of DEVICES) {
    const s2 = tensor([...seq, ...seq], { shape: [2, 1001], device }).select(0, 1);
    const v2 = tensor(
      values.flatMap((v) => [v, 0]),
      { shape: [8, 2], device },
    ).select(1, 0);
    for (const right of [false, true]) {
      const want = values.map((v) => seq.filter((e) => (right ? e <= v : e < v)).length);
      assert.equal(await searchsorted(s2, v2, { right }).toArray(), want, `${device} right=${right}`);
    }
  }
  assertThrows(
    () => searchsorted(tensor([1, 2]), tensor([1]), { right: true, side: 'left' }),
    'searchsorted',
    'contradict',
  );
  assertThrows(() => searchsorted(tensor([[1, 2]]), tensor([1, 2, 3])), 'searchsorted', 'leading dims');
});

test('histc: a fixed range, the data range, a flat range; bincount with weights and minlength', async () => {
  for (const device of DEVICES) {
    assert.equal(Array.from(await histc(tensor([1, 2, 1], { device }), 4, 0, 3).data()), [0, 2, 1, 0], device);
    // data range [1, 5] in 4 bins of width 1: 5 (the max) goes in the last bin
    assert.equal(Array.from(await histc(tensor([1, 2, 2, 5], { device }), 4).data()), [1, 2, 0, 1], device);
    // bins [0, 2) and [2, 4]: 7 and -1 lie outside and are dropped
    assert.equal(Array.from(await histc(tensor([1, 2, 7, -1], { device }), 2, 0, 4).data()), [1, 1], device);
    // every element equal: the range widens to [2, 4]
    assert.equal(Array.from(await histc(tensor([3, 3], { device }), 2).data()), [0, 2], device);
    const x = tensor([4, 3, 6, 3, 4], { dtype: 'i32', device });
    assert.equal(Array.from(await (await bincount(x)).data()), [0, 0, 0, 2, 2, 0, 1], device);
    const w = linspace(0, 1, 5, { device });
    assert.equal(Array.from(await (await x.bincount(w)).data()), [0, 0, 0, 1, 1, 0, 0.5], device);
    assert.equal(
      Array.from(await (await bincount(tensor([1], { dtype: 'i32', device }), null, 4)).data()),
      [0, 1, 0, 0],
    );
    const negative = await bincount(tensor([1, -2], { dtype: 'i32', device })).then(String, (e: Error) => e.message);
    assert.match(negative, 'bincount: input must be non-negative, got -2');
  }
});

test('triuIndices / trilIndices: torch documentation examples', async () => {
  assert.equal(await triuIndices(3, 3).toArray(), [
    [0, 0, 0, 1, 1, 2],
    [0, 1, 2, 1, 2, 2],
  ]);
  assert.equal(await triuIndices(4, 3, 1).toArray(), [
    [0, 0, 1],
    [1, 2, 2],
  ]);
  assert.equal(await trilIndices(4, 3, -1, { device: 'webgpu' }).toArray(), [
    [1, 2, 2, 3, 3, 3],
    [0, 0, 1, 0, 1, 2],
  ]);
  assert.equal(trilIndices(0, 3).shape, [2, 0]);
  assertThrows(() => triuIndices(-1, 3), 'triuIndices', 'row');
});

test('allclose and bincount free their intermediates (no tidy scope can span their await)', async () => {
  for (const device of DEVICES) {
    const x = tensor([4, 3, 6, 3, 4], { dtype: 'i32', device });
    const w = tensor([1, 2, 3, 4, 5], { device });
    const before = memory().tensors;
    await allclose(w, w.add(1e-9));
    const counts = await bincount(x, w);
    assert.is(memory().tensors, before + 2, device); // w.add's result and the counts
    counts.dispose();
  }
});

test.run();
