// Gradients of every differentiable elementwise op and reduction: the backward rules in float64 on the cpu
// against central finite differences (gradcheck), broadcasting in backward (sumTo), number operands, ties, and
// the webgpu gradients against the cpu ones. Second order (createGraph) for tanh, mul and the composites.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { elementwise, tensor, where, type DeviceName, type Tensor } from '../../index.js';
import { UNARY } from '../../ops/unary.js';
import { BINARY, WHERE } from '../../ops/binary.js';
import type { ElementwiseDef } from '../../ops/elementwise.js';
import { assertClose, gradcheck, lcg } from '../helpers.js';

const test = suite('ops/gradients');

const differentiable = (defs: ElementwiseDef[]) => defs.filter((d) => d.backward && d.name !== 'cast');
const unaryDefs = differentiable(Object.values(UNARY));
const binaryDefs = differentiable(Object.values(BINARY));

function draw(def: ElementwiseDef, k: number, n: number, seed: number): number[] {
  const [lo, hi] = def.test?.domain?.[k] ?? [-3, 3];
  const r = lcg(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const weights = (n: number) => Array.from({ length: n }, (_, i) => 0.5 + ((i * 7) % 5) / 4);
/** A scalar loss that weights every output element differently, so each input's gradient is distinct. */
const weighted = (y: Tensor) => y.mul(tensor(weights(y.numel), { shape: [...y.shape], dtype: y.dtype, device: y.device })).sum();

for (const def of unaryDefs) {
  test(`${def.name}: backward matches finite differences (float64)`, async () => {
    const p = def.test?.params ?? [];
    await gradcheck((x) => weighted(elementwise(def, [x], p)), [{ shape: [2, 3], values: draw(def, 0, 6, 3) }], { msg: def.name });
  });
}

for (const def of binaryDefs) {
  test(`${def.name}: backward matches finite differences, broadcast and with numbers (float64)`, async () => {
    const a = { shape: [3, 1], values: draw(def, 0, 3, 5) };
    const b = { shape: [4], values: draw(def, 1, 4, 6) };
    await gradcheck((x, y) => weighted(elementwise(def, [x, y])), [a, b], { msg: `${def.name} broadcast` });
    const [na, nb] = [draw(def, 0, 1, 8)[0], draw(def, 1, 1, 9)[0]];
    await gradcheck((x) => weighted(elementwise(def, [x, nb])), [a], { msg: `${def.name}(tensor, ${nb})` });
    await gradcheck((y) => weighted(elementwise(def, [na, y])), [b], { msg: `${def.name}(${na}, tensor)` });
  });
}

test('where: gradients flow to the chosen operand only, with broadcasting', async () => {
  const cond = tensor([true, false, true], { dtype: 'bool' });
  await gradcheck((a, b) => weighted(where(cond, a, b)), [{ shape: [2, 3], values: draw(WHERE, 0, 6, 1) }, { shape: [1], values: [0.5] }]);
  await gradcheck((a) => weighted(where(cond, a, 2)), [{ shape: [3], values: [1, 2, 3] }]);
});

test('maximum and minimum share the gradient equally at ties, as finite differences do', async () => {
  const a = { shape: [4], values: [1, 2, 3, 4] };
  const b = { shape: [4], values: [1, 0, 3, 5] };
  for (const name of ['maximum', 'minimum'] as const) {
    await gradcheck((x, y) => weighted(x[name](y)), [a, b], { msg: name });
    await gradcheck((x) => weighted(x[name](3)), [a], { msg: `${name} with a number` });
  }
});

test('pow at a zero base: d/db is 0 there, as torch', async () => {
  const a = tensor([0, 2], { dtype: 'f64', requiresGrad: true });
  const b = tensor([2, 3], { dtype: 'f64', requiresGrad: true });
  a.pow(b).sum().backward();
  assert.equal(await a.grad!.toArray(), [0, 12]);
  assert.equal(await b.grad!.toArray(), [0, 8 * Math.log(2)]);
});

// ---- reductions ---------------------------------------------------------------------------------------------------

const X = { shape: [3, 4], values: Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.7) * 2 + 0.1) };
const DIM_CASES: { dim?: number | number[]; keepdim?: boolean }[] = [{}, { dim: 1 }, { dim: [0, 1], keepdim: true }, { dim: -2, keepdim: true }];

