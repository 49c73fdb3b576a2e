// View ops: shapes, strides and offsets over shared storage (no copy), the copy fallback of reshape, errors,
// and their backward rules; every case read back on both devices.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { arange, memory, noGrad, tensor, type Tensor } from '../../index.js';
import { assertThrows, gradcheck } from '../helpers.js';

const test = suite('ops/views');
const DEVICES = ['cpu', 'webgpu'] as const;
/** 0..n-1 as f32, shaped. */
const iota = (shape: number[], device: 'cpu' | 'webgpu') => arange(shape.reduce((a, b) => a * b, 1), undefined, 1, { dtype: 'f32', device }).reshape(shape);

test('reshape and view share storage; -1 is inferred; the result reads back in row-major order', async () => {
  for (const device of DEVICES) {
    const x = iota([2, 3, 4], device);
    const r = x.reshape([4, -1]);
    assert.equal([...r.shape], [4, 6]);
    assert.is(r.storage, x.storage, 'a view, not a copy');
    assert.equal(await x.view([6, 4]).toArray(), await x.reshape([6, 4]).toArray());
    assert.equal(await x.reshape([-1]).toArray(), [...Array(24).keys()], device);
    assert.equal([...tensor([7], { device }).reshape([]).shape], [], 'one element reshapes to 0-d');
  }
});

test('reshape of a non-contiguous tensor copies when no view exists, view refuses', async () => {
  for (const device of DEVICES) {
    const t = iota([3, 4], device).T; // [4, 3], strides [1, 4]
    const before = memory().tensors;
    const r = t.reshape([12]);
    assert.is(memory().tensors, before + 1, 'only the result is left alive (the intermediate copy is released)');
    assert.is.not(r.storage, t.storage);
    assert.equal(await r.toArray(), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], device);
    assertThrows(() => t.view([12]), 'view:', '[12]', 'strides', 'use reshape()');
    const split = t.reshape([2, 2, 3]); // splitting the non-contiguous outer dim is still a view
    assert.is(split.storage, t.storage);
    assert.equal(await split.toArray(), [[[0, 4, 8], [1, 5, 9]], [[2, 6, 10], [3, 7, 11]]], device);
  }
});

test('reshape errors name the op, the shape and the input', () => {
  const x = tensor([1, 2, 3, 4, 5, 6]);
  assertThrows(() => x.reshape([4, -1]), 'reshape:', '[4, -1]', '[6] f32', '6 elements');
  assertThrows(() => x.reshape([-1, -1]), 'reshape:', 'at most one -1');
  assertThrows(() => x.reshape([5]), 'reshape:', '[5]');
  assertThrows(() => x.view([2.5, 2]), 'view:', 'non-negative integers');
});

test('permute, transpose, T, expand, squeeze, unsqueeze, flatten, unflatten', async () => {
  for (const device of DEVICES) {
    const x = iota([2, 3, 4], device);
    const p = x.permute([2, 0, 1]);
    assert.equal([...p.shape], [4, 2, 3]);
    assert.equal([...p.strides], [1, 12, 4]);
    assert.equal((await p.toArray() as number[][][])[1][1], [13, 17, 21], device);
    assert.equal(await x.transpose(0, 2).contiguous().reshape([-1]).slice(0, 0, 4).toArray(), [0, 12, 4, 16], device);
    assert.equal(await iota([2, 3], device).T.toArray(), [[0, 3], [1, 4], [2, 5]], device);
    const e = tensor([[1], [2]], { device }).expand([2, 2, 3]);
    assert.equal([...e.strides], [0, 1, 0]);
    assert.equal(await e.toArray(), [[[1, 1, 1], [2, 2, 2]], [[1, 1, 1], [2, 2, 2]]], device);
    assert.equal([...tensor([[1, 2]], { device }).expand([-1, 2]).shape], [1, 2]);
    const s = iota([1, 3, 1], device);
    assert.equal([...s.squeeze().shape], [3]);
    assert.equal([...s.squeeze(2).shape], [1, 3]);
    assert.equal([...s.squeeze([0, 1]).shape], [3, 1], 'a dim that is not 1 stays');
    assert.equal([...s.unsqueeze(-1).shape], [1, 3, 1, 1]);
    assert.equal([...x.unsqueeze(1).shape], [2, 1, 3, 4]);
    assert.equal([...x.flatten(1).shape], [2, 12]);
    assert.equal([...x.flatten().shape], [24]);
    assert.equal([...tensor(5, { device }).flatten().shape], [1]);
    assert.equal([...x.unflatten(2, [2, 2]).shape], [2, 3, 2, 2]);
    for (const v of [p, e, s.squeeze(), x.flatten(1)]) assert.is(v.storage.device, device);
  }
});

