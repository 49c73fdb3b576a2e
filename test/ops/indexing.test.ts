// Indexing ops (gather, scatterAdd, indexSelect, embedding and its backward, maskedFill, oneHot): known results,
// webgpu against the cpu reference (strided and broadcast indices, repeated indices hitting the atomics, odd,
// empty and multi-workgroup sizes, f16), float64 gradients, and bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  gather, scatterAdd, indexSelect, embedding, embeddingBackward, maskedFill, oneHot, tensor, zeros, randint,
  noGrad, memory, type DeviceName, type DType,
} from '../../index.js';
import { assertThrows, backendsAgree, gradcheck, gradsAgree, gradInput, randomTensor, randomValues, weightedSum } from '../helpers.js';

const test = suite('ops/indexing');

const rt = (shape: number[], dev: DeviceName, seed = 1, dtype: DType = 'f32') => randomTensor(shape, { device: dev, seed, dtype });
/** Integers in [0, high) of `shape`, the same on both backends. */
const idx = (shape: number[], high: number, dev: DeviceName, seed = 7) =>
  tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, 0, high).map(Math.floor), { shape, dtype: 'i32', device: dev });

test('gather and scatterAdd: known values', async () => {
  const x = tensor([[1, 2], [3, 4]]);
  const i = tensor([[0, 0], [1, 0]], { dtype: 'i32' });
  assert.equal(await gather(x, 1, i).toArray(), [[1, 1], [4, 3]]);
  assert.equal(await x.gather(0, i).toArray(), [[1, 2], [3, 2]]);
  const s = scatterAdd(zeros([2, 3]), 1, tensor([[0, 1, 0], [2, 2, 2]], { dtype: 'i32' }), tensor([[1, 2, 3], [4, 5, 6]]));
  assert.equal(await s.toArray(), [[4, 2, 0], [0, 0, 15]]);
});

test('gather: webgpu matches cpu', async () => {
  await backendsAgree((d) => gather(rt([5, 7], d).T, 0, idx([3, 5], 5, d)), 'transposed input, smaller index');
  await backendsAgree((d) => gather(rt([4, 300], d), 1, idx([4, 600], 300, d)), 'several workgroups');
  await backendsAgree((d) => gather(rt([6, 5], d, 2, 'i32'), 0, idx([5, 6], 6, d).T), 'i32, transposed index');
  await backendsAgree((d) => gather(rt([6, 5], d, 2, 'f16'), 1, idx([6, 2], 5, d)), 'f16');
  await backendsAgree((d) => gather(rt([3, 0], d), 1, idx([3, 0], 1, d)), 'empty');
  await backendsAgree((d) => gather(rt([], d), 0, tensor(0, { dtype: 'i32', device: d })), 'zero-dim');
});

test('scatterAdd: webgpu matches cpu with many collisions', async () => {
  // 4000 adds into 5 slots per row: the compare-exchange loop resolves contention
  await backendsAgree((d) => scatterAdd(rt([3, 5], d), 1, idx([3, 4000], 5, d), rt([3, 4000], d, 5)), 'f32 collisions', { atol: 1e-3, rtol: 1e-4 });
  await backendsAgree((d) => scatterAdd(rt([7, 4], d, 1, 'i32'), 0, idx([9, 4], 7, d), rt([9, 4], d, 2, 'i32')), 'i32');
  const u32 = (shape: number[], d: DeviceName, seed: number) => randomTensor(shape, { device: d, seed, dtype: 'u32', lo: 0, hi: 9 });
  await backendsAgree((d) => scatterAdd(u32([7, 4], d, 1), 0, idx([9, 4], 7, d), u32([9, 4], d, 2)), 'u32');
  await backendsAgree((d) => scatterAdd(rt([7, 4], d), 0, idx([2, 3], 7, d), rt([5, 4], d, 2)), 'src larger than index');
  await backendsAgree((d) => scatterAdd(rt([4, 6], d, 1, 'f16'), 1, idx([4, 9], 6, d), rt([4, 9], d, 3, 'f16')), 'f16 through f32', { atol: 2e-3, rtol: 2e-3 });
  await backendsAgree((d) => scatterAdd(rt([5, 4], d).T, 1, idx([4, 3], 5, d), rt([3, 4], d, 2).T.expand([4, 3])), 'strided input, broadcast src');
});

