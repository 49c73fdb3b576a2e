// Elementwise ops, generated from their definitions (UNARY, BINARY, WHERE): every op on webgpu against its cpu
// reference for every dtype it accepts, on contiguous, transposed, step-sliced, broadcast, odd-sized, empty,
// single-element and multi-workgroup inputs, with tensor and number operands; then NaN/Inf as IEEE says.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { elementwise, tensor, where, type DType, type Operand, type Tensor } from '../../index.js';
import { UNARY } from '../../ops/unary.js';
import { BINARY, WHERE } from '../../ops/binary.js';
import type { ElementwiseDef } from '../../ops/elementwise.js';
import { assertClose, assertThrows, lcg } from '../helpers.js';

const test = suite('ops/elementwise');

const ALL: DType[] = ['f32', 'f16', 'i32', 'u32', 'bool'];
const accepted = (def: ElementwiseDef): DType[] => (def.kind === 'signed' ? ['f32', 'f16', 'i32'] : ALL);
const TOL: Record<DType, { atol: number; rtol: number }> = {
  f32: { atol: 2e-5, rtol: 2e-4 }, f16: { atol: 2e-3, rtol: 4e-3 }, bf16: { atol: 1.6e-2, rtol: 3.2e-2 }, f64: { atol: 0, rtol: 0 },
  i32: { atol: 0, rtol: 0 }, u32: { atol: 0, rtol: 0 }, bool: { atol: 0, rtol: 0 },
};

/** Values for operand k of `def`, drawn from its test domain and made valid for `dtype`. */
function values(def: ElementwiseDef, k: number, n: number, dtype: DType, seed: number): number[] {
  let [lo, hi] = def.test?.domain?.[k] ?? [-3, 3];
  if (dtype === 'u32') lo = Math.max(lo, 0);
  const r = lcg(seed);
  return Array.from({ length: n }, () => {
    const v = lo + (hi - lo) * r();
    if (dtype === 'bool') return lo > 0 ? 1 : Number(v > (lo + hi) / 2);
    return dtype === 'i32' || dtype === 'u32' ? Math.round(v) : v;
  });
}

/**
 * A layout turns base tensors (made from the same values on both devices) into the operands of one case:
 * `shapes` are the base shapes per operand, `view` what is done to each before the op.
 */
interface Layout { name: string; shapes: number[][]; view?: (t: Tensor, k: number) => Tensor }
const LAYOUTS: Layout[] = [
  { name: 'contiguous, odd size over several workgroups', shapes: [[1031], [1031], [1031]] },
  { name: 'transposed', shapes: [[7, 5], [5, 7], [7, 5]], view: (t, k) => (k === 1 ? t : t.T) },
  { name: 'sliced with a step', shapes: [[9, 12], [18, 4], [9, 12]], view: (t, k) => (k === 1 ? t.slice(0, 0, 18, 2) : t.slice(1, 1, 12, 3)) },
  { name: 'broadcast', shapes: [[4, 1, 5], [3, 1], [5]], view: (t, k) => (k === 0 ? t : t.expand(k === 1 ? [4, 3, 5] : [3, 5])) },
  { name: 'strided over several workgroups', shapes: [[40, 33], [33, 40], [40, 33]], view: (t, k) => (k === 1 ? t : t.T) },
  { name: 'empty', shapes: [[0, 4], [0, 4], [4]] },
  { name: 'one element, 0-d', shapes: [[], [], []] },
  { name: 'one element, 1-d', shapes: [[1], [1], [1]] },
];
const FEW = LAYOUTS.filter((l) => l.name === 'transposed' || l.name === 'broadcast');

interface Case { def: ElementwiseDef; dtypes: DType[]; layout: Layout; scalarAt?: number; params?: number[] }

