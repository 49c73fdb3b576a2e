// sort / argsort / topk, cumsum / cumprod, multinomial / randperm: known results (stable ties, NaN placement),
// webgpu against the cpu reference for rows inside one block and rows that spill to the global bitonic passes,
// strided and empty inputs, float64 gradients (cumprod with zeros), seeded sampling equal on both backends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  sort, argsort, topk, cumsum, cumprod, multinomial, randperm, tensor, executorStats, memory, type DeviceName, type DType,
} from '../../index.js';
import { assertClose, assertThrows, backendsAgree, gradcheck, gradsAgree, randomTensor, randomValues, weightedSum } from '../helpers.js';

const test = suite('ops/sort-scan');

/** Values with many ties (a few distinct levels), so a wrong tie-break shows. */
const ties = (shape: number[], dev: DeviceName, seed = 1, dtype: DType = 'f32') =>
  tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, 0, 6).map(Math.floor), { shape, dtype, device: dev });
const rt = (shape: number[], dev: DeviceName, seed = 1, dtype: DType = 'f32') => randomTensor(shape, { device: dev, seed, dtype });

test('sort: known values, stable ties, NaN largest', async () => {
  const x = tensor([3, 1, NaN, 1, -0, 0, -Infinity]);
  const up = sort(x);
  assert.equal(Array.from(await up.indices.data()), [6, 4, 5, 1, 3, 0, 2]);
  assert.equal(Array.from(await up.values.data()), [-Infinity, -0, 0, 1, 1, 3, NaN]);
  const down = x.sort(0, true);
  assert.equal(Array.from(await down.indices.data()), [2, 0, 1, 3, 4, 5, 6]);
  assert.equal(await argsort(tensor([[2, 1, 2], [0, 0, -1]], { dtype: 'i32' }), 1).toArray(), [[1, 0, 2], [2, 0, 1]]);
  const t = topk(tensor([1, 5, 2, 5, 3]), 3);
  assert.equal(await t.values.toArray(), [5, 5, 3]);
  assert.equal(await t.indices.toArray(), [1, 3, 4]);
  assert.equal(await topk(tensor([4, 1, 3]), 2, 0, false).indices.toArray(), [1, 2]);
});

test('argsort: webgpu matches cpu, inside one block and across blocks', async () => {
  for (const descending of [false, true]) {
    await backendsAgree((d) => argsort(ties([5, 37], d), -1, descending), `short rows packed per block ${descending}`);
    await backendsAgree((d) => argsort(ties([3, 1024], d, 2), 1, descending), `rows of exactly one block ${descending}`);
    await backendsAgree((d) => argsort(ties([2, 5000], d, 3), 1, descending), `rows of 5000: global passes ${descending}`);
  }
  await backendsAgree((d) => argsort(rt([9, 4, 6], d).transpose(0, 2), 1), 'middle dim of a transposed view');
  await backendsAgree((d) => argsort(ties([300, 7], d, 4, 'i32'), 0, true), 'i32 along dim 0');
  await backendsAgree((d) => argsort(ties([40], d, 5, 'u32')), 'u32');
  await backendsAgree((d) => argsort(ties([33], d, 6, 'f16'), 0, true), 'f16');
  await backendsAgree((d) => argsort(rt([20], d, 7, 'bool')), 'bool');
  await backendsAgree((d) => argsort(tensor([NaN, 1, -Infinity, NaN, Infinity, -0, 0], { device: d }), 0, true), 'NaN and infinities');
  await backendsAgree((d) => argsort(rt([4, 0], d), 1), 'empty');
  await backendsAgree((d) => argsort(rt([], d)), 'zero-dim');
  await backendsAgree((d) => sort(rt([6, 1500], d), -1, true).values, 'sorted values');
  await backendsAgree((d) => topk(rt([3, 2100], d, 8), 17, 1).values, 'topk values of long rows');
});