test('indexSelect: known values and webgpu matches cpu', async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(await indexSelect(x, 1, tensor([2, 0, 2], { dtype: 'i32' })).toArray(), [[3, 1, 3], [6, 4, 6]]);
  await backendsAgree((d) => rt([6, 7, 3], d).transpose(0, 2).indexSelect(1, idx([11], 7, d)), 'transposed');
  await backendsAgree((d) => rt([1000, 3], d).indexSelect(0, idx([700], 1000, d).slice(0, 0, 700, 2)), 'strided index');
  await backendsAgree((d) => rt([4, 3], d).indexSelect(0, tensor([], { dtype: 'i32', device: d })), 'empty index');
});

test('embedding and its backward: known values and webgpu matches cpu', async () => {
  const w = tensor([[0, 1], [10, 11], [20, 21]]);
  const ids = tensor([[2, 0], [2, 2]], { dtype: 'i32' });
  assert.equal(await embedding(w, ids).toArray(), [[[20, 21], [0, 1]], [[20, 21], [20, 21]]]);
  assert.equal(await embedding(w, tensor(1, { dtype: 'i32' })).toArray(), [10, 11]);
  const g = tensor([[[1, 1], [2, 2]], [[3, 3], [4, 4]]]);
  assert.equal(await embeddingBackward(g, ids, 4).toArray(), [[2, 2], [0, 0], [8, 8], [0, 0]]);
  assert.equal(await embeddingBackward(g, ids, 3, 2).toArray(), [[2, 2], [0, 0], [0, 0]]);
  await backendsAgree((d) => embedding(rt([50, 9], d), idx([3, 77], 50, d)), 'embedding');
  await backendsAgree((d) => embedding(rt([9, 50], d).T, idx([77, 3], 50, d).T), 'transposed table and ids');
  await backendsAgree((d) => embeddingBackward(rt([4, 300, 8], d), idx([4, 300], 10, d), 10), 'backward, collisions', { atol: 1e-4, rtol: 1e-4 });
  await backendsAgree((d) => embeddingBackward(rt([5, 3], d), idx([5], 4, d), 4, 1), 'backward with paddingIdx');
});

test('embedding backward through autograd is the index-add, paddingIdx gets nothing', async () => {
  for (const device of ['cpu', 'webgpu'] as DeviceName[]) {
    const w = randomTensor([5, 3], { device, requiresGrad: true });
    const ids = tensor([[1, 4, 1], [0, 1, 2]], { dtype: 'i32', device });
    embedding(w, ids, { paddingIdx: -1 }).mul(2).sum().backward();
    assert.equal(await w.grad!.toArray(), [[2, 2, 2], [6, 6, 6], [2, 2, 2], [0, 0, 0], [0, 0, 0]], device);
  }
});

test('maskedFill and oneHot', async () => {
  const x = tensor([[1, 2], [3, 4]]);
  const m = tensor([true, false]);
  assert.equal(await maskedFill(x, m, -1).toArray(), [[-1, 2], [-1, 4]]);
  assert.equal(await x.maskedFill(m, tensor(9)).toArray(), [[9, 2], [9, 4]]);
  const xi = tensor([1, 2, 3], { dtype: 'i32' });
  const filled = xi.maskedFill(tensor([false, true, false]), 7);
  assert.is(filled.dtype, 'i32');
  assert.equal(await filled.toArray(), [1, 7, 3]);
  const y = tensor([1, 2, 3]);
  noGrad(() => y.maskedFill_(tensor([true, false, true]), 0));
  assert.equal(await y.toArray(), [0, 2, 0]);
  await backendsAgree((d) => maskedFill(rt([4, 300], d).T, rt([300, 1], d, 2, 'bool'), 0.5), 'maskedFill broadcast mask');

  assert.equal(await oneHot(tensor([2, 0], { dtype: 'i32' })).toArray(), [[0, 0, 1], [1, 0, 0]]);
  assert.equal(await oneHot(tensor([1], { dtype: 'i32' }), 3).toArray(), [[0, 1, 0]]);
  await backendsAgree((d) => oneHot(idx([3, 70], 13, d).T, 13), 'oneHot transposed');
});