/** Runs one case on both backends and compares; returns the webgpu values. */
async function check({ def, dtypes, layout, scalarAt, params }: Case): Promise<void> {
  const seed = 7 + def.name.length;
  const operands = (device: 'cpu' | 'webgpu'): Operand[] => dtypes.map((dtype, k) => {
    if (k === scalarAt) return values(def, k, 1, dtype === 'bool' ? 'f32' : dtype, seed + 99)[0];
    const shape = layout.shapes[k];
    const n = shape.reduce((a, b) => a * b, 1);
    const base = tensor(values(def, k, n, dtype, seed + k), { shape, dtype, device });
    return layout.view ? layout.view(base, k) : base;
  });
  const p = params ?? def.test?.params ?? [];
  const want = elementwise(def, operands('cpu'), p);
  const got = elementwise(def, operands('webgpu'), p);
  const msg = `${def.name}(${dtypes.map((d, k) => (k === scalarAt ? 'number' : d)).join(', ')}) ${layout.name}`;
  assert.equal([...got.shape], [...want.shape], `${msg}: shape`);
  assert.is(got.dtype, want.dtype, `${msg}: dtype`);
  assertClose(await got.data(), await want.data(), { ...TOL[want.dtype === 'bool' ? 'bool' : got.dtype], msg });
}

const unaryDefs = Object.values(UNARY).filter((d) => d.name !== 'cast');
const binaryDefs = Object.values(BINARY);

for (const def of unaryDefs) {
  test(`${def.name}: webgpu matches the cpu reference, every layout (f32) and every dtype it accepts`, async () => {
    for (const layout of LAYOUTS) await check({ def, dtypes: ['f32'], layout });
    for (const dtype of accepted(def).filter((d) => d !== 'f32')) {
      for (const layout of FEW) await check({ def, dtypes: [dtype], layout });
    }
  });
}

for (const def of binaryDefs) {
  test(`${def.name}: webgpu matches the cpu reference, every layout (f32), numbers, every dtype it accepts`, async () => {
    for (const layout of LAYOUTS) await check({ def, dtypes: ['f32', 'f32'], layout });
    for (const scalarAt of [0, 1]) await check({ def, dtypes: ['f32', 'f32'], layout: LAYOUTS[0], scalarAt });
    for (const dtype of ALL.filter((d) => d !== 'f32')) {
      for (const layout of FEW) await check({ def, dtypes: [dtype, dtype], layout });
      await check({ def, dtypes: [dtype, dtype], layout: LAYOUTS[1], scalarAt: 1 });
    }
  });
}

test('where: webgpu matches the cpu reference, with tensors and numbers, every dtype', async () => {
  for (const layout of LAYOUTS) await check({ def: WHERE, dtypes: ['bool', 'f32', 'f32'], layout });
  for (const dtype of ALL) await check({ def: WHERE, dtypes: ['bool', dtype, dtype], layout: FEW[1] });
  await check({ def: WHERE, dtypes: ['bool', 'f32', 'f32'], layout: FEW[0], scalarAt: 2 });
});

test('cast: every dtype to every other, both backends agree', async () => {
  // (NaN to an integer is left indeterminate by WGSL, so it is not among them)
  const src = [-2.7, -1, -0.5, 0, 0.5, 1.5, 2.5, 70000, 3, -Infinity];
  for (const from of ALL) {
    for (const to of ALL) {
      const make = (device: 'cpu' | 'webgpu') => tensor(src, { dtype: from, device }).cast(to);
      const want = make('cpu');
      assert.is(want.dtype, to);
      assertClose(await make('webgpu').data(), await want.data(), { atol: 0, rtol: 0, msg: `cast ${from} -> ${to}` });
    }
  }
  assert.equal(await tensor([-1.5, 0.5, 2.5], { dtype: 'f32' }).cast('i32').toArray(), [-1, 0, 2]); // truncation
  for (const device of ['cpu', 'webgpu'] as const) {
    assert.equal(await tensor([0, 0.5, NaN], { device }).cast('bool').toArray(), [false, true, true], `${device}: NaN is true, as in torch`);
  }
});

test('f16 results are rounded to half precision on both backends', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = tensor([1, 1000, 60000], { dtype: 'f16', device });
    assert.equal(await x.add(1e-4).toArray(), [1, 1000, 60000], device);
    assert.equal(await x.mul(2).toArray(), [2, 2000, Infinity], `${device}: f16 overflows to inf`);
    assert.equal(await x.div(3).cast('f32').toArray(), [0.333251953125, 333.25, 20000], device);
  }
});

