// roll, diag/diagonal/trace, movedim/swapaxes, t/mT, tile, repeatInterleave, meshgrid, unbind: known small results
// (the values torch gives for the same calls) and bad input. The registry suite covers webgpu-vs-cpu and gradients.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  arange,
  diag,
  diagonal,
  meshgrid,
  movedim,
  repeatInterleave,
  roll,
  tensor,
  tile,
  trace,
  unbind,
} from '../../index.js';
import { assertThrows } from '../helpers.js';

const test = suite('ops/shape-extra');

const m23 = () =>
  tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

test('roll: torch.roll values, flattened without dims, negative shifts', async () => {
  assert.equal(await roll(tensor([1, 2, 3, 4, 5]), 2).toArray(), [4, 5, 1, 2, 3]);
  assert.equal(await roll(tensor([1, 2, 3, 4, 5]), -1).toArray(), [2, 3, 4, 5, 1]);
  assert.equal(await roll(m23(), 1).toArray(), [
    [6, 1, 2],
    [3, 4, 5],
  ]); // flattened, as torch.roll(x, 1)
  assert.equal(await roll(m23(), 1, 1).toArray(), [
    [3, 1, 2],
    [6, 4, 5],
  ]);
  assert.equal(await roll(m23(), [1, -1], [0, 1]).toArray(), [
    [5, 6, 4],
    [2, 3, 1],
  ]);
  assertThrows(() => roll(m23(), [1, 2], 0), 'roll', 'same length');
});

test('diag, diagonal and trace: torch values, offsets both ways', async () => {
  assert.equal(await diag(tensor([1, 2])).toArray(), [
    [1, 0],
    [0, 2],
  ]);
  assert.equal(await diag(tensor([1, 2]), 1).toArray(), [
    [0, 1, 0],
    [0, 0, 2],
    [0, 0, 0],
  ]);
  assert.equal(await diag(tensor([1, 2]), -1).toArray(), [
    [0, 0, 0],
    [1, 0, 0],
    [0, 2, 0],
  ]);
  assert.equal(await diag(m23()).toArray(), [1, 5]);
  assert.equal(await diag(m23(), 1).toArray(), [2, 6]);
  assert.equal(await diag(m23(), -1).toArray(), [4]);
  assert.equal(await diagonal(m23(), 2).toArray(), [3]);
  assert.equal(await diagonal(m23(), 3).toArray(), []);
  const x = arange(24).reshape([2, 3, 4]);
  // torch.diagonal(torch.arange(24).reshape(2, 3, 4), 0, 1, 2) = [[0, 5, 10], [12, 17, 22]]
  assert.equal(await diagonal(x, 0, 1, 2).toArray(), [
    [0, 5, 10],
    [12, 17, 22],
  ]);
  // dims (0, 2): the diagonal goes last, dim 1 stays first: [[0, 13], [4, 17], [8, 21]]
  assert.equal(await diagonal(x, 0, 0, 2).toArray(), [
    [0, 13],
    [4, 17],
    [8, 21],
  ]);
  assert.is(await trace(m23()).item(), 6);
  assertThrows(() => trace(arange(8).reshape([2, 2, 2])), 'trace', '2-D');
  assertThrows(() => diag(arange(8).reshape([2, 2, 2])), 'diag', '1-D');
  assertThrows(() => diagonal(m23(), 0, 1, -1), 'diagonal', 'must differ');
});

test('diagonal backward puts the gradient on the diagonal only', async () => {
  const x = tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { requiresGrad: true },
  );
  diagonal(x, 1)
    .mul(tensor([10, 20]))
    .sum()
    .backward();
  assert.equal(await x.grad!.toArray(), [
    [0, 10, 0],
    [0, 0, 20],
  ]);
});

