// The fused backward paths of a training step: layerNorm/rmsNorm's input gradient (and g xhat, the summand of the
// weight's) in one row kernel (ops/norm-backward.ts), gelu's gradient as one elementwise op (GELU_BACKWARD) and
// cross-entropy's gradient in one row kernel (crossEntropyGrad). A plain backward uses the first two; a backward with createGraph keeps the
// formulas written with tensor ops, so the two are compared here on both backends (strided inputs, no weight, f16),
// and the gelu gradient is checked against finite differences, its own gradient (second order) too. The
// cross-entropy gradient is the loss's only backward: its kernel is checked against its cpu reference here (whose
// formula the float64 gradchecks of test/ops/losses.test.ts and test/grad/second-order.test.ts check), with the
// dispatches a backward of the loss records.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  countDispatches,
  crossEntropy,
  gelu,
  grad,
  layerNorm,
  rmsNorm,
  tensor,
  tidy,
  type DeviceName,
  type Tensor,
} from '../../index.js';
import { elementwise } from '../../ops/elementwise.js';
import { GELU_BACKWARD } from '../../ops/unary.js';
import { crossEntropyGrad } from '../../ops/cross-entropy-backward.js';
import { DEVICES, assertClose, gradcheck, lcg, randomTensor, randomValues } from '../helpers.js';

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

s('layerNorm: the fused gradients of f16 tensors (input and weight) match the f32 ones to f16 rounding', async () => {
  const grads: Float32Array[][] = [];
  for (const dtype of ['f32', 'f16'] as const) {
    const x = randomTensor([4, 40], { device: 'webgpu', seed: 8, dtype }).requiresGrad_();
    const w = randomTensor([40], { device: 'webgpu', seed: 10, dtype }).requiresGrad_();
    tidy(() =>
      layerNorm(x, 40, w)
        .mul(randomTensor([4, 40], { device: 'webgpu', seed: 9, dtype }))
        .sum()
        .backward(),
    );
    assert.is(x.grad!.dtype, dtype);
    grads.push(await Promise.all([x, w].map(async (t) => (await t.grad!.cast('f32').data()) as Float32Array)));
    [x, x.grad!, w, w.grad!].forEach((t) => t.dispose());
  }
  assertClose(grads[1][0], grads[0][0], { atol: 2e-2, rtol: 2e-2, msg: 'input' });
  assertClose(grads[1][1], grads[0][1], { atol: 2e-2, rtol: 2e-2, msg: 'weight' });
});

s(
  'layerNorm backward with weight and bias: three dispatches (dx and g xhat in one row kernel, two batch sums)',
  async () => {
    const kernelsOf = async (xNeedsGrad: boolean) => {
      const x = randomTensor([6, 70], { device: 'webgpu', seed: 11, requiresGrad: xNeedsGrad });
      const [w, b] = [12, 13].map((seed) => randomTensor([70], { device: 'webgpu', seed }).requiresGrad_());
      const y = layerNorm(x, 70, w, b);
      const g = randomTensor([6, 70], { device: 'webgpu', seed: 14 });
      const c = countDispatches(() => tidy(() => y.backward(g)));
      await w.grad!.data();
      [x, w, b, y, g, w.grad!, b.grad!, ...(x.grad ? [x.grad] : [])].forEach((t) => t.dispose());
      return c.byKernel.flatMap(([k, n]) => Array<string>(n).fill(k.split('|').slice(0, 2).join('|'))).sort();
    };
    // x inside a network (here: a tensor whose gradient nobody keeps): dx goes on as a view of the kernel's output
    assert.equal(await kernelsOf(false), ['normBackward|layer', 'red|sum', 'red|sum']);
    // x a leaf: its .grad gets a copy of dx, which shares its storage with g xhat
    assert.equal(await kernelsOf(true), ['ew|a', 'normBackward|layer', 'red|sum', 'red|sum']);
  },
);

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

// ---- cross-entropy ----------------------------------------------------------------------------------------------

/** Class indices in [0, classes) of `shape`, every third one ignored (-100) when asked. */
function classTargets(shape: number[], classes: number, device: DeviceName, seed: number, ignore: boolean): Tensor {
  const r = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (ignore && i % 3 === 1 ? -100 : Math.floor(r() * classes)));
  return tensor(values, { shape, dtype: 'i32', device });
}

// logits of `shape` seen through `view`; g per row either random and read through a transposed view, or one
// scalar expanded (every stride 0), as a mean reduction hands it over
const CE_CASES: { what: string; shape: number[]; view?: (t: Tensor) => Tensor }[] = [
  { what: 'odd class count', shape: [5, 37] },
  { what: 'one class', shape: [4, 1] },
  { what: 'extra dims [N, C, d1, d2]', shape: [3, 5, 2, 3] },
  { what: 'transposed logits (class stride N)', shape: [9, 6], view: (t) => t.T },
  { what: 'a slice of the classes (odd offset, row stride 1)', shape: [4, 13], view: (t) => t.narrow(1, 3, 7) },
  { what: 'empty batch', shape: [0, 5] },
  { what: 'rows longer than a workgroup', shape: [3, 700] },
];

