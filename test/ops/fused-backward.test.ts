// The fused backward paths of a training step: layerNorm/rmsNorm's input gradient in one row kernel
// (ops/norm-backward.ts) and gelu's gradient as one elementwise op (GELU_BACKWARD). A plain backward uses them; a
// backward with createGraph keeps the formulas written with tensor ops, so the two are compared here on both
// backends (strided inputs, no weight, f16), and the gelu gradient is checked against finite differences,
// its own gradient (second order) too.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gelu, grad, layerNorm, rmsNorm, tensor, tidy, type DeviceName, type Tensor } from '../../index.js';
import { elementwise } from '../../ops/elementwise.js';
import { GELU_BACKWARD } from '../../ops/unary.js';
import { DEVICES, assertClose, gradcheck, randomTensor, randomValues } from '../helpers.js';

const s = suite('ops/fused backward');

/** The gradients of `inputs` for loss(inputs), from a plain backward and from one with createGraph. */
async function bothSweeps(make: () => { inputs: Tensor[]; loss: Tensor }): Promise<[Float32Array[], Float32Array[]]> {
  const results: Float32Array[][] = [];
  for (const createGraph of [false, true]) {
    const { inputs, loss } = make();
    tidy(() => loss.backward(undefined, { createGraph }));
    results.push((await Promise.all(inputs.map((t) => t.grad!.data()))) as Float32Array[]);
    tidy(() => [...inputs, ...inputs.map((t) => t.grad!), loss].forEach((t) => t.dispose()));
  }
  return [results[0], results[1]];
}

const CASES: { what: string; shape: number[]; norm: number[]; view?: (t: Tensor) => Tensor }[] = [
  { what: 'rows of 70', shape: [6, 70], norm: [70] },
  { what: 'two normalised dims', shape: [2, 3, 9], norm: [3, 9] },
  { what: 'transposed input (strided rows)', shape: [33, 5], norm: [33], view: (t) => t.T },
];

for (const kind of ['layer', 'rms'] as const) {
  s(
    `${kind}Norm: the fused input gradient equals the composed formula (webgpu and cpu, with and without weight)`,
    async () => {
      for (const device of DEVICES) {
        for (const c of CASES) {
          for (const withWeight of [true, false]) {
            const [fused, composed] = await bothSweeps(() => {
              const base = randomTensor(c.shape, { device, seed: 5, lo: -3, hi: 3 }).requiresGrad_();
              const x = (c.view ?? ((t) => t))(base);
              const w = withWeight ? randomTensor(c.norm, { device, seed: 6 }).requiresGrad_() : null;
              const y = kind === 'layer' ? layerNorm(x, c.norm, w, null) : rmsNorm(x, c.norm, w);
              const loss = y.mul(randomTensor([...y.shape], { device, seed: 7 })).sum();
              return { inputs: w ? [base, w] : [base], loss };
            });
            fused.forEach((g, i) =>
              assertClose(g, composed[i], { atol: 2e-5, rtol: 1e-4, msg: `${device} ${c.what} input ${i}` }),
            );
          }
        }
      }
    },
  );
}

s('layerNorm: the fused input gradient of f16 tensors matches the f32 one to f16 rounding', async () => {
  const grads: Float32Array[] = [];
  for (const dtype of ['f32', 'f16'] as const) {
    const x = randomTensor([4, 40], { device: 'webgpu', seed: 8, dtype }).requiresGrad_();
    tidy(() =>
      layerNorm(x, 40)
        .mul(randomTensor([4, 40], { device: 'webgpu', seed: 9, dtype }))
        .sum()
        .backward(),
    );
    assert.is(x.grad!.dtype, dtype);
    grads.push((await x.grad!.cast('f32').data()) as Float32Array);
    [x, x.grad!].forEach((t) => t.dispose());
  }
  assertClose(grads[1], grads[0], { atol: 2e-2, rtol: 2e-2 });
});

s('gelu gradient: one op, equal on both backends and to finite differences; its own gradient too', async () => {
  const xs = [-4, -1.5, -0.3, 0, 0.2, 1, 2.5, 6];
  const g = [1, -2, 0.5, 3, 1, -1, 2, 0.25];
  const at = (device: DeviceName) => elementwise(GELU_BACKWARD, [tensor(g, { device }), tensor(xs, { device })]).data();
  const geluJs = (v: number) => (v / 2) * (1 + erfFd(v / Math.SQRT2));
  const h = 1e-4;
  const numeric = xs.map((v, i) => (g[i] * (geluJs(v + h) - geluJs(v - h))) / (2 * h));
  for (const device of DEVICES) assertClose(await at(device), numeric, { atol: 2e-5, rtol: 1e-4, msg: device });
  // the plain backward of gelu is that op; createGraph differentiates it again (x -> d gelu / dx)
  await gradcheck(
    (x) =>
      gelu(x)
        .mul(tensor(randomValues(8, 3), { dtype: 'f64' }))
        .sum(),
    [{ shape: [8], values: xs }],
    { msg: 'gelu' },
  );
  const inner = xs.slice(1, -1); // (a second difference of the series erf loses too many digits far out)
  const x = tensor(inner, { dtype: 'f64', requiresGrad: true });
  const slope = grad(gelu(x).sum(), x, { createGraph: true })[0]!;
  const curvature = await grad(slope.sum(), x)[0]!.data();
  const h2 = 1e-3;
  const slopeAt = (v: number) => (geluJs(v + h2) - geluJs(v - h2)) / (2 * h2);
  assertClose(
    curvature,
    inner.map((v) => (slopeAt(v + h2) - slopeAt(v - h2)) / (2 * h2)),
    { atol: 1e-5, rtol: 1e-4, msg: 'second order' },
  );
});

/** erf from its Taylor series (ample terms for |z| < 5), so the check does not reuse the kernel's approximation. */
function erfFd(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

s.run();
