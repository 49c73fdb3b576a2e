// matmul and friends: torch's 1-D/2-D/batched rules, webgpu against the cpu reference on odd sizes past one tile,
// transposed and broadcast operands, K = 0, f16, and their gradients.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bmm, countDispatches, linear, matmul, outer, tensor, tidy, type DType, type Tensor } from '../../index.js';
import { executorStats } from '../../core/executor.js';
import { assertClose, assertThrows, gradcheck, randomValues } from '../helpers.js';

const test = suite('ops/matmul');
const DEVICES = ['cpu', 'webgpu'] as const;

const make = (shape: number[], seed: number, device: 'cpu' | 'webgpu', dtype: DType = 'f32') =>
  tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), { shape, device, dtype });

/** Builds operands from `shapes` on both devices, applies `fn`, and compares shape and values. */
async function compare(shapes: number[][], fn: (...xs: Tensor[]) => Tensor, want: number[], msg: string, dtype: DType = 'f32') {
  const [cpu, gpu] = DEVICES.map((device) => fn(...shapes.map((s, k) => make(s, k + 1, device, dtype))));
  assert.equal([...cpu.shape], want, `${msg}: shape`);
  assert.equal([...gpu.shape], want, `${msg}: webgpu shape`);
  const tol = dtype === 'f16' ? { atol: 5e-2, rtol: 2e-2 } : { atol: 1e-4, rtol: 1e-4 };
  assertClose(await gpu.data(), await cpu.data(), { ...tol, msg });
}

test('shape rules: 1-D, 2-D, batched and broadcast batches, as torch.matmul', async () => {
  const cases: [number[], number[], number[]][] = [
    [[5], [5], []], [[5], [5, 3], [3]], [[4, 5], [5], [4]], [[4, 5], [5, 3], [4, 3]],
    [[2, 4, 5], [5], [2, 4]], [[5], [2, 5, 3], [2, 3]], [[2, 4, 5], [5, 3], [2, 4, 3]],
    [[4, 5], [2, 5, 3], [2, 4, 3]], [[2, 1, 4, 5], [3, 5, 6], [2, 3, 4, 6]],
  ];
  for (const [a, b, out] of cases) await compare([a, b], (x, y) => x.matmul(y), out, `[${a}] @ [${b}]`);
});

test('odd sizes beyond one 64x64 tile, rectangular, single row and column', async () => {
  for (const [M, K, N] of [[67, 65, 129], [1, 130, 1], [130, 1, 3], [3, 200, 70], [65, 17, 64]]) {
    await compare([[M, K], [K, N]], matmul, [M, N], `${M}x${K} @ ${K}x${N}`);
  }
});

test('transposed, sliced and expanded operands are read through strides', async () => {
  await compare([[65, 70], [33, 65]], (a, b) => a.T.matmul(b.T), [70, 33], 'a.T @ b.T');
  await compare([[40, 90], [30, 45]], (a, b) => a.slice(1, 0, 90, 2).matmul(b.T.slice(0, 0, 45)), [40, 30], 'step-sliced a');
  await compare([[1, 6, 7], [3, 7, 5]], (a, b) => a.expand([3, 6, 7]).matmul(b.permute([0, 2, 1]).transpose(1, 2)), [3, 6, 5], 'expanded batch');
});

test('K = 0 gives zeros; M or N = 0 gives an empty result', async () => {
  for (const device of DEVICES) {
    const z = matmul(make([3, 0], 1, device), make([0, 4], 2, device));
    assert.equal(await z.toArray(), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], device);
    assert.equal([...matmul(make([0, 5], 1, device), make([5, 4], 2, device)).shape], [0, 4]);
  }
});

test('f16 operands on both devices (accumulating in f32)', async () => {
  await compare([[33, 40], [40, 17]], matmul, [33, 17], 'f16 matmul', 'f16');
});

test('bmm, outer and linear', async () => {
  await compare([[3, 4, 5], [3, 5, 2]], bmm, [3, 4, 2], 'bmm');
  await compare([[7], [4]], outer, [7, 4], 'outer');
  await compare([[2, 3, 5], [4, 5], [4]], (x, w, b) => linear(x, w, b), [2, 3, 4], 'linear with bias');
  await compare([[6, 5], [4, 5]], (x, w) => linear(x, w), [6, 4], 'linear without bias');
});

test('errors name the op, both shapes and what is valid, and change nothing', async () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  assertThrows(() => matmul(a, a), 'matmul:', '[2, 3] f32', 'columns', 'rows');
  assertThrows(() => matmul(tensor(1), a), 'matmul:', 'at least one dim');
  assertThrows(() => matmul(tensor([[1]], { dtype: 'i32' }), tensor([[1]], { dtype: 'i32' })), 'matmul:', 'float', 'i32');
  assertThrows(() => matmul(tensor([[[1, 2]]]).expand([2, 1, 2]), tensor([[[1], [2]]]).expand([3, 2, 1])), 'matmul:', 'broadcast');
  assertThrows(() => bmm(a, a), 'bmm:', '3-D');
  assertThrows(() => outer(a, a), 'outer:', '1-D');
  assertThrows(() => linear(a, tensor([[1, 2]])), 'linear:', '[2, 3]', '[1, 2]');
  assert.equal(await a.toArray(), [[1, 2, 3], [4, 5, 6]]);
});

