// Reductions: webgpu against the cpu reference over dims (negative, lists, keepdim), layouts and dtypes, and the
// values torch gives for zeros, ties, NaN, -inf rows, corrections and empty reductions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, zeros, type DType, type Tensor } from '../../index.js';
import { assertClose, assertThrows, randomValues } from '../helpers.js';

const test = suite('ops/reduce');
const DEVICES = ['cpu', 'webgpu'] as const;

type Reduction = (x: Tensor) => Tensor;
const DIMS: [string, { dim?: number | number[]; keepdim?: boolean }][] = [
  ['all dims', {}], ['dim 1', { dim: 1 }], ['dim -1 keepdim', { dim: -1, keepdim: true }],
  ['dims [0, 2]', { dim: [0, 2] }], ['dims [-1, 0] keepdim', { dim: [-1, 0], keepdim: true }],
];
const NAMES = ['sum', 'mean', 'prod', 'amax', 'amin', 'all', 'any'] as const;

/** The same values on both devices, then `view` (for non-contiguous inputs), then `fn`; compares the results. */
async function compare(fn: Reduction, shape: number[], dtype: DType, msg: string, view: (t: Tensor) => Tensor = (t) => t) {
  const n = shape.reduce((a, b) => a * b, 1);
  let v = randomValues(n, 3, -1.5, 1.5);
  if (dtype === 'i32' || dtype === 'u32') v = v.map((x) => Math.round(Math.abs(x) * 2));
  if (dtype === 'bool') v = v.map((x) => Number(x > -0.8));
  const [want, got] = DEVICES.map((device) => fn(view(tensor(v, { shape, dtype, device }))));
  assert.equal([...got.shape], [...want.shape], `${msg}: shape`);
  assert.is(got.dtype, want.dtype, `${msg}: dtype`);
  const tol = dtype === 'f16' || want.dtype === 'f16' ? { atol: 2e-2, rtol: 2e-2 } : { atol: 1e-5, rtol: 1e-4 };
  assertClose(await got.data(), await want.data(), { ...tol, msg });
}

for (const name of NAMES) {
  test(`${name}: webgpu matches the cpu reference over dims, layouts and dtypes`, async () => {
    for (const [label, { dim, keepdim }] of DIMS) {
      await compare((x) => x[name](dim, keepdim), [3, 5, 4], 'f32', `${name} ${label}`);
      await compare((x) => x[name](dim, keepdim), [4, 5, 3], 'f32', `${name} ${label} of a permuted view`, (t) => t.permute([2, 1, 0]));
    }
    await compare((x) => x[name](1), [3, 700], 'f32', `${name} of rows longer than a workgroup`);
    await compare((x) => x[name](0), [2, 70000], 'f32', `${name} over more outputs than one grid row`, (t) => t.slice(0, 0, 2, 1));
    await compare((x) => x[name](), [], 'f32', `${name} of a 0-d tensor`);
    for (const dtype of ['f16', 'i32', 'u32', 'bool'] as const) {
      if (name === 'prod' && dtype !== 'f16') continue; // integer products overflow differently; checked below
      await compare((x) => x[name]([0, 2]), [3, 5, 4], dtype, `${name} ${dtype}`, (t) => t.slice(1, 0, 5, 2));
    }
  });
}

test('argmax and argmin: webgpu matches cpu, first index among ties, NaN wins', async () => {
  for (const name of ['argmax', 'argmin'] as const) {
    for (const dim of [undefined, 0, 1, -1]) {
      await compare((x) => x[name](dim), [6, 9], 'f32', `${name}(${dim})`, (t) => t.T);
      await compare((x) => x[name](dim, true), [6, 9], 'i32', `${name}(${dim}) i32 with ties`);
    }
  }
  for (const device of DEVICES) {
    const x = tensor([[1, 3, 3, 0], [2, NaN, 5, NaN], [-1, -1, -1, -1]], { device });
    assert.equal(await x.argmax(1).toArray(), [1, 1, 0], device);
    assert.equal(await x.argmin(1).toArray(), [3, 1, 0], device);
    assert.equal(await x.amax(1).toArray(), [3, NaN, -1], device);
    assert.equal(await x.amin(1).toArray(), [0, NaN, -1], device);
    assert.is(await x.argmax().item(), 5, `${device}: flat index of the first NaN`);
    const { values, indices } = x.max(0);
    assert.equal(await values.toArray(), [2, NaN, 5, NaN], device);
    assert.equal(await indices.toArray(), [1, 1, 1, 1], device);
    const m = x.min(1, true);
    assert.equal([...m.values.shape], [3, 1]);
    assert.equal(await m.indices.toArray(), [[3], [1], [0]], device);
  }
});