test('argsort keeps dispatches few', async () => {
  const x = rt([4, 5000], 'webgpu');
  const before = executorStats().dispatches;
  argsort(x, 1);
  // 8192 = 2^13: one block sort, then for stages 2^11..2^13 the global steps (1 + 2 + 3) and a block merge each
  assert.is(executorStats().dispatches - before, 1 + 6 + 3);
  const y = rt([100, 1000], 'webgpu');
  const small = executorStats().dispatches;
  argsort(y, 1);
  assert.is(executorStats().dispatches - small, 1, 'rows within a block: one dispatch');
});

test('cumsum and cumprod: known values and webgpu matches cpu', async () => {
  assert.equal(await cumsum(tensor([[1, 2, 3], [4, 5, 6]]), 1).toArray(), [[1, 3, 6], [4, 9, 15]]);
  assert.equal(await tensor([[1, 2, 3], [4, 5, 6]]).cumprod(0).toArray(), [[1, 2, 3], [4, 10, 18]]);
  const b = cumsum(tensor([true, true, false, true]), 0);
  assert.is(b.dtype, 'i32');
  assert.equal(await b.toArray(), [1, 2, 2, 3]);
  // rows up to 256 long scan one per thread, longer ones one per workgroup
  await backendsAgree((d) => cumsum(rt([7, 300], d), 1), 'cumsum, a workgroup per row', { atol: 1e-4, rtol: 1e-4 });
  await backendsAgree((d) => cumsum(rt([3000, 5], d), 1), 'cumsum, many short rows', { atol: 1e-5, rtol: 1e-5 });
  await backendsAgree((d) => cumprod(randomTensor([3, 700], { device: d, lo: 0.98, hi: 1.02 }), 1).slice(1, 0, 700, 7), 'cumprod, a workgroup per row', { atol: 1e-4, rtol: 1e-4 });
  await backendsAgree((d) => cumsum(rt([600, 3], d, 9).T, 1), 'reverse-strided long rows', { atol: 1e-4, rtol: 1e-4 });
  await backendsAgree((d) => cumsum(rt([20000], d, 2), 0), 'one long row', { atol: 2e-3, rtol: 1e-4 });
  await backendsAgree((d) => cumsum(rt([5, 6, 7], d, 3).transpose(0, 2), 1), 'transposed view', { atol: 1e-5, rtol: 1e-5 });
  await backendsAgree((d) => cumsum(rt([9, 13], d, 4, 'i32'), 0), 'i32');
  await backendsAgree((d) => cumsum(rt([40], d, 4, 'f16'), 0), 'f16', { atol: 2e-2, rtol: 4e-3 });
  await backendsAgree((d) => cumprod(rt([6, 33], d, 5, 'f32'), 1), 'cumprod', { atol: 1e-5, rtol: 1e-4 });
  await backendsAgree((d) => cumprod(ties([4, 9], d, 6, 'i32'), 1), 'cumprod i32');
  await backendsAgree((d) => cumsum(rt([0, 3], d), 0), 'empty');
  await backendsAgree((d) => cumsum(rt([], d), 0), 'zero-dim');
});

test('gradients (float64), cumprod exact with zeros', async () => {
  const given = (values: number[], shape: number[]) => ({ shape, values });
  await gradcheck((x) => weightedSum(cumsum(x, 1)), [given(randomValues(8, 3), [2, 4])]);
  await gradcheck((x) => weightedSum(cumsum(x.T, 0)), [given(randomValues(8, 4), [2, 4])]);
  await gradcheck((x) => weightedSum(cumprod(x, 1)), [given(randomValues(10, 5), [2, 5])]);
  // rows with no zero, one zero, two zeros, a zero first and a zero last
  const zeros = [1.5, 0, -2, 0.5, 0, 0.7, 1.2, -0.8, 0, 2, 0, 1.1, 0.9, -1.3, 0.6];
  await gradcheck((x) => weightedSum(cumprod(x, 1)), [given(zeros, [3, 5])]);
  await gradcheck((x) => weightedSum(sort(x, 1, true).values), [given(randomValues(12, 6), [3, 4])]);
  await gradcheck((x) => weightedSum(topk(x, 2, 0).values), [given(randomValues(12, 7), [4, 3])]);
});