for (const name of ['sum', 'mean', 'prod', 'amax', 'amin', 'logsumexp'] as const) {
  test(`${name}: backward matches finite differences for dims, lists, keepdim`, async () => {
    for (const { dim, keepdim } of DIM_CASES) {
      await gradcheck((x) => weighted(x[name](dim, keepdim)), [X], { msg: `${name}(${dim}, ${keepdim})` });
    }
  });
}

test('var and std with corrections, norm for p = 1, 2, 3, inf', async () => {
  for (const correction of [0, 1, 2]) {
    for (const dim of [undefined, 1, [0, 1]]) {
      await gradcheck((x) => weighted(x.var(dim, { correction })), [X], { msg: `var(${dim}, correction ${correction})` });
      await gradcheck((x) => weighted(x.std(dim, { correction, keepdim: true })), [X], { msg: `std(${dim}, correction ${correction})` });
    }
  }
  for (const p of [1, 2, 3, Infinity]) await gradcheck((x) => weighted(x.norm(p, 1)), [X], { msg: `norm p=${p}` });
});

test('prod with one zero and with two zeros in a row', async () => {
  await gradcheck((x) => weighted(x.prod(1)), [{ shape: [3, 3], values: [0, 2, 3, 0, 0, 4, 1, 2, 0.5] }]);
  await gradcheck((x) => x.prod(), [{ shape: [4], values: [2, 0, 3, -1] }]);
});

test('amax and amin share the gradient equally among tied extremes, as torch', async () => {
  // two-way ties: the equal split is what central differences see
  const tied = { shape: [2, 3], values: [1, 3, 3, 2, 5, 2] };
  await gradcheck((x) => weighted(x.amax(1)), [tied]);
  await gradcheck((x) => weighted(x.amin(-1, true)), [tied]);
  await gradcheck((x) => x.max(), [tied]);
  const x = tensor([2, 2, 2, 1], { requiresGrad: true });
  x.amax().backward();
  assert.equal(await x.grad!.toArray(), [1 / 3, 1 / 3, 1 / 3, 0].map(Math.fround));
});

test('logsumexp rows with -inf entries have finite gradients', async () => {
  const x = tensor([[0, -Infinity, 1], [-Infinity, -Infinity, 2]], { dtype: 'f64', requiresGrad: true });
  x.logsumexp(1).sum().backward();
  const e = Math.E;
  assertClose(await x.grad!.data(), [1 / (1 + e), 0, e / (1 + e), 0, 0, 1]);
});

// ---- broadcasting in backward ----------------------------------------------------------------------------------

test('sumTo: broadcast gradients are summed back to every operand shape', async () => {
  const shapes = [[2, 1, 3], [4, 1], [3], [1, 1, 1], []];
  for (const s1 of shapes) {
    for (const s2 of shapes) {
      const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
      await gradcheck((x, y) => weighted(x.mul(y).add(x)), [
        { shape: s1, values: draw(BINARY.mul, 0, n(s1), 2) }, { shape: s2, values: draw(BINARY.mul, 1, n(s2), 3) },
      ], { msg: `[${s1}] * [${s2}]` });
    }
  }
});

// ---- webgpu gradients against cpu gradients -----------------------------------------------------------------------

/** Gradients of `fn` at the same f32 inputs on one device. */
async function gradsOn(device: DeviceName, fn: (...xs: Tensor[]) => Tensor, inputs: { shape: number[]; values: number[] }[]) {
  const xs = inputs.map((i) => tensor(i.values, { shape: i.shape, device, requiresGrad: true }));
  fn(...xs).backward();
  return Promise.all(xs.map((x) => x.grad!.data()));
}