s(
  'crossEntropyGrad: the row kernel equals its cpu reference (weights, smoothing, ignored rows, strided g)',
  async () => {
    for (const c of CE_CASES) {
      for (const weighted of [false, true]) {
        for (const [smoothing, ignore] of [
          [0, false],
          [0.2, true],
        ] as const) {
          for (const expanded of [false, true]) {
            const at = (device: DeviceName) =>
              tidy(() => {
                const x = (c.view ?? ((t) => t))(randomTensor(c.shape, { device, seed: 31, lo: -4, hi: 4 }));
                const rows = [x.shape[0], ...x.shape.slice(2)];
                const C = x.shape[1];
                const t = classTargets(rows, C, device, 32, ignore);
                const g = expanded
                  ? tensor(0.7, { device }).expand(rows)
                  : randomTensor([...rows].reverse(), { device, seed: 33 }).permute(
                      rows.map((_, i) => rows.length - 1 - i),
                    );
                const w = weighted ? randomTensor([C], { device, seed: 34, lo: 0.2, hi: 2 }) : null;
                return crossEntropyGrad(x, t, g, w, { ignoreIndex: -100, labelSmoothing: smoothing, weight: weighted });
              });
            const [want, got] = [at('cpu'), at('webgpu')];
            const msg = `${c.what}, weight ${weighted}, smoothing ${smoothing}, expanded g ${expanded}`;
            assert.equal([...got.shape], [...want.shape], msg);
            assertClose(await got.data(), await want.data(), { atol: 1e-6, rtol: 1e-5, msg });
            [want, got].forEach((t) => t.dispose());
          }
        }
      }
    }
  },
);

s(
  'crossEntropyGrad: ignored rows are exactly 0 even where the logits are -inf; a bad class gives NaN on webgpu',
  async () => {
    const x = tensor(
      [
        [-Infinity, -Infinity, -Infinity],
        [1, 2, 3],
        [0, 1, 2],
      ],
      { device: 'webgpu' },
    );
    const t = tensor([-100, 7, 2], { dtype: 'i32', device: 'webgpu' });
    const dx = crossEntropyGrad(x, t, tensor(1, { device: 'webgpu' }).expand([3]), null, {
      ignoreIndex: -100,
      labelSmoothing: 0,
      weight: false,
    });
    const v = await dx.data();
    assertClose(v.slice(0, 3), [0, 0, 0], { atol: 0, msg: 'ignored row of -inf' });
    assert.ok(v.slice(3, 6).every(Number.isNaN), 'class 7 of 3 (out of range, not ignored): NaN, as the loss');
    const e = [0, 1, 2].map(Math.exp);
    const p = e.map((v) => v / (e[0] + e[1] + e[2]));
    assertClose(v.slice(6), [p[0], p[1], p[2] - 1], { atol: 1e-6, msg: 'softmax minus one-hot' });
    [x, t, dx].forEach((u) => u.dispose());
  },
);

s(
  'crossEntropy: a backward records one dispatch for the loss, three with the mean reduction; the mean takes five',
  async () => {
    const x = randomTensor([16, 50], { device: 'webgpu', seed: 35 }).requiresGrad_();
    const t = classTargets([16], 50, 'webgpu', 36, true);
    const w = randomTensor([50], { device: 'webgpu', seed: 37, lo: 0.5, hi: 2 });
    const opts = { weight: w, labelSmoothing: 0.1 };
    const perRow = crossEntropy(x, t, { ...opts, reduction: 'none' });
    const g = randomTensor([16], { device: 'webgpu', seed: 38 });
    const plain = countDispatches(() => tidy(() => perRow.backward(g)));
    assert.equal(
      plain.byKernel.map(([k]) => k.split('|')[0]),
      ['xentBackward'],
      `one row kernel: ${plain.byKernel.map(([k, n]) => `${n} ${k}`).join('; ')}`,
    );
    x.grad!.dispose();
    x.grad = null;
    const mean = crossEntropy(x, t, opts);
    const c = countDispatches(() => tidy(() => mean.backward()));
    assert.is(
      c.dispatches,
      3,
      `the seed, g / total, the row kernel: ${c.byKernel.map(([k, n]) => `${n} ${k}`).join('; ')}`,
    );
    await x.grad!.data();
    // the unweighted mean's forward: the row kernel, the count of targets not ignored (a sum of t != ignoreIndex,
    // divided into the float sum as an integer, not cast first), the sum of the losses, the division
    const forward = countDispatches(() => tidy(() => crossEntropy(x, t)));
    assert.is(forward.dispatches, 5, forward.byKernel.map(([k, n]) => `${n} ${k}`).join('; '));
    [x, x.grad!, t, w, perRow, g, mean, forward.value].forEach((u) => u.dispose());
  },
);

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
