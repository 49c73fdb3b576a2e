// softmax, logSoftmax, layerNorm, rmsNorm: the webgpu row kernels against the cpu reference (dims other than the
// last, non-contiguous views, odd and long rows, empty and one-element inputs, f16), stability and NaN/-inf rules,
// float64 gradient checks, webgpu gradients against cpu gradients, and the errors for bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { softmax, logSoftmax, layerNorm, rmsNorm, tensor, tidy, type Tensor, type DeviceName } from '../../index.js';
import { assertClose, assertTensorClose, assertThrows, gradcheck, randomTensor, randomValues } from '../helpers.js';

const s = suite('ops/fused');

/** Runs `fn` on inputs built identically on both devices and compares the webgpu result with the cpu reference. */
async function sameOnBoth(fn: (device: DeviceName) => Tensor, opts: { atol?: number; rtol?: number; msg?: string } = {}) {
  const [want, got] = tidy(() => [fn('cpu'), fn('webgpu')]);
  await assertTensorClose(got, want, { atol: 2e-6, rtol: 1e-5, ...opts });
  want.dispose();
  got.dispose();
}

const rand = (shape: number[], device: DeviceName, seed = 1, scale = 2) =>
  randomTensor(shape, { device, seed, lo: -scale, hi: scale });

// ---- softmax / logSoftmax ----------------------------------------------------------------------------------------

const SOFTMAX_CASES: { shape: number[]; dim: number; view?: (t: Tensor) => Tensor; what: string }[] = [
  { shape: [3, 5], dim: -1, what: 'last dim' },
  { shape: [3, 5], dim: 0, what: 'first dim' },
  { shape: [2, 3, 4], dim: 1, what: 'middle dim' },
  { shape: [5, 7], dim: 1, view: (t) => t.T, what: 'transposed input' },
  { shape: [4, 9, 3], dim: 0, view: (t) => t.slice(1, 0, 9, 2).permute([2, 1, 0]), what: 'stepped, permuted view' },
  { shape: [1000, 7], dim: 1, what: 'short rows sharing workgroups, the last one partly empty' },
  { shape: [6, 300], dim: 1, what: 'rows longer than the 64-thread workgroup' },
  { shape: [2, 2500], dim: -1, what: 'rows longer than the 256-thread workgroup' },
  { shape: [3, 1], dim: 1, what: 'rows of one element' },
  { shape: [0, 5], dim: 1, what: 'empty batch' },
  { shape: [1], dim: 0, what: 'one element' },
  { shape: [], dim: -1, what: '0-d tensor' },
];

for (const [name, op] of [['softmax', softmax], ['logSoftmax', logSoftmax]] as const) {
  s(`${name}: webgpu kernel equals the cpu reference`, async () => {
    for (const c of SOFTMAX_CASES) {
      await sameOnBoth((device) => op((c.view ?? ((t) => t))(rand(c.shape, device)), c.dim), { msg: `${name} ${c.what}` });
    }
  });

  s(`${name}: large logits stay finite and exact`, async () => {
    await sameOnBoth((device) => op(rand([4, 33], device, 3, 1e4), 1), { rtol: 1e-5, atol: 1e-3, msg: name });
    const y = op(tensor([[1e4, 1e4 - 1, -1e4]], { device: 'webgpu' }), 1);
    const e = Math.exp(-1);
    const want = name === 'softmax' ? [1 / (1 + e), e / (1 + e), 0] : [-Math.log1p(e), -1 - Math.log1p(e), -2e4 - Math.log1p(e)];
    assertClose(await y.data(), want, { atol: 1e-6, rtol: 1e-6 });
  });

  s(`${name}: -inf entries are masked, a fully masked row is NaN, NaN spreads along its row only`, async () => {
    const rows = [[0, -Infinity, 1], [-Infinity, -Infinity, -Infinity], [2, NaN, 0], [Infinity, 1, 0]];
    const e = Math.E;
    const masked = name === 'softmax' ? [1 / (1 + e), 0, e / (1 + e)] : [-Math.log1p(e), -Infinity, 1 - Math.log1p(e)];
    for (const device of ['cpu', 'webgpu'] as const) {
      const y = await op(tensor(rows, { device }), 1).data();
      assertClose(y.slice(0, 3), masked, { atol: 1e-6, msg: `${device} partly masked row` });
      for (let i = 3; i < 12; i++) assert.ok(Number.isNaN(y[i]), `${device} ${name} element ${i} should be NaN, got ${y[i]}`);
    }
  });

  s(`${name}: f16 input computes in f32 and rounds once`, async () => {
    await sameOnBoth((device) => op(randomTensor([5, 70], { device, dtype: 'f16' }), 1), { atol: 2e-3, rtol: 2e-3 });
  });

  s(`${name}: gradient matches finite differences (float64), along dim 0 and 1`, async () => {
    const weights = randomValues(12, 9);
    for (const dim of [0, 1]) {
      await gradcheck((x) => op(x, dim).mul(tensor(weights, { shape: [3, 4], dtype: 'f64' })).sum(),
        [{ shape: [3, 4], values: randomValues(12, 4) }], { msg: `${name} dim ${dim}` });
    }
  });

  s(`${name}: webgpu gradient equals the cpu gradient (non-contiguous input)`, async () => {
    const grads = [];
    for (const device of ['cpu', 'webgpu'] as const) {
      const x = rand([6, 130], device, 5).requiresGrad_();
      const w = rand([130, 6], device, 6);
      op(x.T, 0).mul(w).sum().backward();
      grads.push(await x.grad!.data());
    }
    assertClose(grads[1], grads[0], { atol: 1e-5, rtol: 1e-4 });
  });
}