async function sameGradients(fn: (...xs: Tensor[]) => Tensor, inputs: { shape: number[]; values: number[] }[], msg: string) {
  const [cpu, gpu] = [await gradsOn('cpu', fn, inputs), await gradsOn('webgpu', fn, inputs)];
  cpu.forEach((c, k) => assertClose(gpu[k], c, { atol: 1e-4, rtol: 1e-3, msg: `${msg}: webgpu vs cpu gradient of input ${k}` }));
}

test('webgpu gradients match the cpu gradients: every differentiable unary and binary op', async () => {
  for (const def of unaryDefs) {
    const p = def.test?.params ?? [];
    await sameGradients((x) => weighted(elementwise(def, [x], p)), [{ shape: [5, 7], values: draw(def, 0, 35, 4) }], def.name);
  }
  for (const def of binaryDefs) {
    await sameGradients((x, y) => weighted(elementwise(def, [x, y])),
      [{ shape: [5, 1], values: draw(def, 0, 5, 5) }, { shape: [3], values: draw(def, 1, 3, 6) }], def.name);
  }
});

test('webgpu gradients match the cpu gradients: reductions and composites', async () => {
  const fns: [string, (x: Tensor) => Tensor][] = [
    ['sum', (x) => weighted(x.sum(1))], ['mean', (x) => weighted(x.mean([0, 1], true))], ['prod', (x) => weighted(x.prod(0))],
    ['amax', (x) => weighted(x.amax(1))], ['amin', (x) => weighted(x.amin())], ['var', (x) => weighted(x.var(1))],
    ['std', (x) => weighted(x.std(0, { correction: 0 }))], ['logsumexp', (x) => weighted(x.logsumexp(1))],
    ['norm', (x) => weighted(x.norm(2, 1))], ['views', (x) => weighted(x.T.slice(0, 1, 4, 2).reshape([-1]).unsqueeze(0).expand([2, 6]))],
  ];
  for (const [name, fn] of fns) await sameGradients(fn, [X], name);
});

// ---- second order -------------------------------------------------------------------------------------------------

/** Checks d/dx of (w . grad f(x)) from a createGraph backward against finite differences of grad f. */
async function secondOrder(f: (x: Tensor) => Tensor, values: number[], msg: string) {
  const w = weights(values.length);
  const gradAt = async (v: number[]) => {
    const x = tensor(v, { dtype: 'f64', requiresGrad: true });
    f(x).backward();
    return x.grad!.data();
  };
  const x = tensor(values, { dtype: 'f64', requiresGrad: true });
  f(x).backward(undefined, { createGraph: true });
  const g = x.grad!;
  x.grad = null;
  g.mul(tensor(w, { dtype: 'f64' })).sum().backward();
  const analytic = await x.grad!.data();
  const eps = 1e-6;
  const numeric = await Promise.all(values.map(async (_, j) => {
    const plus = values.map((v, i) => v + (i === j ? eps : 0));
    const minus = values.map((v, i) => v - (i === j ? eps : 0));
    const [gp, gm] = [await gradAt(plus), await gradAt(minus)];
    return w.reduce((s, wi, i) => s + (wi * (gp[i] - gm[i])) / (2 * eps), 0);
  }));
  assertClose(analytic, numeric, { atol: 1e-5, rtol: 1e-4, msg: `${msg}: second derivative` });
}

test('createGraph: second derivatives of tanh, mul, sigmoid, exp/log, var and logsumexp', async () => {
  const v = [0.3, -1.2, 0.8, 2.1];
  await secondOrder((x) => x.tanh().sum(), v, 'tanh');
  await secondOrder((x) => x.mul(x).mul(x).sum(), v, 'x*x*x');
  await secondOrder((x) => x.sigmoid().sum(), v, 'sigmoid');
  await secondOrder((x) => x.exp().add(1).log().sum(), v, 'log(1 + exp)');
  await secondOrder((x) => x.var(), v, 'var');
  await secondOrder((x) => x.logsumexp(0), v, 'logsumexp');
});

test.run();
