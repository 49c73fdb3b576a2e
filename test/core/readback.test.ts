// Readback (data, item, toArray, readTensors), moving tensors between devices, f16 round trips, and the workgroup
// grid that folds dispatches past 65535 workgroups into two dimensions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readTensors, tensor, type DType } from '../../index.js';
import { grid } from '../../shaders/preamble.js';
import { assertThrows } from '../helpers.js';

/** Expects the promise to reject with an Error whose message contains every fragment. */
async function rejects(p: Promise<unknown>, ...fragments: string[]) {
  const message = await p.then(() => '', (e: Error) => e.message);
  assert.ok(message, `expected a rejection mentioning ${fragments.join(', ')}`);
  for (const f of fragments) assert.ok(message.includes(f), `"${message}" should mention "${f}"`);
}

const test = suite('core/readback');
const DEVICES = ['cpu', 'webgpu'] as const;

test('data, item and toArray: nested arrays, 0-d, bool as booleans, non-contiguous views', async () => {
  for (const device of DEVICES) {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { device });
    assert.equal(await x.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.equal(await x.T.toArray(), [[1, 4], [2, 5], [3, 6]], `${device}: transposed`);
    assert.equal(Array.from(await x.slice(1, 1, 3).data()), [2, 3, 5, 6], `${device}: sliced`);
    assert.is(await x.select(0, 1).select(0, 2).item(), 6);
    assert.equal(await tensor(7, { device }).toArray(), 7);
    assert.equal(await tensor([[true], [false]], { device }).toArray(), [[true], [false]]);
    assert.ok((await tensor([1, 2], { dtype: 'i32', device }).data()) instanceof Int32Array);
    assert.equal(await tensor([], { device }).toArray(), []);
    await rejects(x.item(), 'item', 'one-element', '[2, 3]');
  }
});

test('readTensors reads several tensors of any dtype, device and layout in one round trip', async () => {
  const ts = [
    tensor([1, 2, 3], { device: 'webgpu' }), tensor([[1, 2], [3, 4]], { device: 'webgpu', dtype: 'f16' }).T,
    tensor([true, false], { device: 'webgpu' }), tensor([-5], { device: 'cpu', dtype: 'i32' }),
    tensor([1, 2, 3, 4, 5], { device: 'webgpu', dtype: 'f16' }).slice(0, 1, 4), tensor([], { device: 'webgpu' }),
  ];
  const out = await readTensors(ts);
  assert.equal(out.map((a) => Array.from(a)), [[1, 2, 3], [1, 3, 2, 4], [1, 0], [-5], [2, 3, 4], []]);
  ts[0].dispose();
  await rejects(readTensors([ts[2], ts[0]]), 'data:', 'disposed');
});

test('to() moves every dtype between devices and back, values intact; same device returns the tensor', async () => {
  const values = [0, 1, -2, 3.5, 65504, 1e-3];
  for (const dtype of ['f32', 'f16', 'i32', 'u32', 'bool'] as DType[]) {
    const src = tensor(dtype === 'u32' ? values.map(Math.abs) : values, { dtype });
    const gpu = await src.to('webgpu');
    assert.is(gpu.device, 'webgpu');
    assert.is(gpu.dtype, dtype);
    const back = await gpu.T.to('cpu');
    assert.equal(Array.from(await back.data()), Array.from(await src.data()), `${dtype} round trip`);
  }
  const t = tensor([1]);
  assert.is(await t.to('cpu'), t);
  await rejects(tensor([1], { dtype: 'f64' }).to('webgpu'), 'to:', 'f64');
  await rejects(tensor([1]).to('tpu' as 'cpu'), 'to:', "unknown device 'tpu'");
});

test('f16 round trips: half-precision rounding, subnormals, overflow to inf, odd offsets', async () => {
  const values = [1 / 3, 2 ** -24, 6e-8, 65504, 65520, -1e5, NaN, -0];
  const want = [0.333251953125, 2 ** -24, 2 ** -24, 65504, Infinity, -Infinity, NaN, -0];
  for (const device of DEVICES) {
    const h = tensor(values, { dtype: 'f16', device });
    const got = Array.from(await h.data());
    got.forEach((g, i) => assert.ok(Object.is(g, want[i]), `${device}: ${values[i]} -> ${g}, expected ${want[i]}`));
    assert.equal(Array.from(await h.slice(0, 3, 4).data()), [65504], `${device}: an odd f16 offset`);
  }
});

test('grid: up to 65535 workgroups in x, the rest folded into y, covering every workgroup once', () => {
  assert.equal(grid(0), [1, 1]);
  assert.equal(grid(65535), [65535, 1]);
  for (const [count, max] of [[65536, 65535], [10, 4], [16, 4], [1_000_003, 65535], [65535 * 65535, 65535]]) {
    const [x, y] = grid(count, max);
    assert.ok(x <= max && y <= max, `${count}: within the limit`);
    assert.ok(x * y >= count && x * (y - 1) < count, `${count}: covers every workgroup with less than one row spare`);
  }
  assertThrows(() => grid(17, 4), 'dispatch of 17 workgroups', '4^2');
});

test.run();