test('type promotion: tensors with tensors and with numbers, as torch', () => {
  const i = tensor([1, 2], { dtype: 'i32' });
  const u = tensor([1, 2], { dtype: 'u32' });
  const b = tensor([true, false]);
  const h = tensor([1, 2], { dtype: 'f16' });
  const f = tensor([1, 2]);
  const cases: [Tensor, DType][] = [
    [i.add(1), 'i32'], [i.add(1.5), 'f32'], [i.add(u), 'i32'], [b.add(b), 'bool'], [b.add(1), 'i32'],
    [b.mul(2.5), 'f32'], [h.add(1.5), 'f16'], [h.add(f), 'f32'], [h.add(i), 'f16'], [u.add(2), 'u32'],
    [i.div(2), 'f32'], [i.exp(), 'f32'], [i.gt(0.5), 'bool'], [b.logicalAnd(i), 'bool'], [i.neg(), 'i32'],
    [where(b, i, 2.5), 'f32'], [where(b, 1, 0), 'i32'], [where(b, 1.5, 0), 'f32'], [where(b, h, f), 'f32'], [f.where(b, 0), 'f32'],
  ];
  cases.forEach(([t, dtype], k) => assert.is(t.dtype, dtype, `case ${k}`));
});

test('ops that need signed values refuse u32 and bool, naming the op and the dtype', () => {
  for (const name of ['neg', 'abs', 'sign'] as const) {
    for (const dtype of ['u32', 'bool'] as const) {
      const x = tensor([1, 0], { dtype });
      assertThrows(() => elementwise(UNARY[name], [x]), `${name}:`, dtype, 'valid dtypes');
    }
  }
});

test('broadcasting errors name the op and both shapes, and what is valid', () => {
  assertThrows(() => tensor([[1, 2, 3]]).add(tensor([1, 2])), 'add:', '[1, 3]', '[2]', 'must match or be 1');
  assertThrows(() => WHERE && elementwise(WHERE, [tensor([true, false]), tensor([1, 2, 3]), 0]), 'where:', '[2]', '[3]');
});

test('in-place ops on webgpu: the same view, an overlapping view, a transposed target', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = tensor([1, 2, 3, 4], { device });
    x.add_(1).mul_(x);
    assert.equal(await x.toArray(), [4, 9, 16, 25], `${device}: x.add_(1).mul_(x)`);
    const y = tensor([1, 2, 3, 4, 5], { device });
    y.slice(0, 1).copy_(y.slice(0, 0, 4)); // reads everything before writing, as the cpu reference does
    assert.equal(await y.toArray(), [1, 1, 2, 3, 4], `${device}: overlapping copy_`);
    const m = tensor([[1, 2], [3, 4]], { device });
    m.T.sub_(tensor([[10, 20], [30, 40]], { device }));
    assert.equal(await m.toArray(), [[-9, -28], [-17, -36]], `${device}: transposed target`);
    const h = tensor([1, 2, 3], { dtype: 'f16', device });
    h.slice(0, 1).fill_(7);
    assert.equal(await h.toArray(), [1, 7, 7], `${device}: f16 fill_ at an odd offset`);
  }
});

test('more than 65535 workgroups (> 16.7M elements) fold into a 2-D grid', async () => {
  const n = 65536 * 256 + 300;
  // The add reads a broadcast operand, so it runs the strided kernel, one element per thread: 65537 workgroups,
  // folded into a 2-D grid. (The dense vec4 kernel of the mul needs only 4097; it checks the add's output.)
  const x = tensor([0], { device: 'webgpu' }).expand([n]).add(2.5);
  const y = x.mul(2);
  const d = await y.data();
  assert.is(d.length, n);
  assert.is(d[0], 5);
  assert.is(d[n - 1], 5, 'the last workgroup row ran');
  assert.is(d[65535 * 256 + 5], 5, 'the second row of the grid ran');
  assert.ok(d.every((v) => v === 5), 'every element written once');
  x.dispose();
  y.dispose();
});

// ---- IEEE special values ----------------------------------------------------------------------------------------

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 1e-30, 1e30];
// WGSL promises sin and cos accuracy only on [-pi, pi]; far outside it GPUs differ (lavapipe: sin(1e30) = -1).
const periodic = new Set(['sin', 'cos', 'tan']);

for (const def of unaryDefs) {
  test(`${def.name}: NaN, infinities, zeros and extremes agree on both backends`, async () => {
    const p = def.test?.params ?? [];
    const special = periodic.has(def.name) ? SPECIAL.filter((v) => Math.abs(v) !== 1e30) : SPECIAL;
    const want = elementwise(def, [tensor(special)], p);
    const got = elementwise(def, [tensor(special, { device: 'webgpu' })], p);
    assertClose(await got.data(), await want.data(), { ...TOL.f32, msg: `${def.name} on ${special}` });
  });
}