s('softmax: rows sum to one and methods match the functions', async () => {
  const x = rand([4, 50], 'webgpu', 7);
  assertClose(await x.softmax(-1).sum(-1).data(), [1, 1, 1, 1], { atol: 1e-6 });
  await assertTensorClose(x.logSoftmax(0), logSoftmax(x, 0), { atol: 0, rtol: 0 });
});

s('softmax, logSoftmax: bad input names the op and what is valid', () => {
  assertThrows(() => softmax(tensor([1, 2], { dtype: 'i32' }), 0), 'softmax', 'i32', 'valid dtypes');
  assertThrows(() => logSoftmax(tensor([[1, 2]]), 2), 'logSoftmax', 'dim 2', 'valid: -2..1');
  const x = tensor([1, 2]);
  x.dispose();
  assertThrows(() => softmax(x, 0), 'softmax', 'disposed');
});

// ---- layerNorm / rmsNorm -----------------------------------------------------------------------------------------

interface NormCase { shape: number[]; norm: number[]; view?: (t: Tensor) => Tensor; what: string }
const NORM_CASES: NormCase[] = [
  { shape: [4, 10], norm: [10], what: 'last dim' },
  { shape: [2, 3, 4], norm: [3, 4], what: 'two trailing dims' },
  { shape: [7, 5], norm: [7], view: (t) => t.T, what: 'transposed input (strided row)' },
  { shape: [3, 4, 2], norm: [4, 3], view: (t) => t.permute([2, 1, 0]).slice(0, 1).squeeze(0).unsqueeze(0), what: 'trailing dims no single stride walks' },
  { shape: [3, 1500], norm: [1500], what: 'rows longer than the 256-thread workgroup' },
  { shape: [101, 3], norm: [3], what: 'short rows sharing workgroups' },
  { shape: [0, 8], norm: [8], what: 'empty batch' },
  { shape: [1], norm: [1], what: 'one element' },
];

const affine = (norm: number[], device: DeviceName, seed: number) => randomTensor(norm, { device, seed, lo: 0.5, hi: 1.5 });

s('layerNorm, rmsNorm: webgpu kernel equals the cpu reference, with and without weight and bias', async () => {
  for (const c of NORM_CASES) {
    const input = (device: DeviceName) => (c.view ?? ((t) => t))(rand(c.shape, device, 11));
    for (const withAffine of [false, true]) {
      const msg = `${c.what}${withAffine ? ', affine' : ''}`;
      await sameOnBoth((d) => layerNorm(input(d), c.norm, withAffine ? affine(c.norm, d, 2) : null, withAffine ? affine(c.norm, d, 3) : null),
        { atol: 1e-5, rtol: 1e-4, msg: `layerNorm ${msg}` });
      await sameOnBoth((d) => rmsNorm(input(d), c.norm, withAffine ? affine(c.norm, d, 2) : null),
        { atol: 1e-5, rtol: 1e-4, msg: `rmsNorm ${msg}` });
    }
  }
});

