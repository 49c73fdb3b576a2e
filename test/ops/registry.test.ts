// Generated from the op registry (ops/registry.ts): every entry's cases run on webgpu, with contiguous and with
// non-contiguous inputs, against the cpu reference within the entry's tolerance; every differentiable entry's
// first case has its gradient checked in float64 against central finite differences. Each entry is installed as
// the Tensor method of its name, which is what is called.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, isGradEnabled, tensor, tidy, type DeviceName } from '../../index.js';
import { OPS, DEFAULT_TOLERANCE, isTensorArg, type OpCase, type OpEntry, type TensorArg } from '../../ops/registry.js';
import { validationTolerance } from '../../ops/debug.js';
import { assertClose, gradcheck, lcg } from '../helpers.js';

const test = suite('ops/registry');

/** Plain values for a tensor argument, the same on every call with the same seed. */
function valuesOf(arg: TensorArg, seed: number): number[] {
  const n = arg.tensor.reduce((a, b) => a * b, 1);
  const r = lcg(seed);
  const [lo, hi] = arg.domain ?? [-2, 2];
  const values = Array.from({ length: n }, () => {
    if (arg.dtype === 'bool') return Number(r() > 0.5);
    if (arg.below !== undefined) return Math.floor(r() * arg.below);
    return lo + (hi - lo) * r();
  });
  if (arg.diagonal === undefined) return values;
  const [rows, cols] = arg.tensor.slice(-2);
  return values.map((v, i) => (i % cols === Math.floor(i / cols) % rows ? v + arg.diagonal! : v));
}

/**
 * The tensor for an argument on `device`. Non-contiguous: the values are stored in reversed-dim order and the
 * tensor is the permuted view that reads them back in row-major order (same values, strides reversed).
 */
function tensorOf(
  arg: TensorArg,
  seed: number,
  device: DeviceName,
  contiguous: boolean,
  float = 'f32' as const,
): Tensor {
  const dtype = arg.dtype === 'bool' ? 'bool' : arg.below !== undefined ? 'i32' : float;
  const values = valuesOf(arg, seed);
  const shape = [...arg.tensor];
  if (contiguous || shape.length < 2) return tensor(values, { shape, dtype, device });
  const reversed = [...shape].reverse();
  const stored = new Array<number>(values.length);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const rStrides = reversed.map((_, d) => reversed.slice(d + 1).reduce((a, b) => a * b, 1));
  values.forEach((v, flat) => {
    const idx = strides.map((s, d) => Math.floor(flat / s) % shape[d]);
    stored[idx.reduceRight((acc, i, d) => acc + i * rStrides[shape.length - 1 - d], 0)] = v;
  });
  const base = tensor(stored, { shape: reversed, dtype, device });
  return base.permute(shape.map((_, d) => shape.length - 1 - d));
}

/** The tensors an op returns: one, a list (split), or { values, indices } (sort, max along a dim). */
function outputsOf(result: unknown): Tensor[] {
  if (result instanceof Tensor) return [result];
  if (Array.isArray(result)) return result as Tensor[];
  const { values, indices } = result as { values: Tensor; indices: Tensor };
  return [values, indices];
}

/** Calls the op as users do: the Tensor method of its name, or the function for function-only entries. */
function call(name: string, entry: OpEntry, args: unknown[]): unknown {
  if (entry.functionOnly) return (entry.fn as (...a: unknown[]) => unknown)(...args);
  const [self, ...rest] = args as [Tensor, ...unknown[]];
  return (self as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...rest);
}

/** The case's arguments with each tensor argument (also inside a list, as cat's) replaced by f(arg, its number). */
function mapTensorArgs(c: OpCase, f: (a: TensorArg, k: number) => unknown): unknown[] {
  let k = 0;
  const map = (a: unknown): unknown =>
    isTensorArg(a) ? f(a, k++) : Array.isArray(a) && a.some(isTensorArg) ? a.map(map) : a;
  return c.map(map);
}
const tensorArgs = (c: OpCase): TensorArg[] => {
  const found: TensorArg[] = [];
  mapTensorArgs(c, (a) => found.push(a));
  return found;
};
const seedOf = (k: number) => 11 + 7 * k;
const build = (c: OpCase, device: DeviceName, contiguous: boolean) =>
  mapTensorArgs(c, (a, k) => tensorOf(a, seedOf(k), device, contiguous));