test('binary ops on NaN, infinities and zeros agree on both backends', async () => {
  const a = SPECIAL.flatMap((v) => SPECIAL.map(() => v));
  const b = SPECIAL.flatMap(() => SPECIAL);
  for (const def of binaryDefs) {
    const want = elementwise(def, [tensor(a), tensor(b)]);
    const got = elementwise(def, [tensor(a, { device: 'webgpu' }), tensor(b, { device: 'webgpu' })]);
    const wv = await want.data();
    const gv = await got.data();
    for (let i = 0; i < wv.length; i++) {
      // f32 remainder (fmod) is a - b floor(a / b) (trunc): when a / b overflows f32 it is meaningless on any f32 device
      const divides = ['remainder', 'fmod', 'floorDivide'].includes(def.name);
      if (divides && Math.abs(Math.fround(a[i] / b[i])) === Infinity && Number.isFinite(a[i])) continue;
      assertClose([gv[i]], [wv[i]], { ...TOL.f32, msg: `${def.name}(${a[i]}, ${b[i]})` });
    }
  }
});

test('NaN and Inf follow IEEE (and torch) on both backends', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    const t = (v: number[]) => tensor(v, { device });
    const nan = t([NaN, 1]);
    const one = t([1, NaN]);
    const expect: [Tensor, (number | boolean)[], string][] = [
      [nan.maximum(one), [NaN, NaN], 'maximum'], [nan.minimum(one), [NaN, NaN], 'minimum'],
      [nan.maximum(0), [NaN, 1], 'maximum with a number'], [nan.relu(), [NaN, 1], 'relu'],
      [nan.clamp(-1, 0.5), [NaN, 0.5], 'clamp'], [nan.sign(), [NaN, 1], 'sign'],
      [t([-Infinity, Infinity]).sigmoid(), [0, 1], 'sigmoid'], [t([-Infinity, Infinity]).tanh(), [-1, 1], 'tanh'],
      [t([-Infinity, Infinity]).exp(), [0, Infinity], 'exp'], [t([0, -1]).log(), [-Infinity, NaN], 'log'],
      [t([-1, -0]).sqrt(), [NaN, -0], 'sqrt'], [t([0, Infinity]).rsqrt(), [Infinity, 0], 'rsqrt'],
      [t([Infinity, 0]).mul(t([0, 5])), [NaN, 0], 'inf * 0'], [t([Infinity, 1]).add(t([-Infinity, Infinity])), [NaN, Infinity], 'inf - inf'],
      [t([1, 0]).div(t([0, 0])), [Infinity, NaN], 'x / 0'], [t([NaN, 2]).pow(0), [1, 1], 'pow(x, 0)'],
      [t([-8, -2]).pow(t([1 / 3, 3])), [NaN, -8], 'pow of negative bases'],
      [t([NaN, NaN]).eq(t([NaN, 1])), [false, false], 'eq'], [t([NaN, NaN]).ne(t([NaN, 1])), [true, true], 'ne'],
      [t([NaN, 1]).lt(t([1, NaN])), [false, false], 'lt'], [t([NaN, Infinity]).isnan(), [true, false], 'isnan'],
      [t([NaN, -Infinity]).isfinite(), [false, false], 'isfinite'], [t([-1, Infinity]).expm1(), [-0.6321205496788025, Infinity], 'expm1'],
      [t([-1, Infinity]).log1p(), [-Infinity, Infinity], 'log1p'], [t([5.5, -5.5]).remainder(t([-2, 2])), [-0.5, 0.5], 'remainder'],
      [t([NaN, -Infinity]).nanToNum({ nan: 1 }), [1, -3.4028234663852886e38], 'nanToNum'],
    ];
    for (const [r, want, name] of expect) {
      const got = await r.toArray() as (number | boolean)[];
      got.forEach((g, i) => assert.ok(Object.is(g, want[i]) || (typeof g === 'number' && Math.abs(g - (want[i] as number)) < 1e-6),
        `${device} ${name}: got [${got}], expected [${want}]`));
    }
  }
});

test.run();
