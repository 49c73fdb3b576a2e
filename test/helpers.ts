// Shared test helpers: the two backends, closeness checks, random inputs, and float64 finite-difference
// gradient checks.
import * as assert from 'uvu/assert';
import { Tensor, tensor, noGrad, type DType, type DeviceName } from '../index.js';
import type { OpSpec } from '../ops/op.js';
import { simulateMissingSubgroups } from '../core/device.js';

export const DEVICES: DeviceName[] = ['cpu', 'webgpu'];

/** Deterministic pseudo-random numbers for building test inputs (not the library's RNG under test). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomValues(n: number, seed = 1, lo = -2, hi = 2): number[] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

export function randomTensor(shape: number[], opts: { device?: DeviceName; dtype?: DType; seed?: number; lo?: number; hi?: number; requiresGrad?: boolean } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const dtype = opts.dtype ?? 'f32';
  let values = randomValues(n, opts.seed ?? 1, opts.lo ?? -2, opts.hi ?? 2);
  if (dtype === 'i32' || dtype === 'u32') values = values.map(Math.round);
  if (dtype === 'bool') values = values.map((v) => (v > 0 ? 1 : 0));
  return tensor(values, { shape, dtype, device: opts.device ?? 'cpu', requiresGrad: opts.requiresGrad });
}

/** Asserts |a - b| <= atol + rtol |b| elementwise, with NaN equal to NaN and infinities equal by sign. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: { atol?: number; rtol?: number; msg?: string } = {}): void {
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  assert.is(actual.length, expected.length, `${opts.msg ?? ''} length`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const b = Number(expected[i]);
    if (Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= atol + rtol * Math.abs(b)) continue;
    assert.unreachable(`${opts.msg ?? 'values differ'}: at flat index ${i} got ${a}, expected ${b} (atol ${atol}, rtol ${rtol})`);
  }
}

export async function assertTensorClose(actual: Tensor, expected: Tensor | ArrayLike<number>, opts: { atol?: number; rtol?: number; msg?: string } = {}): Promise<void> {
  if (expected instanceof Tensor) assert.equal([...actual.shape], [...expected.shape], `${opts.msg ?? ''} shape`);
  const e = expected instanceof Tensor ? await expected.data() : expected;
  assertClose(await actual.data(), e, opts);
}

/**
 * Checks the gradients of `fn` (a scalar function of the inputs) at float64 inputs on the cpu against central
 * finite differences. `inputs` are plain arrays with shapes.
 */
export async function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: { shape: number[]; values: number[] }[],
  opts: { eps?: number; atol?: number; rtol?: number; msg?: string } = {},
): Promise<void> {
  const eps = opts.eps ?? 1e-6;
  const make = (vals: number[][], grad: boolean) => inputs.map((inp, i) => tensor(vals[i], { shape: inp.shape, dtype: 'f64', device: 'cpu', requiresGrad: grad }));
  const base = inputs.map((i) => [...i.values]);
  const xs = make(base, true);
  const out = fn(...xs);
  assert.is(out.numel, 1, 'gradcheck needs a scalar function');
  out.backward();
  for (let k = 0; k < inputs.length; k++) {
    const analytic = xs[k].grad ? await xs[k].grad!.data() : new Float64Array(base[k].length);
    const numeric = new Float64Array(base[k].length);
    for (let j = 0; j < base[k].length; j++) {
      const plus = base.map((v) => [...v]);
      const minus = base.map((v) => [...v]);
      plus[k][j] += eps;
      minus[k][j] -= eps;
      const f = async (vals: number[][]) => noGrad(() => fn(...make(vals, false))).item();
      numeric[j] = ((await f(plus)) - (await f(minus))) / (2 * eps);
    }
    assertClose(analytic, numeric, { atol: opts.atol ?? 1e-5, rtol: opts.rtol ?? 1e-4, msg: `${opts.msg ?? 'gradient'} of input ${k}` });
  }
}

/** Expects `fn` to throw an Error whose message contains every given fragment. */
export function assertThrows(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
  } catch (e) {
    const msg = (e as Error).message;
    for (const f of fragments) assert.ok(msg.includes(f), `error message "${msg}" should mention "${f}"`);
    return;
  }
  assert.unreachable(`expected an error mentioning ${fragments.join(', ')}`);
}

/** A scalar with non-uniform weights, so gradchecks see every output element. */
export const weightedSum = (t: Tensor): Tensor => t.mul(tensor(randomValues(t.numel, 99), { shape: [...t.shape], dtype: 'f64' })).sum();

/** A gradcheck input of `shape` with seeded values. */
export const gradInput = (shape: number[], seed = 3) => ({ shape, values: randomValues(shape.reduce((a, b) => a * b, 1), seed) });

/** Gradients of a weighted sum of fn's output on webgpu against those on the cpu. */
export async function gradsAgree(shapes: number[][], fn: (...xs: Tensor[]) => Tensor, msg: string, tol = { atol: 1e-5, rtol: 1e-4 }): Promise<void> {
  const grads: ArrayLike<number>[][] = [];
  for (const device of ['cpu', 'webgpu'] as DeviceName[]) {
    const xs = shapes.map((shape, k) => randomTensor(shape, { device, seed: 20 + k, requiresGrad: true }));
    const out = fn(...xs);
    out.mul(randomTensor([...out.shape], { device, seed: 5 })).sum().backward();
    grads.push(await Promise.all(xs.map((x) => x.grad!.data())));
  }
  grads[0].forEach((cpu, k) => assertClose(grads[1][k], cpu, { ...tol, msg: `${msg}: gradient of input ${k}` }));
}

/** Runs `fn` on inputs built alike on both backends and checks that webgpu matches the cpu reference (exact by default). */
export async function backendsAgree(fn: (dev: DeviceName) => Tensor, msg: string, tol = { atol: 0, rtol: 0 }): Promise<void> {
  const [c, g] = [fn('cpu'), fn('webgpu')];
  assert.equal([...g.shape], [...c.shape], `${msg}: shape`);
  assert.is(g.dtype, c.dtype, `${msg}: dtype`);
  assertClose(await g.data(), await c.data(), { ...tol, msg });
}

/** A synthetic op that declares no kernel for packed f16/bf16 storage: apply() must refuse it on packed tensors. */
export const unpackedOp: OpSpec = {
  name: 'unpackedOp',
  infer: ([a]) => ({ shape: a.shape, dtype: a.dtype }),
  cpu: () => {},
  webgpu: () => assert.unreachable('the kernel of an op without packedHalf must not run on packed storage'),
  backward: null,
};

/** Runs `fn` (synchronous: it records its kernels) as on an adapter without subgroups when `hidden`, then restores it. */
export function withSubgroupsHidden<T>(hidden: boolean, fn: () => T): T {
  simulateMissingSubgroups(hidden);
  try {
    return fn();
  } finally {
    simulateMissingSubgroups(false);
  }
}