test('multinomial and randperm: seeded, equal on both backends, correct frequencies', async () => {
  // probabilities that are binary fractions keep the running sums exact on both backends
  const probs = [[0.5, 0.25, 0, 0.25], [0, 0, 1, 0]];
  await backendsAgree((d) => multinomial(tensor(probs, { device: d }), 400, { replacement: true, seed: 11 }), 'with replacement');
  await backendsAgree((d) => multinomial(tensor([1, 2, 4, 8, 16], { device: d }), 5, { seed: 12 }), 'without replacement');
  await backendsAgree((d) => randperm(2000, { device: d, seed: 13 }), 'randperm');

  const draws = Array.from(await multinomial(tensor(probs), 4000, { replacement: true, seed: 3 }).data());
  const first = draws.slice(0, 4000);
  const freq = [0, 1, 2, 3].map((c) => first.filter((v) => v === c).length / 4000);
  assertClose(freq, [0.5, 0.25, 0, 0.25], { atol: 0.03, msg: 'frequencies with replacement' });
  assert.ok(draws.slice(4000).every((v) => v === 2), 'a one-hot row always draws its category');

  const firstPicks = new Array<number>(3).fill(0);
  for (let s = 0; s < 400; s++) {
    const row = Array.from(await multinomial(tensor([1, 1, 2]), 3, { seed: 100 + s }).data());
    assert.equal([...row].sort(), [0, 1, 2], 'without replacement: each category once');
    firstPicks[row[0]]++;
  }
  assertClose(firstPicks.map((n) => n / 400), [0.25, 0.25, 0.5], { atol: 0.07, msg: 'first draw without replacement' });

  const perm = Array.from(await randperm(1000, { seed: 5 }).data());
  assert.equal([...perm].sort((a, b) => a - b), [...Array(1000).keys()]);
  assert.not.equal(perm, [...Array(1000).keys()]);
});

test('webgpu gradients match cpu gradients', async () => {
  await gradsAgree([[3, 300]], (x) => cumsum(x, 1), 'cumsum, reverse scan per workgroup');
  await gradsAgree([[40, 6]], (x) => cumsum(x.T, 0), 'cumsum, reverse scan per thread');
  await gradsAgree([[4, 6]], (x) => cumprod(x.mul(x.gt(1)), 1), 'cumprod with zeros');
  await gradsAgree([[5, 1100]], (x) => sort(x, 1).values, 'sort');
  await gradsAgree([[30, 4]], (x) => topk(x, 5, 0, false).values, 'topk');
});

test('no tensors are left behind by the composites', () => {
  const x = randomTensor([3, 40], { device: 'webgpu' });
  const p = x.abs();
  const before = memory().tensors;
  for (const r of [randperm(50, { device: 'webgpu' }), multinomial(p, 5), multinomial(p, 5, { replacement: true })]) r.dispose();
  const { values, indices } = topk(x, 3);
  values.dispose();
  indices.dispose();
  assert.is(memory().tensors, before);
});

test('bad input names the op and what is valid', () => {
  const x = randomTensor([2, 3]);
  assertThrows(() => sort(x, 2), 'sort', 'dim 2', 'valid');
  assertThrows(() => topk(x, 4), 'topk', 'k = 4', 'valid: 0..3');
  assertThrows(() => cumsum(x, -3), 'cumsum', 'dim -3', 'valid');
  assertThrows(() => multinomial(tensor([[[1]]]), 1), 'multinomial', '1-D or 2-D');
  assertThrows(() => multinomial(tensor([1, -1]), 1), 'multinomial', 'non-negative');
  assertThrows(() => multinomial(tensor([0, 0]), 1), 'multinomial', 'sums to 0');
  assertThrows(() => multinomial(tensor([1, 0, 1]), 3), 'multinomial', 'without replacement', 'non-zero');
  assertThrows(() => multinomial(tensor([1, 1]), 3), 'multinomial', '3 samples', '2 categories');
  assertThrows(() => multinomial(tensor([1, 1]), 0), 'multinomial', 'positive integer');
  assertThrows(() => randperm(-1), 'randperm', 'non-negative');
  const gone = randomTensor([3]);
  gone.dispose();
  assertThrows(() => argsort(gone), 'argsort', 'disposed');
  assertThrows(() => cumprod(gone, 0), 'cumprod', 'disposed');
});

test.run();
