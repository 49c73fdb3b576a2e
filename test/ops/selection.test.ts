// nonzero, maskedSelect and unique (async: their length is read back) on known values, as torch gives them, on
// both backends; maskedSelect's gradient (each selected element gets its weight, the others 0); the unsupported unique(dim) raises.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, nonzero, maskedSelect, unique, memory } from '../../index.js';
import { DEVICES } from '../helpers.js';

const test = suite('ops/selection');

test('nonzero: row-major coordinates, as a matrix or one tensor per dim', async () => {
  for (const device of DEVICES) {
    const x = tensor(
      [
        [0, 1.5, 0],
        [2, 0, -1],
      ],
      { device },
    );
    assert.equal(
      await (await nonzero(x)).toArray(),
      [
        [0, 1],
        [1, 0],
        [1, 2],
      ],
      device,
    );
    const [rows, cols] = await x.nonzero({ asTuple: true });
    assert.equal(
      [await rows.toArray(), await cols.toArray()],
      [
        [0, 1, 1],
        [1, 0, 2],
      ],
      device,
    );
    assert.equal((await nonzero(tensor([0, 0], { device }))).shape, [0, 1]);
    assert.equal((await nonzero(tensor(3, { device }))).shape, [1, 0]);
  }
});

test('maskedSelect: the selected elements in order, mask broadcast; the gradient returns to them', async () => {
  for (const device of DEVICES) {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { device },
    );
    const diagonal = tensor(
      [
        [true, false],
        [false, true],
      ],
      { dtype: 'bool', device },
    );
    assert.equal(await (await maskedSelect(x, diagonal)).toArray(), [1, 4], device);
    assert.equal(await (await x.maskedSelect(tensor([false, true], { dtype: 'bool', device }))).toArray(), [2, 4]);
    assert.equal((await maskedSelect(x, tensor([false, false], { dtype: 'bool', device }))).shape, [0]);
  }
  const mask = tensor(
    [
      [true, false, true],
      [false, true, true],
    ],
    { dtype: 'bool' },
  );
  const w = tensor([1, -2, 3, 0.5], { dtype: 'f64' });
  const picked = await maskedSelect(tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: 'f64' }), mask);
  assert.equal(await picked.toArray(), [1, 3, 5, 6]);
  const x = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: 'f64', requiresGrad: true });
  (await maskedSelect(x, mask)).mul(w).sum().backward();
  assert.equal(await x.grad!.toArray(), [
    [1, 0, -2],
    [0, 3, 0.5],
  ]);
});

test('unique: sorted values, inverse and counts; bool and empty inputs', async () => {
  for (const device of DEVICES) {
    const x = tensor(
      [
        [2, 1, 2],
        [3, 1, 1],
      ],
      { dtype: 'i32', device },
    );
    assert.equal(await (await unique(x)).toArray(), [1, 2, 3], device);
    const [values, inverse, counts] = (await x.unique({ returnInverse: true, returnCounts: true })) as (typeof x)[];
    assert.equal(await values.toArray(), [1, 2, 3], device);
    assert.equal(
      await inverse.toArray(),
      [
        [1, 0, 1],
        [2, 0, 0],
      ],
      device,
    );
    assert.equal(await counts.toArray(), [3, 2, 1], device);
    const [, only] = (await unique(tensor([0.5, -1, 0.5], { device }), { returnCounts: true })) as (typeof x)[];
    assert.equal(await only.toArray(), [1, 2]);
    const bools = await unique(tensor([true, true], { dtype: 'bool', device }));
    assert.equal([bools.dtype, await bools.toArray()], ['bool', [true]]);
    assert.equal((await unique(tensor([], { device }))).shape, [0]);
  }
  const message = await unique(tensor([1, 2]), { dim: 0 }).then(String, (e: Error) => e.message);
  assert.match(message, 'unique: dim is not supported');
});

test('the async ops free their intermediates (no tidy scope can span their await)', async () => {
  for (const device of DEVICES) {
    const x = tensor(
      [
        [0, 1.5, 0],
        [2, 0, 1.5],
      ],
      { device },
    );
    const mask = x.ne(0);
    const before = memory().tensors;
    const outs = [
      await nonzero(x),
      await maskedSelect(x, mask),
      ...((await unique(x, { returnInverse: true, returnCounts: true })) as (typeof x)[]),
    ];
    assert.is(memory().tensors, before + outs.length, device);
    for (const o of outs) o.dispose();
  }
});

test.run();
