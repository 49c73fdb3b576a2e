// Shape ops (cat, stack, split, chunk, pad, flip, repeat, tril, triu): known small results, webgpu against the cpu
// reference on odd, empty, transposed and multi-workgroup inputs, float64 gradients, and bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  cat, stack, split, chunk, pad, flip, repeat, tril, triu, tensor, tidy, memory, type DeviceName, type DType,
} from '../../index.js';
import { assertThrows, backendsAgree, gradcheck, gradsAgree, gradInput, randomTensor, weightedSum } from '../helpers.js';

const test = suite('ops/shape-ops');

const rt = (shape: number[], dev: DeviceName, seed = 1, dtype: DType = 'f32') => randomTensor(shape, { device: dev, seed, dtype });

test('cat and stack: known values', async () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6]]);
  assert.equal(await cat([a, b]).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(await cat([a, b.T], 1).toArray(), [[1, 2, 5], [3, 4, 6]]);
  assert.equal(await stack([a, a.mul(10)], 1).toArray(), [[[1, 2], [10, 20]], [[3, 4], [30, 40]]]);
  const mixed = cat([tensor([1, 2], { dtype: 'i32' }), tensor([0.5])]);
  assert.is(mixed.dtype, 'f32');
  assert.equal(await mixed.toArray(), [1, 2, 0.5]);
});

test('cat and stack: webgpu matches cpu (odd, empty, transposed, large)', async () => {
  await backendsAgree((d) => cat([rt([3, 5], d, 1), rt([0, 5], d, 2), rt([5, 4], d, 3).T, rt([1, 5], d, 4)], 0), 'cat dim 0');
  await backendsAgree((d) => cat([rt([2, 3, 7], d, 1), rt([2, 3, 1], d, 2), rt([3, 2, 5], d, 3).transpose(0, 1)], -1), 'cat last dim');
  await backendsAgree((d) => cat([rt([700], d, 1), rt([901], d, 2)]), 'cat 1-D, several workgroups');
  await backendsAgree((d) => cat([rt([4], d, 1, 'i32'), rt([3], d, 2, 'bool')]), 'cat i32 with bool');
  await backendsAgree((d) => stack([rt([3, 4], d, 1), rt([4, 3], d, 2).T], 2), 'stack last');
  await backendsAgree((d) => stack([rt([], d, 1), rt([], d, 2)]), 'stack scalars');
});

test('split and chunk are views with torch sizes', async () => {
  const x = tensor([0, 1, 2, 3, 4, 5, 6]);
  assert.equal(await Promise.all(split(x, 3).map((t) => t.toArray())), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.equal(await Promise.all(split(x, [2, 0, 5]).map((t) => t.toArray())), [[0, 1], [], [2, 3, 4, 5, 6]]);
  assert.equal(chunk(x, 3).map((t) => t.shape[0]), [3, 3, 1]);
  assert.equal(chunk(tensor([1, 2, 3, 4, 5, 6]), 4).map((t) => t.shape[0]), [2, 2, 2]);
  const m = randomTensor([4, 6]);
  const parts = m.split(4, 1);
  assert.ok(parts.every((p) => p.storage === m.storage), 'split returns views');
  assert.equal(await parts[1].toArray(), await m.narrow(1, 4, 2).toArray());
});

test('pad: torch order (last dim first), values, negative crop', async () => {
  const x = tensor([[1, 2], [3, 4]]);
  assert.equal(await pad(x, [1, 0]).toArray(), [[0, 1, 2], [0, 3, 4]]);
  assert.equal(await pad(x, [0, 1, 1, 0], -1).toArray(), [[-1, -1, -1], [1, 2, -1], [3, 4, -1]]);
  assert.equal(await pad(x, [-1, 1]).toArray(), [[2, 0], [4, 0]]);
  await backendsAgree((d) => pad(rt([3, 5, 7], d).transpose(0, 2), [2, 3, 0, 1, 1, 1], 0.5), 'pad 3 dims, transposed');
  await backendsAgree((d) => pad(rt([0, 3], d), [1, 1, 2, 0]), 'pad an empty tensor');
  await backendsAgree((d) => pad(rt([300, 2], d, 1, 'i32'), [-1, 2, 0, 5], 7), 'pad i32 with crop');
});

test('flip: known values and webgpu matches cpu', async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(await flip(x, 1).toArray(), [[3, 2, 1], [6, 5, 4]]);
  assert.equal(await x.flip([0, 1]).toArray(), [[6, 5, 4], [3, 2, 1]]);
  await backendsAgree((d) => rt([9, 4, 5], d).transpose(0, 2).flip([0, -1]), 'flip transposed');
  await backendsAgree((d) => rt([1031], d, 5, 'i32').flip(0), 'flip several workgroups');
  await backendsAgree((d) => rt([0, 3], d).flip(1), 'flip empty');
  await backendsAgree((d) => rt([3, 8], d).slice(1, 1, 8, 3).flip(1), 'flip a step slice');
});