test('movedim, swapaxes, t and mT: shapes and values as in torch', async () => {
  const x = arange(24).reshape([2, 3, 4]);
  assert.equal(movedim(x, 0, 2).shape, [3, 4, 2]);
  assert.equal(movedim(x, [0, 1], [2, 0]).shape, [3, 4, 2]);
  assert.equal(movedim(x, -1, 0).shape, [4, 2, 3]);
  assert.equal(await movedim(x, 2, 0).select(0, 1).toArray(), [
    [1, 5, 9],
    [13, 17, 21],
  ]);
  assert.equal(x.swapaxes(0, 2).shape, [4, 3, 2]);
  assert.equal(await m23().t().toArray(), [
    [1, 4],
    [2, 5],
    [3, 6],
  ]);
  assert.equal(await tensor([1, 2]).t().toArray(), [1, 2]);
  assert.equal(x.mT.shape, [2, 4, 3]);
  assert.equal(await x.mT.select(0, 0).select(0, 1).toArray(), [1, 5, 9]);
  assertThrows(() => x.t(), 't', 'mT');
  assertThrows(() => tensor([1, 2]).mT, 'mT', '2 dims');
  assertThrows(() => movedim(x, [0, 1], [0]), 'movedim', 'same number');
});

test('tile and repeatInterleave: torch values', async () => {
  assert.equal(await tile(tensor([1, 2]), [2]).toArray(), [1, 2, 1, 2]);
  assert.equal(await tile(tensor([[1, 2]]), [2]).toArray(), [[1, 2, 1, 2]]); // dims padded with leading 1s
  assert.equal(await tile(tensor([1, 2]), [2, 2]).toArray(), [
    [1, 2, 1, 2],
    [1, 2, 1, 2],
  ]);
  assert.equal(
    await tensor([1, 2]).tile(2, 1).toArray(),
    [
      [1, 2],
      [1, 2],
    ],
    'reps as sizes',
  );
  assert.equal(await repeatInterleave(tensor([1, 2, 3]), 2).toArray(), [1, 1, 2, 2, 3, 3]);
  assert.equal(
    await repeatInterleave(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      2,
    ).toArray(),
    [1, 1, 2, 2, 3, 3, 4, 4],
  );
  assert.equal(
    await repeatInterleave(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      3,
      0,
    ).toArray(),
    [
      [1, 2],
      [1, 2],
      [1, 2],
      [3, 4],
      [3, 4],
      [3, 4],
    ],
  );
  assert.equal(
    await repeatInterleave(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      [1, 2],
      0,
    ).toArray(),
    [
      [1, 2],
      [3, 4],
      [3, 4],
    ],
  );
  assert.equal(
    await repeatInterleave(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([0, 2], { dtype: 'i32' }),
      1,
    ).toArray(),
    [
      [2, 2],
      [4, 4],
    ],
  );
  const x = tensor([5, 6]);
  const same = repeatInterleave(x, 1);
  assert.ok(same.storage !== x.storage, 'repeats = 1 still copies');
  assertThrows(() => repeatInterleave(tensor([1, 2]), [1, 2, 3], 0), 'repeatInterleave', '2 non-negative integers');
  assertThrows(() => repeatInterleave(tensor([1, 2]), -1), 'repeatInterleave', 'non-negative');
});

test("meshgrid: 'ij' and 'xy' indexing as torch.meshgrid", async () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([4, 5]);
  const [ai, bi] = meshgrid(a, b, { indexing: 'ij' });
  assert.equal(await ai.toArray(), [
    [1, 1],
    [2, 2],
    [3, 3],
  ]);
  assert.equal(await bi.toArray(), [
    [4, 5],
    [4, 5],
    [4, 5],
  ]);
  const [ax, bx] = meshgrid([a, b], { indexing: 'xy' });
  assert.equal(await ax.toArray(), [
    [1, 2, 3],
    [1, 2, 3],
  ]);
  assert.equal(await bx.toArray(), [
    [4, 4, 4],
    [5, 5, 5],
  ]);
  assert.equal(meshgrid(a, b, tensor([7, 8, 9, 10]), { indexing: 'xy' })[2].shape, [2, 3, 4]);
  assert.equal(meshgrid(a, b)[0].shape, [3, 2], 'default ij');
  assertThrows(() => meshgrid(a, b, { indexing: 'yx' as 'xy' }), 'meshgrid', "'ij' or 'xy'");
  assertThrows(() => meshgrid(m23()), 'meshgrid', '1-D');
});

test('unbind: slices without the dim', async () => {
  const parts = unbind(m23(), 1);
  assert.is(parts.length, 3);
  assert.equal(await parts[2].toArray(), [3, 6]);
  assert.equal(await Promise.all(unbind(m23()).map((p) => p.toArray())), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
});

test.run();
