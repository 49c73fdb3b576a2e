// The PyTorch spellings users reach for: shapes as sizes (reshape(3, 2), zeros(2, 3)), the binary form of max/min,
// { values, indices } results that destructure as [values, indices], index lists where index tensors go, and
// tolist(). Each checks the value torch gives for the same call.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  arange,
  embedding,
  gather,
  indexSelect,
  memory,
  ones,
  rand,
  randn,
  scatterAdd,
  sort,
  tensor,
  tidy,
  topk,
  zeros,
} from '../../index.js';
import { assertThrows } from '../helpers.js';

const test = suite('ops/ergonomics');

test('shapes as sizes or as one list: reshape, view, permute, expand, repeat, zeros, ones, rand, randn', async () => {
  const x = arange(6);
  assert.equal(x.reshape(3, 2).shape, [3, 2]);
  assert.equal(x.reshape([3, 2]).shape, [3, 2]);
  assert.equal(x.reshape(-1, 3).shape, [2, 3]);
  assert.equal(x.view(2, 3).shape, [2, 3]);
  const m = x.reshape(2, 3);
  assert.equal(await m.permute(1, 0).toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.equal(await m.permute([1, 0]).toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.equal(tensor([1, 2]).reshape(2, 1).expand(2, 3).shape, [2, 3]);
  assert.equal(await tensor([1, 2]).repeat(2, 2).toArray(), [
    [1, 2, 1, 2],
    [1, 2, 1, 2],
  ]);
  assert.equal(zeros(2, 3).shape, [2, 3]);
  const z = zeros(2, 3, { dtype: 'i32' });
  assert.is(z.dtype, 'i32');
  assert.equal(await z.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.equal(await ones(2).toArray(), [1, 1]);
  assert.equal(ones([2, 2], { dtype: 'f64' }).dtype, 'f64');
  assert.equal(randn(4, 5).shape, [4, 5]);
  assert.equal(await rand(3, { seed: 7 }).data(), await rand([3], { seed: 7 }).data(), 'both spellings draw alike');
  assert.equal(zeros().shape, [], 'no sizes: a 0-d tensor');
  assert.equal(
    await m.flip(0, 1).toArray(),
    [
      [5, 4, 3],
      [2, 1, 0],
    ],
    'flip(0, 1) flips both dims',
  );
  assert.equal(await m.flip([1]).toArray(), [
    [2, 1, 0],
    [5, 4, 3],
  ]);
  // @ts-expect-error: a list and sizes mixed
  assertThrows(() => x.reshape([3], 2), 'reshape', 'one list', 'sizes');
  assertThrows(() => zeros(2, '3' as unknown as number), 'zeros', 'one list');
});

test('max and min with a tensor: the elementwise maximum/minimum (broadcast)', async () => {
  const a = tensor([
    [1, 5],
    [7, 2],
  ]);
  const b = tensor([3, 4]);
  assert.equal(await a.max(b).toArray(), [
    [3, 5],
    [7, 4],
  ]);
  assert.equal(await a.min(b).toArray(), [
    [1, 4],
    [3, 2],
  ]);
  assert.is(await a.max().item(), 7, 'no argument: the largest element');
  assertThrows(() => (a.max as (o: unknown, k: boolean) => unknown)(b, true), 'max', 'keepdim does not apply');
});

test('{ values, indices } results destructure as [values, indices] and survive tidy', async () => {
  const x = tensor([
    [1, 5, 3],
    [9, 2, 4],
  ]);
  const [values, indices] = x.max(1);
  assert.equal(await values.toArray(), [5, 9]);
  assert.equal(await indices.toArray(), [1, 0]);
  const r = x.min(1, true);
  assert.equal(await r.values.toArray(), [[1], [2]]);
  assert.equal(Object.keys(r), ['values', 'indices'], 'only the two tensors are enumerable');
  const [sorted, order] = sort(tensor([3, 1, 2]));
  assert.equal(
    [await sorted.toArray(), await order.toArray()],
    [
      [1, 2, 3],
      [1, 2, 0],
    ],
  );
  const [top, at] = topk(tensor([3, 1, 2]), 2);
  assert.equal(
    [await top.toArray(), await at.toArray()],
    [
      [3, 2],
      [0, 2],
    ],
  );
  const before = memory().tensors;
  const kept = tidy(() => x.mul(2).max(0));
  assert.is(memory().tensors, before + 2, 'tidy keeps both tensors of a returned pair, frees the rest');
  assert.equal(await kept.values.toArray(), [18, 10, 8]);
  for (const t of kept) t.dispose();
});

test('index arguments as JS lists of integers: gather, indexSelect, scatterAdd, embedding', async () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(await x.indexSelect(1, [2, 0]).toArray(), [
    [3, 1],
    [6, 4],
  ]);
  assert.equal(await indexSelect(x, 0, [1, 1]).toArray(), [
    [4, 5, 6],
    [4, 5, 6],
  ]);
  assert.equal(
    await gather(x, 1, [
      [0, 0],
      [2, 1],
    ]).toArray(),
    [
      [1, 1],
      [6, 5],
    ],
  );
  assert.equal(
    await scatterAdd(
      zeros(2, 3),
      1,
      [
        [0, 0],
        [2, 2],
      ],
      ones(2, 2),
    ).toArray(),
    [
      [2, 0, 0],
      [0, 0, 2],
    ],
  );
  assert.equal(await embedding(x, [1, 0]).toArray(), [
    [4, 5, 6],
    [1, 2, 3],
  ]);
  const webgpu = tensor([[1, 2, 3]], { device: 'webgpu' });
  assert.equal(await webgpu.indexSelect(1, [2]).toArray(), [[3]], 'the list goes to the input device');
  // the list's tensor is freed after the call unless the gradient reads it
  const before = memory().tensors;
  const picked = x.indexSelect(1, [0]);
  assert.is(memory().tensors, before + 1);
  picked.dispose();
  const w = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  gather(w, 1, [[1], [0]])
    .sum()
    .backward();
  assert.equal(
    await w.grad!.toArray(),
    [
      [0, 1],
      [1, 0],
    ],
    'gradient through a list index',
  );
  assertThrows(() => x.indexSelect(1, [0.5]), 'indexSelect', 'integers only');
  assertThrows(() => x.indexSelect(1, [7]), 'indexSelect', 'out of range');
});

test('tolist: nested arrays, numbers for 0-d, booleans for bool', async () => {
  assert.equal(
    await tensor([
      [1, 2],
      [3, 4],
    ]).tolist(),
    [
      [1, 2],
      [3, 4],
    ],
  );
  assert.equal(await tensor(2.5).tolist(), 2.5);
  assert.equal(await tensor([1, 0]).gt(0.5).tolist(), [true, false]);
  assert.equal(await tensor([1.5, -2.5]).long().tolist(), [1, -2]);
});

test.run();