s('layerNorm, rmsNorm: known values, large offsets, NaN rows, f16', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    // mean 2.5, biased variance 1.25
    const y = await layerNorm(tensor([[1, 2, 3, 4]], { device }), 4, null, null, 0).data();
    assertClose(y, [-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25)), { atol: 1e-6, msg: device });
    const r = await rmsNorm(tensor([[3, 4]], { device }), [2], null, 0).data();
    assertClose(r, [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)], { atol: 1e-6, msg: device });
    // two-pass variance: an offset of 1e4 does not cancel the variance away
    const big = await layerNorm(tensor([[1e4 + 1, 1e4 - 1]], { device }), 2, null, null, 0).data();
    assertClose(big, [1, -1], { atol: 1e-3, msg: `${device} offset` });
    const bad = await layerNorm(tensor([[1, NaN], [1, 2]], { device }), 2).data();
    assert.ok(Number.isNaN(bad[0]) && Number.isNaN(bad[1]) && Number.isFinite(bad[2]), `${device} NaN row`);
  }
  await sameOnBoth((d) => layerNorm(randomTensor([3, 40], { device: d, dtype: 'f16' }), 40), { atol: 1e-2, rtol: 1e-2 });
});

s('layerNorm, rmsNorm: gradients of input, weight and bias match finite differences (float64)', async () => {
  const weights = tensor(randomValues(24, 21), { shape: [2, 3, 4], dtype: 'f64' });
  const inputs = [
    { shape: [2, 3, 4], values: randomValues(24, 22) },
    { shape: [3, 4], values: randomValues(12, 23, 0.5, 1.5) },
    { shape: [3, 4], values: randomValues(12, 24) },
  ];
  await gradcheck((x, w, b) => layerNorm(x, [3, 4], w, b).mul(weights).sum(), inputs, { msg: 'layerNorm affine' });
  await gradcheck((x) => layerNorm(x, [4], null, null, 1e-3).mul(weights).sum(), inputs.slice(0, 1), { msg: 'layerNorm' });
  await gradcheck((x, w) => rmsNorm(x, [4], w.select(0, 0)).mul(weights).sum(), inputs.slice(0, 2), { msg: 'rmsNorm affine' });
  await gradcheck((x) => rmsNorm(x, [3, 4]).mul(weights).sum(), inputs.slice(0, 1), { msg: 'rmsNorm' });
});

s('layerNorm: webgpu gradients equal the cpu gradients', async () => {
  const grads: ArrayLike<number>[][] = [];
  for (const device of ['cpu', 'webgpu'] as const) {
    const x = rand([5, 70], device, 31).requiresGrad_();
    const w = affine([70], device, 32).requiresGrad_();
    const b = affine([70], device, 33).requiresGrad_();
    layerNorm(x, 70, w, b).mul(rand([5, 70], device, 34)).sum().backward();
    grads.push(await Promise.all([x.grad!.data(), w.grad!.data(), b.grad!.data()]));
  }
  grads[0].forEach((want, i) => assertClose(grads[1][i], want, { atol: 1e-4, rtol: 1e-4, msg: `gradient ${i}` }));
});

s('layerNorm, rmsNorm: bad input names the op and what is valid', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assertThrows(() => layerNorm(x, [2]), 'layerNorm', 'normalizedShape [2]', 'trailing dims', '[2, 3] f32');
  assertThrows(() => rmsNorm(x, [2, 2, 3]), 'rmsNorm', 'trailing dims');
  assertThrows(() => layerNorm(x, 3, tensor([1, 1])), 'layerNorm', 'weight [2] f32', 'normalizedShape [3]');
  assertThrows(() => layerNorm(x, 3, null, tensor([1, 1, 1], { dtype: 'f64' })), 'layerNorm', 'bias', 'dtype f32');
  assertThrows(() => rmsNorm(tensor([1, 2], { dtype: 'i32' }), 2), 'rmsNorm', 'i32', 'floating-point');
  assertThrows(() => layerNorm(x, 3, null, null, -1), 'layerNorm', 'eps');
});

s.run();