test('sum, mean, prod: values torch gives, zeros, integer dtypes, NaN propagation', async () => {
  for (const device of DEVICES) {
    const x = tensor([[1, 2, 0], [3, -4, 5]], { device });
    assert.equal(await x.sum().item(), 7);
    assert.equal(await x.sum(0).toArray(), [4, -2, 5]);
    assert.equal(await x.mean(1, true).toArray(), [[1], [4 / 3].map(Math.fround)]);
    assert.equal(await x.prod(1).toArray(), [0, -60]);
    const i = tensor([[1, 2], [3, 4]], { dtype: 'i32', device });
    assert.is(i.sum().dtype, 'i32');
    assert.is(await i.prod().item(), 24);
    assert.is(i.mean().dtype, 'f32');
    assert.is(await i.mean().item(), 2.5);
    assert.is(await tensor([true, true, false], { device }).sum().item(), 2, `${device}: bool sums count`);
    assert.ok(Number.isNaN(await tensor([1, NaN], { device }).sum().item()), `${device}: NaN propagates through sum`);
  }
});

test('all and any, with NaN counting as true', async () => {
  for (const device of DEVICES) {
    const x = tensor([[1, 0, NaN], [2, 3, 4]], { device });
    assert.equal(await x.all(1).toArray(), [false, true], device);
    assert.equal(await x.any(0).toArray(), [true, true, true], device);
    assert.equal(await tensor([NaN, 0], { device }).any().toArray(), true, device);
    assert.equal(await tensor([NaN], { device }).all().toArray(), true, device);
    assert.is(x.all().dtype, 'bool');
  }
});

test('var and std: corrections, dims, keepdim, both devices', async () => {
  const v = [1, 2, 4, 7, 11, 16];
  const mean = v.reduce((a, b) => a + b) / 6;
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  for (const device of DEVICES) {
    const x = tensor(v, { device });
    assertClose([await x.var().item()], [ss / 5]);
    assertClose([await x.var(0, { correction: 0 }).item()], [ss / 6]);
    assertClose([await x.std(undefined, { correction: 2 }).item()], [Math.sqrt(ss / 4)]);
    assert.ok(!Number.isFinite(await tensor([3], { device }).var().item()), `${device}: var of one element with correction 1`);
    const m = tensor(v, { shape: [2, 3], device });
    assert.equal([...m.var(1, { keepdim: true }).shape], [2, 1]);
    await compare((t) => t.var([0, 2], { correction: 0 }), [3, 5, 4], 'f32', 'var over a dim list');
    await compare((t) => t.std(-1, { keepdim: true }), [3, 5, 4], 'f32', 'std keepdim');
  }
});

test('logsumexp: stable for large values, -inf rows give -inf, +inf gives +inf', async () => {
  for (const device of DEVICES) {
    const x = tensor([[1000, 1000], [-Infinity, -Infinity], [0, Infinity], [0, Math.log(3)]], { device });
    assertClose(await x.logsumexp(1).data(), [1000 + Math.log(2), -Infinity, Infinity, Math.log(4)], { msg: device });
    assert.equal([...x.logsumexp(-1, true).shape], [4, 1]);
    await compare((t) => t.logsumexp([0, 1]), [3, 5, 4], 'f32', 'logsumexp over a dim list');
  }
});

test('norm: p = 1, 2, 3, inf over dims', async () => {
  for (const device of DEVICES) {
    const x = tensor([[3, -4], [0, 1]], { device });
    assert.is(await x.norm().item(), Math.fround(Math.sqrt(26)));
    assert.equal(await x.norm(1, 1).toArray(), [7, 1]);
    assert.equal(await x.norm(Infinity, 0, true).toArray(), [[3, 4]]);
    assertClose(await x.norm(3, 1).data(), [Math.cbrt(91), 1], { msg: device });
  }
  assertThrows(() => tensor([1]).norm(-1), 'norm:', 'p must be positive');
});

test('empty reductions: sum 0, prod 1, mean NaN, any false, all true; amax refuses', async () => {
  for (const device of DEVICES) {
    const e = zeros([0, 3], { device });
    assert.equal(await e.sum(0).toArray(), [0, 0, 0], device);
    assert.equal(await e.prod(0).toArray(), [1, 1, 1], device);
    assert.equal(await e.mean(0).toArray(), [NaN, NaN, NaN], device);
    assert.equal(await e.any(0).toArray(), [false, false, false], device);
    assert.equal(await e.all(0).toArray(), [true, true, true], device);
    assert.equal(await e.sum(1).toArray(), [], `${device}: reducing a non-empty dim of an empty tensor`);
    assert.equal([...e.amax(1).shape], [0], `${device}: amax over a non-empty dim is fine`);
    assertThrows(() => e.amax(0), 'amax:', '[0, 3] f32', 'zero elements', 'non-empty dims');
    assertThrows(() => e.argmax(), 'argmax:', 'zero elements');
  }
});

test('bad dims are refused naming the op, the dim, the rank and the valid range', () => {
  const x = tensor([[1, 2], [3, 4]]);
  assertThrows(() => x.sum(2), 'sum:', 'dim 2', 'rank 2', '-2..1');
  assertThrows(() => x.mean([0, -2]), 'mean:', 'repeats');
  assertThrows(() => x.amax(1.5), 'amax:', 'dim 1.5');
});

test.run();
