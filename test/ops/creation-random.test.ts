// Creation ops on both devices, and the seeded counter-based RNG: the same numbers on cpu and webgpu for a seed,
// reproducible after manualSeed, and with the moments their distributions have.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  arange, bernoulli, eye, full, fullLike, linspace, manualSeed, ones, onesLike, rand, randint, randn, tensor, zeros, zerosLike,
} from '../../index.js';
import { assertClose, assertThrows } from '../helpers.js';

const test = suite('ops/creation-random');
const DEVICES = ['cpu', 'webgpu'] as const;

test('tensor(): nested arrays, typed arrays, numbers, booleans; dtypes inferred or given', async () => {
  for (const device of DEVICES) {
    const t = tensor([[1, 2, 3], [4, 5, 6]], { device });
    assert.equal([...t.shape], [2, 3]);
    assert.is(t.dtype, 'f32');
    assert.equal(await t.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.equal(await tensor(3.5, { device }).toArray(), 3.5);
    assert.equal([...tensor(3.5, { device }).shape], []);
    assert.is(tensor([true, false], { device }).dtype, 'bool');
    assert.is(tensor(new Int32Array([1, 2]), { device }).dtype, 'i32');
    assert.is(tensor(new Uint32Array([1, 2]), { device }).dtype, 'u32');
    assert.equal(await tensor([1.7, -1.7], { dtype: 'i32', device }).toArray(), [1, -1]);
    assert.equal(await tensor([1, 2, 3, 4], { shape: [2, 2], device }).toArray(), [[1, 2], [3, 4]]);
    assert.equal([...tensor([], { device }).shape], [0]);
    assert.equal(await tensor([0.1], { dtype: 'f16', device }).item(), 0.0999755859375);
    assert.is(tensor([1], { device, requiresGrad: true }).requiresGrad, true);
  }
  assert.is(tensor([1], { dtype: 'f64' }).dtype, 'f64');
  assertThrows(() => tensor([[1, 2], [3]]), 'tensor:', 'ragged');
  assertThrows(() => tensor(['a' as unknown as number]), 'tensor:', 'numbers or booleans');
  assertThrows(() => tensor([1, 2, 3], { shape: [2, 2] }), 'tensor:', '3 values', '[2, 2]');
  assertThrows(() => tensor([1], { dtype: 'f64', device: 'webgpu' }), 'f64', 'cpu');
  assertThrows(() => tensor([1], { dtype: 'i32', requiresGrad: true }), 'requiresGrad_', 'floating-point', 'i32');
});

test('zeros, ones, full and the *Like variants', async () => {
  for (const device of DEVICES) {
    assert.equal(await zeros([2, 2], { device }).toArray(), [[0, 0], [0, 0]]);
    assert.equal(await ones([3], { dtype: 'i32', device }).toArray(), [1, 1, 1]);
    assert.equal(await full([2], 7.5, { dtype: 'f16', device }).toArray(), [7.5, 7.5]);
    assert.equal(await full([2], true as unknown as number, { device }).toArray(), [true, true]);
    assert.equal(await full([], -3, { device }).toArray(), -3);
    assert.equal([...zeros([0, 5], { device }).shape], [0, 5]);
    const h = tensor([[1, 2]], { dtype: 'f16', device });
    for (const t of [zerosLike(h), onesLike(h), fullLike(h, 4)]) {
      assert.is(t.dtype, 'f16');
      assert.is(t.device, device);
      assert.equal([...t.shape], [1, 2]);
    }
    assert.equal(await fullLike(h, 4).toArray(), [[4, 4]]);
    assert.is(zerosLike(h, { dtype: 'i32' }).dtype, 'i32');
  }
  assertThrows(() => zeros([2, -1]), 'full:', 'non-negative integers');
});

test('arange, linspace, eye', async () => {
  for (const device of DEVICES) {
    assert.equal(await arange(5, undefined, 1, { device }).toArray(), [0, 1, 2, 3, 4]);
    assert.is(arange(5, undefined, 1, { device }).dtype, 'i32');
    assert.equal(await arange(2, -4, -2, { device }).toArray(), [2, 0, -2]);
    assertClose(await arange(0, 1, 0.25, { device }).data(), [0, 0.25, 0.5, 0.75]);
    assert.is(arange(0, 1, 0.25, { device }).dtype, 'f32');
    assert.equal([...arange(3, 1, 1, { device }).shape], [0]);
    assertClose(await linspace(-1, 1, 5, { device }).data(), [-1, -0.5, 0, 0.5, 1]);
    assert.equal(await linspace(3, 9, 1, { device }).toArray(), [3]);
    assert.equal(await eye(2, 3, { device }).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.equal(await eye(3, undefined, { dtype: 'bool', device }).toArray(), [[true, false, false], [false, true, false], [false, false, true]]);
    assert.equal([...eye(0, undefined, { device }).shape], [0, 0]);
  }
  assertThrows(() => arange(0, 1, 0), 'arange:', 'step');
  assertThrows(() => linspace(0, 1, -1), 'linspace:', 'steps');
});

// ---- random -----------------------------------------------------------------------------------------------------

test('rand and randint give identical numbers on cpu and webgpu for a seed; randn agrees to float rounding', async () => {
  const shape = [7, 300];
  for (const seed of [1, 2 ** 40 + 3]) {
    const [rc, rg] = DEVICES.map((device) => rand(shape, { seed, device }));
    assert.equal(Array.from(await rg.data()), Array.from(await rc.data()), `rand seed ${seed}`);
    const [ic, ig] = DEVICES.map((device) => randint(-5, 9, shape, { seed, device }));
    assert.equal(Array.from(await ig.data()), Array.from(await ic.data()), `randint seed ${seed}`);
    const [nc, ng] = DEVICES.map((device) => randn(shape, { seed, device }));
    assertClose(await ng.data(), await nc.data(), { atol: 1e-5, rtol: 1e-5, msg: `randn seed ${seed}` });
  }
  const [hc, hg] = DEVICES.map((device) => rand([64], { seed: 5, device, dtype: 'f16' }));
  assert.equal(Array.from(await hg.data()), Array.from(await hc.data()), 'rand f16');
});

test('manualSeed makes the global stream reproducible, on both devices in the same order', async () => {
  const draw = async () => {
    manualSeed(1234);
    const a = await rand([50], { device: 'cpu' }).data();
    const b = await rand([50], { device: 'webgpu' }).data();
    return [Array.from(a), Array.from(b)];
  };
  const [a1, b1] = await draw();
  const [a2, b2] = await draw();
  assert.equal(a1, a2);
  assert.equal(b1, b2);
  assert.not.equal(a1, b1, 'successive calls draw different streams');
  manualSeed(1234);
  assert.equal(Array.from(await rand([50], { device: 'webgpu' }).data()), a1, 'the first stream after a seed is the same on any device');
});

test('moments: rand uniform on [0, 1), randn standard normal, randint uniform on [low, high), bernoulli(p)', async () => {
  const n = 200_000;
  const stats = (v: ArrayLike<number>) => {
    let s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < v.length; i++) { s += v[i]; s2 += v[i] * v[i]; lo = Math.min(lo, v[i]); hi = Math.max(hi, v[i]); }
    const mean = s / v.length;
    return { mean, variance: s2 / v.length - mean * mean, lo, hi };
  };
  const u = stats(await rand([n], { seed: 11, device: 'webgpu' }).data());
  assert.ok(Math.abs(u.mean - 0.5) < 0.005 && Math.abs(u.variance - 1 / 12) < 0.002 && u.lo >= 0 && u.hi < 1, JSON.stringify(u));
  const g = stats(await randn([n], { seed: 12, device: 'webgpu' }).data());
  assert.ok(Math.abs(g.mean) < 0.01 && Math.abs(g.variance - 1) < 0.02 && g.lo < -3.5 && g.hi > 3.5, JSON.stringify(g));
  const k = await randint(3, 7, [n], { seed: 13, device: 'webgpu' }).data();
  const counts = [3, 4, 5, 6].map((v) => k.filter((x) => x === v).length / n);
  assert.ok(counts.every((c) => Math.abs(c - 0.25) < 0.01) && stats(k).lo === 3 && stats(k).hi === 6, `${counts}`);
  for (const device of DEVICES) {
    const p = tensor([0, 0.3, 1], { device }).reshape([3, 1]).expand([3, 20000]);
    const b = await bernoulli(p, { seed: 14 }).mean(1).toArray() as number[];
    assert.is(b[0], 0);
    assert.ok(Math.abs(b[1] - 0.3) < 0.02, `${device}: bernoulli(0.3) mean ${b[1]}`);
    assert.is(b[2], 1);
    assert.is(bernoulli(0.5, { shape: [4], device }).dtype, 'f32');
    assert.is(bernoulli(0.5, { shape: [4], device, dtype: 'bool' }).dtype, 'bool');
  }
});

test('random options: dtype, requiresGrad, bad ranges', () => {
  assert.is(randn([2], { dtype: 'f16' }).dtype, 'f16');
  assert.is(randn([2], { requiresGrad: true }).requiresGrad, true);
  assert.is(randint(0, 3, [2], { dtype: 'f32' }).dtype, 'f32');
  assertThrows(() => randint(3, 3, [2]), 'randint:', 'low < high');
  assertThrows(() => randint(0.5, 3, [2]), 'randint:', 'integers');
  assertThrows(() => rand([2], { dtype: 'i32' }), 'rand:', 'float dtype', 'i32');
});

test.run();