test('repeat: known values and webgpu matches cpu', async () => {
  const x = tensor([1, 2, 3]);
  assert.equal(await x.repeat([2]).toArray(), [1, 2, 3, 1, 2, 3]);
  assert.equal(await x.repeat([2, 2]).toArray(), [[1, 2, 3, 1, 2, 3], [1, 2, 3, 1, 2, 3]]);
  const same = x.repeat([1]);
  assert.ok(same.storage !== x.storage, 'repeat always copies');
  await backendsAgree((d) => rt([3, 5], d).T.repeat([2, 1, 3]), 'repeat transposed with a new dim');
  await backendsAgree((d) => rt([2, 3], d).repeat([0, 2]), 'repeat zero times');
});

test('tril and triu: known values, diagonals, batches', async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  assert.equal(await tril(x).toArray(), [[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
  assert.equal(await triu(x, 1).toArray(), [[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
  assert.equal(await x.tril(-1).toArray(), [[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
  for (const diagonal of [-2, 0, 3]) {
    await backendsAgree((d) => rt([3, 6, 5], d).transpose(1, 2).tril(diagonal), `tril ${diagonal}`);
    await backendsAgree((d) => rt([2, 40, 33], d, 4, 'i32').triu(diagonal), `triu ${diagonal}`);
  }
  await backendsAgree((d) => rt([4, 4], d, 1, 'bool').triu(), 'triu bool');
});

test('gradients (float64, central differences)', async () => {
  await gradcheck((a, b) => weightedSum(cat([a, b.T], 1)), [gradInput([2, 3]), gradInput([2, 2], 4)]);
  await gradcheck((a, b) => weightedSum(stack([a, b], 1)), [gradInput([2, 3]), gradInput([2, 3], 4)]);
  await gradcheck((a) => weightedSum(pad(a, [1, -1, 2, 0], 3)), [gradInput([2, 3])]);
  await gradcheck((a) => weightedSum(a.flip([0, 1])), [gradInput([3, 2])]);
  await gradcheck((a) => weightedSum(a.repeat([2, 1, 3])), [gradInput([2, 2])]);
  await gradcheck((a) => weightedSum(a.tril(1).add(a.triu(-1))), [gradInput([3, 4])]);
  await gradcheck((a) => weightedSum(a.split(2, 1)[1]).add(weightedSum(a.chunk(2, 0)[0])), [gradInput([3, 4])]);
});

test('webgpu gradients match cpu gradients', async () => {
  await gradsAgree([[3, 4], [2, 4]], (a, b) => cat([a, b, a]), 'cat');
  await gradsAgree([[3, 4], [3, 4]], (a, b) => stack([a, b.flip(1)], 1), 'stack, flip');
  await gradsAgree([[5, 4]], (a) => pad(a.T, [2, -1, 1, 1]), 'pad');
  await gradsAgree([[2, 3]], (a) => a.repeat([3, 1, 2]), 'repeat');
  await gradsAgree([[4, 5]], (a) => a.tril(1).add(a.triu(2)), 'tril, triu');
});

test('bad input names the op and what is valid', () => {
  const a = randomTensor([2, 3]);
  assertThrows(() => cat([a, randomTensor([2, 4])]), 'cat', 'same shape except in dim 0', '[2, 4]');
  assertThrows(() => cat([]), 'cat', 'non-empty');
  assertThrows(() => cat([a], 2), 'cat', 'dim 2', 'valid');
  assertThrows(() => stack([a, a.T]), 'stack', 'same shape');
  assertThrows(() => split(a, [1, 2]), 'split', 'summing to 2');
  assertThrows(() => chunk(a, 0), 'chunk', 'positive');
  assertThrows(() => pad(a, [1]), 'pad', 'pairs');
  assertThrows(() => pad(a, [-2, -2]), 'pad', 'below zero');
  assertThrows(() => flip(a, [0, 0]), 'flip', 'repeats');
  assertThrows(() => a.repeat([2]), 'repeat', 'at least one per dim');
  assertThrows(() => tril(tensor([1, 2])), 'tril', 'at least 2 dims');
  const gone = randomTensor([2, 2]);
  gone.dispose();
  assertThrows(() => cat([a, gone], 1), 'cat', 'disposed');
  assertThrows(() => gone.flip(0), 'flip', 'disposed');
});

test('intermediates are freed', () => {
  const a = randomTensor([3, 4]);
  const before = memory().tensors;
  tidy(() => { stack([a, a]); repeat(a, [2, 2]); pad(a, [1, 1]); a.split(2, 1); });
  assert.is(memory().tensors, before);
  a.dispose();
});

test.run();