test('gradients (float64, central differences)', async () => {
  const i = tensor([[0, 2, 0, 1], [1, 1, 2, 0]], { dtype: 'i32' });
  await gradcheck((x) => weightedSum(gather(x, 1, i)), [gradInput([2, 3])]);
  await gradcheck((x, s) => weightedSum(scatterAdd(x, 1, i.narrow(1, 0, 3), s)), [gradInput([2, 3]), gradInput([2, 4], 5)]);
  await gradcheck((x) => weightedSum(indexSelect(x, 0, tensor([1, 1, 0], { dtype: 'i32' }))), [gradInput([2, 3])]);
  await gradcheck((w) => weightedSum(embedding(w, i)), [gradInput([3, 2])]);
  await gradcheck((x) => weightedSum(maskedFill(x, tensor([true, false, true]), 2)), [gradInput([2, 3])]);
  // embeddingBackward is linear in its gradient input: its own gradient is an embedding lookup
  await gradcheck((g) => weightedSum(embeddingBackward(g, i, 4, 2)), [gradInput([2, 4, 3])]);
});

test('webgpu gradients match cpu gradients', async () => {
  const i = (d: DeviceName) => idx([4, 500], 7, d);
  await gradsAgree([[7, 500]], (x) => gather(x, 0, i(x.device)), 'gather with repeats');
  await gradsAgree([[4, 500], [4, 500]], (x, s) => scatterAdd(x, 1, i(x.device).T.contiguous().reshape([4, 500]), s), 'scatterAdd');
  await gradsAgree([[9, 3]], (x) => x.indexSelect(0, idx([40], 9, x.device)), 'indexSelect');
  await gradsAgree([[11, 4]], (w) => embedding(w, idx([3, 50], 11, w.device), { paddingIdx: 3 }), 'embedding');
  await gradsAgree([[6, 5]], (x) => maskedFill(x, x.gt(0.5), 1), 'maskedFill');
});

test('no tensors are left behind when no gradient is needed', () => {
  const x = randomTensor([6, 4], { device: 'webgpu' });
  const i = idx([5], 6, 'webgpu');
  const before = memory().tensors;
  for (const r of [indexSelect(x, 0, i), oneHot(i, 6), embedding(x, i), maskedFill(i, i.gt(2), 0)]) r.dispose();
  assert.is(memory().tensors, before + 1, 'only the mask operand of the test remains');
});

test('bad input names the op and what is valid', () => {
  const x = randomTensor([2, 3]);
  const i = tensor([[0, 1]], { dtype: 'i32' });
  assertThrows(() => gather(x, 1, tensor([[0.5]])), 'gather', 'i32 or u32', 'f32');
  assertThrows(() => gather(x, 1, tensor([0], { dtype: 'i32' })), 'gather', 'same number of dims');
  assertThrows(() => gather(x, 1, tensor([[3]], { dtype: 'i32' })), 'gather', 'index 3 is out of range', 'valid: 0..2');
  assertThrows(() => gather(x, 2, i), 'gather', 'dim 2', 'valid');
  assertThrows(() => scatterAdd(x, 1, i, randomTensor([1, 1])), 'scatterAdd', 'do not fit');
  assertThrows(() => scatterAdd(x, 1, i, randomTensor([1, 2], { dtype: 'i32' })), 'scatterAdd', 'dtype');
  assertThrows(() => scatterAdd(x, 0, tensor([[-1, 0]], { dtype: 'i32' }), x), 'scatterAdd', 'index -1', 'valid: 0..1');
  assertThrows(() => indexSelect(x, 0, i), 'indexSelect', '1-D');
  assertThrows(() => embedding(randomTensor([3]), i), 'embedding', '2-D');
  assertThrows(() => embedding(x, tensor([2], { dtype: 'i32' })), 'embedding', 'out of range', 'valid: 0..1');
  assertThrows(() => embedding(x, i, { paddingIdx: 5 }), 'embedding', 'paddingIdx 5', 'valid');
  assertThrows(() => embeddingBackward(randomTensor([3, 2]), i, 4), 'embeddingBackward', '[...indices.shape, dim]');
  assertThrows(() => maskedFill(x, tensor([1, 0, 1]), 0), 'maskedFill', 'bool');
  assertThrows(() => maskedFill(x, tensor([[[true]], [[false]]]), 0), 'maskedFill', 'broadcast');
  assertThrows(() => oneHot(tensor([1, 5], { dtype: 'i32' }), 3), 'oneHot', 'out of range');
  assertThrows(() => oneHot(randint(0, 3, [2], { device: 'webgpu' })), 'oneHot', 'numClasses must be given');
  const gone = tensor([[0]], { dtype: 'i32' });
  gone.dispose();
  assertThrows(() => gather(x, 0, gone), 'gather', 'disposed');
  assertThrows(() => embedding(x, gone), 'embedding', 'disposed');
});

test.run();