/** The outputs of one case; an async entry (its output shape is read back) is awaited, then its inputs freed. */
async function run(
  name: string,
  entry: OpEntry,
  c: OpCase,
  device: DeviceName,
  contiguous: boolean,
): Promise<Tensor[]> {
  if (!entry.async) return tidy(() => outputsOf(call(name, entry, build(c, device, contiguous))));
  const args = build(c, device, contiguous);
  const outs = outputsOf(await call(name, entry, args));
  for (const a of args.flat()) if (a instanceof Tensor && !outs.includes(a)) a.dispose();
  return outs;
}

let cases = 0;
const entries = Object.entries(OPS) as [string, OpEntry][];

for (const [name, entry] of entries) {
  if (entry.cases.length === 0) {
    test(`${name}: has cases, or says where it is tested`, () => assert.ok(entry.untested, `${name} has no cases`));
    continue;
  }
  test(`${name}: webgpu matches the cpu reference (contiguous and non-contiguous inputs)`, async () => {
    const { atol, rtol } = entry.tol ?? DEFAULT_TOLERANCE;
    for (const [i, c] of entry.cases.entries()) {
      const want = await run(name, entry, c, 'cpu', true);
      for (const contiguous of entry.contiguousOnly ? [true] : [true, false]) {
        const got = await run(name, entry, c, 'webgpu', contiguous);
        const msg = `${name} case ${i}${contiguous ? '' : ' (non-contiguous)'}`;
        assert.is(got.length, want.length, `${msg}: number of outputs`);
        for (const [k, w] of want.entries()) {
          assert.equal([...got[k].shape], [...w.shape], `${msg}: shape of output ${k}`);
          assert.is(got[k].dtype, w.dtype, `${msg}: dtype of output ${k}`);
          assertClose(await got[k].data(), await w.data(), { atol, rtol, msg: `${msg}, output ${k}` });
        }
        cases++;
        for (const g of got) g.dispose();
      }
      for (const w of want) w.dispose();
    }
  });
  if (!entry.grad) continue;
  test(`${name}: float64 gradient of case 0 matches finite differences`, async () => {
    const c = entry.cases[0];
    const all = tensorArgs(c);
    const slots = all.flatMap((a, k) => (a.below === undefined && a.dtype !== 'bool' ? [k] : []));
    const fixed = all.map((a, k) => (slots.includes(k) ? null : tensorOf(a, seedOf(k), 'cpu', true)));
    // a scalar of every float output: sum(out_k * w_k) with fixed weights, so each element's gradient differs
    const loss = (...xs: Tensor[]): Tensor => {
      const args = mapTensorArgs(c, (_a, k) => fixed[k] ?? xs[slots.indexOf(k)]);
      const outs = outputsOf(call(name, entry, args)).filter((o) => o.dtype === 'f64');
      return outs
        .map((o, k) => o.mul(tensor(valuesOf({ tensor: o.shape }, 5 + k), { shape: [...o.shape], dtype: 'f64' })).sum())
        .reduce((a, b) => a.add(b));
    };
    // the finite differences (run under noGrad) free their intermediates; the analytic pass keeps them for backward
    const fn = (...xs: Tensor[]) => (isGradEnabled() ? loss(...xs) : tidy(() => loss(...xs)));
    const inputs = slots.map((k) => ({ shape: [...all[k].tensor], values: valuesOf(all[k], seedOf(k)) }));
    await gradcheck(fn, inputs, { msg: `${name} gradient` });
  });
}

test('TESSERA_VALIDATE checks each kernel with its entry tolerance (f16 results no tighter than half precision)', () => {
  for (const [name, entry] of entries) {
    for (const kernel of entry.kernels ?? [name]) {
      assert.equal(validationTolerance(kernel, 'f32'), entry.tol ?? DEFAULT_TOLERANCE, `${name}: kernel ${kernel}`);
    }
  }
  assert.ok(validationTolerance('add', 'f16').rtol >= 4e-3, 'f16');
});

test.after(() => console.log(`  ops/registry: ${entries.length} entries, ${cases} webgpu-vs-cpu cases`));

test.run();