test('slice with steps and negative bounds, narrow, select: offsets and strides', async () => {
  for (const device of DEVICES) {
    const x = iota([4, 10], device);
    const s = x.slice(1, 1, -1, 3);
    assert.equal([...s.shape], [4, 3]);
    assert.equal([...s.strides], [10, 3]);
    assert.is(s.offset, 1);
    assert.equal(await s.toArray(), [[1, 4, 7], [11, 14, 17], [21, 24, 27], [31, 34, 37]], device);
    assert.equal([...x.slice(0, 3, 1).shape], [0, 10], 'end before start is empty');
    assert.equal([...x.slice(1, -100, 100).shape], [4, 10], 'bounds clamp as in Python');
    assert.equal(await x.narrow(0, -2, 1).toArray(), [[20, 21, 22, 23, 24, 25, 26, 27, 28, 29]], device);
    assert.equal(await x.select(1, -1).toArray(), [9, 19, 29, 39], device);
    assert.equal(await x.select(0, 2).slice(0, 0, 10, 4).toArray(), [20, 24, 28], device);
  }
  const x = tensor([[1, 2], [3, 4]]);
  assertThrows(() => x.slice(1, 0, 2, 0), 'slice:', 'step', 'positive integer');
  assertThrows(() => x.slice(2), 'slice:', 'dim 2', '-2..1');
  assertThrows(() => x.narrow(0, 1, 2), 'narrow:', 'outside dim 0 of size 2');
  assertThrows(() => x.select(1, 2), 'select:', 'index 2', 'size 2');
  assertThrows(() => x.permute([0, 0]), 'permute:', 'permutation', '[2, 2] f32');
  assertThrows(() => x.expand([3, 2]), 'expand:', '[3, 2]', 'size 2 is not 1');
  assertThrows(() => x.expand([2]), 'expand:', 'fewer dims');
  assertThrows(() => x.flatten(1, 0), 'flatten:', 'startDim');
});

test('views share storage: writes through a view are seen by the base and by other views', async () => {
  for (const device of DEVICES) {
    const x = iota([3, 4], device);
    noGrad(() => x.T.select(0, 1).fill_(-1)); // column 1
    x.slice(0, 2).slice(1, 0, 4, 2).add_(100); // row 2, even columns
    assert.equal(await x.toArray(), [[0, -1, 2, 3], [4, -1, 6, 7], [108, -1, 110, 11]], device);
    assert.ok(x.storage.version >= 2, 'in-place writes bump the shared version');
  }
});

test('contiguous copies only when needed; clone always copies; detach shares', () => {
  const x = iota([3, 4], 'cpu');
  assert.is(x.contiguous(), x);
  assert.is.not(x.T.contiguous().storage, x.storage);
  assert.ok(x.T.contiguous().isContiguous());
  assert.is.not(x.clone().storage, x.storage);
  const w = tensor([1, 2], { requiresGrad: true });
  const d = w.detach();
  assert.is(d.storage, w.storage);
  assert.is(d.requiresGrad, false);
});

test('backward of every view op matches finite differences', async () => {
  const x = { shape: [2, 3, 4], values: Array.from({ length: 24 }, (_, i) => Math.cos(i)) };
  const w = (t: Tensor) => t.mul(tensor(Array.from({ length: t.numel }, (_, i) => i + 1), { shape: [...t.shape], dtype: t.dtype })).sum();
  const views: [string, (t: Tensor) => Tensor][] = [
    ['reshape', (t) => t.reshape([4, 6])], ['reshape copy', (t) => t.transpose(0, 2).reshape([-1])],
    ['view', (t) => t.view([6, 4])], ['permute', (t) => t.permute([1, 2, 0])], ['transpose', (t) => t.transpose(-1, 0)],
    ['expand', (t) => t.unsqueeze(0).expand([3, 2, 3, 4])], ['expand a size-1 dim', (t) => t.slice(1, 0, 1).expand([2, 5, 4])],
    ['squeeze', (t) => t.slice(0, 1, 2).squeeze(0)], ['flatten', (t) => t.flatten(0, 1)], ['unflatten', (t) => t.unflatten(2, [2, 2])],
    ['slice with step', (t) => t.slice(2, 1, 4, 2)], ['narrow', (t) => t.narrow(1, 1, 2)], ['select', (t) => t.select(2, -1)],
    ['chain', (t) => t.T.slice(0, 0, 4, 3).select(1, 1).unsqueeze(0)],
  ];
  for (const [name, f] of views) await gradcheck((t) => w(f(t)), [x], { msg: name });
});

test('the slice backward can be differentiated again (createGraph)', async () => {
  const x = tensor([1, 2, 3, 4, 5], { dtype: 'f64', requiresGrad: true });
  x.slice(0, 1, 5, 2).square().sum().backward(undefined, { createGraph: true });
  const g = x.grad!;
  assert.equal(await g.toArray(), [0, 4, 0, 8, 0]);
  x.grad = null;
  g.sum().backward();
  assert.equal(await x.grad!.toArray(), [0, 2, 0, 2, 0]);
});

test.run();
