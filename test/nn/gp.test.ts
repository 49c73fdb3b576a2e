import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn } from '../../index.js';

const { gp } = nn;
const s = suite('nn/gp');
const close = (a: number, b: number, tol: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

s('cholesky of [[4, 2], [2, 3]] is [[2, 0], [1, √2]]; solves invert it', () => {
  const a = Float64Array.of(4, 2, 2, 3);
  const l = gp.cholesky(a, 2)!;
  assert.equal(Array.from(l.subarray(0, 3)), [2, 0, 1]);
  close(l[3], Math.SQRT2, 1e-15);
  const x = gp.choleskySolve(l, Float64Array.of(1, 2), 2); // A⁻¹ = [[3, −2], [−2, 4]] / 8
  close(x[0], (3 - 4) / 8, 1e-15);
  close(x[1], (-2 + 8) / 8, 1e-15);
  close(gp.logDetFromCholesky(l, 2), Math.log(8), 1e-14);
});

s('choleskyJitter: a singular matrix factors only after adding jitter, and names it', () => {
  const a = Float64Array.of(1, 1, 1, 1);
  assert.is(gp.cholesky(a, 2), null);
  const { l, jitter } = gp.choleskyJitter(a, 2);
  assert.is(jitter, 1e-8); // the first try: mean diagonal · 1e-8
  close(l[0] * l[0], 1 + jitter, 1e-15);
  close(l[2] * l[2] + l[3] * l[3], 1 + jitter, 1e-12);
  assert.throws(() => gp.choleskyJitter(Float64Array.of(-1, 0, 0, -1), 2), /not positive definite/);
});

s("kernel values of spec §7 at x = [0, 1, 2], x' = [0, 1, 1]", () => {
  const x = [[0, 1, 2]];
  const y = [[0, 1, 1]];
  const dims = [0, 1, 2];
  const flat = gp.overlapKernel({ dims, ard: false });
  close(flat.matrix(x, y, flat.initialParams())[0], 2 / 3, 1e-15, 'O');
  const ard = Float64Array.from([1, 2, 1], Math.log);
  close(gp.overlapKernel({ dims }).matrix(x, y, ard)[0], 0.75, 1e-15, 'O ARD');
  close(gp.transformedOverlapKernel({ dims, ard: false }).matrix(x, y, new Float64Array(0))[0], 1.94773, 1e-5, 'TO');
  close(gp.transformedOverlapKernel({ dims }).matrix(x, y, ard)[0], 2.117, 1e-5, 'TO ARD');
  close(
    gp.matern52Kernel({ dims: [0], ard: false }).matrix([[0]], [[1]], Float64Array.of(0))[0],
    0.523994,
    1e-6,
    'Matérn r=1',
  );
  close(gp.diffusionFactor(3, 1), 0.364175, 1e-6, 'diffusion factor');
  const diff = gp.diffusionKernel({ dims, nCats: [3, 3, 3] });
  close(diff.matrix(x, y, Float64Array.of(0, 0, 0))[0], 0.364175, 1e-6, 'diffusion kernel: one mismatch');
  const hed = gp.hedKernel({
    dims: [0, 1],
    nCats: [2, 2],
    dictionary: [
      [0, 0],
      [1, 1],
    ],
  });
  assert.equal(Array.from(hed.embed([0, 1])), [0.5, 0.5]);
});

s('mixture: (1 − λ)(k_c + k_n) + λ k_c k_n at λ = 0.5', () => {
  const kc = gp.overlapKernel({ dims: [0, 1], ard: false });
  const kn = gp.matern52Kernel({ dims: [2], ard: false });
  const mix = gp.mixtureKernel(kc, kn, 0.5);
  const k = mix.matrix([[0, 1, 0]], [[0, 0, 1]], Float64Array.of(0))[0];
  close(k, 0.5 * (0.5 + 0.523994) + 0.5 * 0.5 * 0.523994, 1e-6);
});

function randomPoints(n: number, rng: () => number): number[][] {
  return Array.from({ length: n }, () => [
    Math.floor(rng() * 3),
    Math.floor(rng() * 3),
    Math.floor(rng() * 2),
    rng(),
    rng(),
  ]);
}

function kernels(): [string, nn.gp.Kernel][] {
  const cat = [0, 1, 2];
  const nCats = [3, 3, 2];
  const hed = gp.hedKernel({ dims: cat, nCats, nDict: 8 });
  hed.refresh!(nn.data.seededRandom(5));
  return [
    ['matern52 ARD', gp.matern52Kernel({ dims: [3, 4] })],
    ['overlap ARD', gp.overlapKernel({ dims: cat })],
    ['transformed overlap', gp.transformedOverlapKernel({ dims: cat })],
    ['diffusion', gp.diffusionKernel({ dims: cat, nCats })],
    ['hed', hed],
    [
      'scale(mixture(TO, matern))',
      gp.scaleKernel(gp.mixtureKernel(gp.transformedOverlapKernel({ dims: cat }), gp.matern52Kernel({ dims: [3, 4] }))),
    ],
  ];
}

s('every kernel is positive semi-definite on random inputs (Cholesky of K + 1e-9 n I succeeds)', () => {
  const rng = nn.data.seededRandom(1);
  for (const [name, k] of kernels()) {
    const x = randomPoints(25, rng);
    const p = k.initialParams().map((v) => v + (rng() - 0.5));
    const m = k.matrix(x, x, p);
    for (let i = 0; i < 25; i++) m[i * 25 + i] += 1e-9 * 25;
    assert.ok(gp.cholesky(m, 25), `${name} is not PSD`);
    const d = k.diag(x, p);
    for (let i = 0; i < 25; i++) close(d[i], m[i * 25 + i] - 1e-9 * 25, 1e-12, `${name} diag`);
  }
});

s('MLL gradient matches central finite differences for every kernel and for mean and noise', () => {
  const rng = nn.data.seededRandom(2);
  for (const [name, k] of kernels()) {
    const x = randomPoints(12, rng);
    const y = Float64Array.from(x, (p) => Math.sin(3 * p[3]) + 0.3 * p[0] - 0.2 * p[1] + 0.1 * (rng() - 0.5));
    const h = Float64Array.of(0.1, -3, ...k.initialParams().map((v) => v + 0.6 * (rng() - 0.5)));
    const { grad } = gp.marginalLogLikelihood(k, x, y, h);
    for (let i = 0; i < h.length; i++) {
      const e = 1e-6;
      const up = h.slice();
      up[i] += e;
      const dn = h.slice();
      dn[i] -= e;
      const fd = (gp.marginalLogLikelihood(k, x, y, up).value - gp.marginalLogLikelihood(k, x, y, dn).value) / (2 * e);
      close(grad[i], fd, 1e-6 + 1e-5 * Math.abs(fd), `${name} ∂/∂h[${i}]`);
    }
  }
});

s('MLL equals the direct formula on two points (2x2 inverse and determinant by hand)', () => {
  const k = gp.matern52Kernel({ dims: [0], ard: false });
  const x = [[0], [1]];
  const y = Float64Array.of(1, -0.5);
  const h = Float64Array.of(0.2, Math.log(0.1 - 1e-5), 0); // mean 0.2, noise 0.1, ℓ = 1
  const got = gp.marginalLogLikelihood(k, x, y, h, { noisePrior: null }).value;
  const [a, b] = [1.1, 0.523994]; // K + noise I = [[a, b], [b, a]]
  const det = a * a - b * b;
  const [r0, r1] = [0.8, -0.7];
  const quad = (a * r0 * r0 - 2 * b * r0 * r1 + a * r1 * r1) / det;
  close(got, (-0.5 * quad - 0.5 * Math.log(det) - Math.log(2 * Math.PI)) / 2, 1e-6);
});

s('posterior: closed form on two points, and interpolation at a training point with tiny noise', () => {
  const k = gp.matern52Kernel({ dims: [0], ard: false });
  const model = new gp.ExactGP(k, { noisePrior: null, noiseFloor: 1e-9 });
  model.fit([[0], [1]], [1, -1], { epochs: 0 });
  model.hyper = Float64Array.of(0, Math.log(1e-8), 0); // mean 0, noise ~1e-8, ℓ = 1 (y standardised: ±1/√2)
  model.fit([[0], [1]], [1, -1], { epochs: 0 });
  const p = model.predict([[0], [0.5]]);
  close(p.mean[0], 1, 1e-6, 'interpolates');
  // at x = 0.5 both kernel values are c = k(0.5); mean = c (α0 + α1) = 0 by symmetry; var = 1 − 2c²/(1 + k(1))
  const c = gp.matern52FromSquared(0.25);
  close(p.mean[1], 0, 1e-9, 'symmetric mean');
  close(p.var[1], (1 - (2 * c * c) / (1 + 0.523994)) * 2, 1e-5, 'variance (y std² = 2)');
});

s('fit raises the MLL and predicts a smooth function; a duplicate input is merged', () => {
  const k = gp.scaleKernel(gp.matern52Kernel({ dims: [0] }));
  const x = Array.from({ length: 15 }, (_, i) => [i / 14]);
  const y = x.map(([v]) => Math.sin(6 * v));
  const model = new gp.ExactGP(k);
  model.fit(x, y, { epochs: 0 });
  const before = model.mll;
  model.fit([...x, x[3]], [...y, y[3]], { epochs: 100 });
  assert.ok(model.mll > before, `${model.mll} > ${before}`);
  const p = model.predict([[0.33]]);
  close(p.mean[0], Math.sin(6 * 0.33), 0.05);
});

s('EI closed form: 0.398942 at μ = 0, σ = 1, y_best = 0 and 1.083315 at y_best = 1; LCB = μ − 1.96σ', () => {
  close(gp.expectedImprovement(0, 1, 0), 0.398942, 1e-6);
  close(gp.expectedImprovement(0, 1, 1), 1.083315, 1e-6);
  close(gp.expectedImprovement(2, 1, 0), 0.008491, 1e-6);
  close(gp.lowerConfidenceBound(1, 2), 1 - 3.92, 1e-15);
});

s('thompson draw: a tiny-noise GP reproduces its training targets', () => {
  const model = new gp.ExactGP(gp.matern52Kernel({ dims: [0], ard: false }), { noisePrior: null, noiseFloor: 1e-10 });
  model.hyper = Float64Array.of(0, Math.log(1e-9), 0);
  model.fit([[0], [1]], [2, 3], { epochs: 0 });
  const draw = model.sample([[0], [1]], nn.data.seededRandom(3));
  close(draw[0], 2, 1e-3);
  close(draw[1], 3, 1e-3);
});

s('samplePrior: 2000 draws have empirical covariance within 0.1 of sigma^2 K + noise I', () => {
  const kernel = gp.matern52Kernel({ dims: [0] });
  const x = [[0], [0.1], [0.3], [0.9]];
  const params = Float64Array.of(Math.log(0.3));
  const k = kernel.matrix(x, x, params);
  const rng = nn.data.seededRandom(7);
  for (const { outputScale, noise } of [
    { outputScale: 1, noise: 0 },
    { outputScale: 2, noise: 0.5 },
  ]) {
    const draws = Array.from({ length: 2000 }, () => gp.samplePrior(kernel, x, params, rng, { outputScale, noise }));
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        const cov = draws.reduce((acc, f) => acc + f[a] * f[b], 0) / draws.length;
        close(cov, outputScale * k[a * 4 + b] + (a === b ? noise : 0), 0.1 * outputScale, `cov[${a},${b}]`);
      }
    }
  }
  assert.throws(() => gp.samplePrior(kernel, x, params, rng, { noise: -1 }), /noise must be >= 0/);
});

s.run();