test('gradients: finite differences for every shape rule, webgpu against cpu', async () => {
  const cases: [number[], number[]][] = [[[3], [3]], [[3], [3, 2]], [[2, 3], [3]], [[2, 1, 2, 3], [4, 3, 2]], [[2, 3], [3, 2]]];
  for (const [sa, sb] of cases) {
    const n = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const w = (t: Tensor) => t.mul(tensor(randomValues(t.numel, 9), { shape: [...t.shape], dtype: t.dtype })).sum();
    await gradcheck((a, b) => w(a.matmul(b)), [{ shape: sa, values: randomValues(n(sa), 1) }, { shape: sb, values: randomValues(n(sb), 2) }], { msg: `[${sa}] @ [${sb}]` });
  }
  const grads = await Promise.all(DEVICES.map(async (device) => {
    const a = make([70, 33], 1, device).requiresGrad_();
    const b = make([33, 66], 2, device).requiresGrad_();
    a.matmul(b).square().mean().backward();
    return [await a.grad!.data(), await b.grad!.data()];
  }));
  assertClose(grads[1][0], grads[0][0], { atol: 1e-5, rtol: 1e-3, msg: 'webgpu grad of a' });
  assertClose(grads[1][1], grads[0][1], { atol: 1e-5, rtol: 1e-3, msg: 'webgpu grad of b' });
});

test('linear adds a bias of shape [out] in the matmul kernel: one dispatch forward; other bias shapes add', async () => {
  const x = make([6, 5], 1, 'webgpu'); const w = make([4, 5], 2, 'webgpu');
  const dispatchesOf = (f: () => Tensor) => { const before = executorStats().dispatches; const y = f(); return [executorStats().dispatches - before, y] as const; };
  const [fused, y] = dispatchesOf(() => linear(x, w, make([4], 3, 'webgpu')));
  assert.is(fused, 1, 'linear with a [4] bias');
  assert.is(dispatchesOf(() => linear(x, w, make([1], 3, 'webgpu')))[0], 1, 'linear with a one-element bias');
  assert.is(dispatchesOf(() => linear(x, w, make([1, 4], 3, 'webgpu')))[0], 2, 'a [1, 4] bias broadcasts as an add');
  const ref = linear(make([6, 5], 1, 'cpu'), make([4, 5], 2, 'cpu'), make([4], 3, 'cpu'));
  assertClose(await y.data(), await ref.data(), { atol: 1e-5, msg: 'fused linear' });
  await compare([[5], [4, 5], [4]], (a, b, c) => linear(a, b, c), [4], '1-D input with bias');
  await compare([[3, 5], [4, 5], [1]], (a, b, c) => linear(a, b, c), [3, 4], 'one-element bias broadcast');
  await compare([[3, 5], [4, 5], [1, 4]], (a, b, c) => linear(a, b, c), [3, 4], '[1, 4] bias');
  await compare([[2, 3, 5], [4, 5], [4]], (a, b, c) => linear(a, b, c), [2, 3, 4], 'f16 linear with bias', 'f16');
  assertThrows(() => linear(x, w, make([3], 3, 'webgpu')), 'linear:', 'bias [3] f32', 'expected bias [4]');
});

test('linear gradients: finite differences in float64 for x, W and the bias; webgpu against cpu', async () => {
  const n = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const w = (t: Tensor) => t.mul(tensor(randomValues(t.numel, 9), { shape: [...t.shape], dtype: t.dtype })).sum();
  for (const [sx, sb] of [[[2, 3, 4], [5]], [[4], [5]], [[3, 4], [1]], [[3, 4], []]] as const) {
    const inputs = [sx, [5, 4], sb].map((s, k) => ({ shape: [...s], values: randomValues(n([...s]), k + 1) }));
    await gradcheck((x, wt, b) => w(linear(x, wt, b)), inputs, { msg: `linear [${sx}] bias [${sb}]` });
  }
  const grads = await Promise.all(DEVICES.map(async (device) => {
    const [x, wt, b] = [make([3, 70, 33], 1, device), make([66, 33], 2, device), make([66], 3, device)].map((t) => t.requiresGrad_());
    linear(x, wt, b).square().mean().backward();
    return Promise.all([x, wt, b].map((t) => t.grad!.data()));
  }));
  for (const [k, name] of ['x', 'W', 'bias'].entries()) assertClose(grads[1][k], grads[0][k], { atol: 1e-5, rtol: 1e-3, msg: `webgpu grad of ${name}` });
});

test('linear backward: the weight gradient is made in the weight\'s layout and is not copied into .grad', async () => {
  const [x, wt, b] = [make([3, 8, 5], 1, 'webgpu'), make([4, 5], 2, 'webgpu'), make([4], 3, 'webgpu')].map((t) => t.requiresGrad_());
  const y = linear(x, wt, b);
  const g = make([3, 8, 4], 4, 'webgpu');
  const c = countDispatches(() => tidy(() => y.backward(g)));
  // g W for x, g^T x for W, the row sum for the bias: no copy (a transposed gradient would be copied into .grad)
  assert.equal(c.byKernel.map(([k]) => k.split('|')[0]).sort(), ['matmul', 'matmul', 'red'], c.byKernel.map(([k, m]) => `${m} ${k}`).join('; '));
  assert.ok(wt.grad!.isContiguous(), 'W.grad is contiguous');
  const want = linearGradOfW(await g.data(), await x.data(), [24, 4, 5]);
  assertClose(await wt.grad!.data(), want, { atol: 1e-5, msg: 'W.grad = g^T x over every row' });
  [x, wt, b, y, g, x.grad!, wt.grad!, b.grad!].forEach((t) => t.dispose());
});

/** g^T x for g [rows, out] and x [rows, in], row-major: the weight gradient of linear written out. */
function linearGradOfW(g: ArrayLike<number>, x: ArrayLike<number>, [rows, out, inn]: number[]): number[] {
  return Array.from({ length: out * inn }, (_, k) => {
    const [o, i] = [Math.floor(k / inn), k % inn];
    let s = 0;
    for (let r = 0; r < rows; r++) s += g[r * out + o] * x[r * inn + i];
    return s;
  });
}

test.run();
