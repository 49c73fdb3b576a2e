// Exact GP regression in float64 (as MCBO's ExactGPModel): constant mean, a kernel (wrap it in scaleKernel for
// an output scale), Gaussian noise ≥ 1e-5 with a LogNormal(−4.63, 0.5) prior, targets standardised and
// duplicate inputs merged. Hyperparameters are fitted by Adam on the exact marginal log-likelihood per datum
// (gpytorch's ExactMarginalLogLikelihood), whose gradient is analytic: ½ tr((ααᵀ − K⁻¹) ∂K/∂θ) (R&W eq. 5.9).
import { seededRandom } from '../data/seeded-random.js';
import { HostAdam } from './adam.js';
import type { Kernel, Point } from './kernel.js';
import { choleskyInverse, choleskyJitter, choleskySolve, logDetFromCholesky, solveLower } from './linalg.js';

export interface GpOptions {
  /** lower bound on the noise variance (MCBO: 1e-5) */
  noiseFloor?: number;
  /** LogNormal prior on the noise variance, or null for none (MCBO: loc −4.63, scale 0.5) */
  noisePrior?: { loc: number; scale: number } | null;
  /** seed of the generator that redraws random kernel structure (HED) before each fit */
  seed?: number;
}

export interface FitOptions {
  /** Adam epochs (MCBO: 100) */
  epochs?: number;
  /** Adam learning rate (MCBO: 0.03) */
  lr?: number;
  /** start from the previous fit's hyperparameters instead of the initial ones (MCBO: yes) */
  warmStart?: boolean;
}

/** Hyperparameter vector layout: [constant mean, log(noise − floor), ...kernel parameters]. */
export const MEAN = 0;
export const NOISE = 1;

export interface MllResult {
  /** marginal log-likelihood (plus the noise prior's log density) divided by n */
  value: number;
  grad: Float64Array;
  l: Float64Array;
  alpha: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** The exact MLL of standardised targets y at hyperparameters h, with its gradient (analytic, R&W eq. 5.9). */
export function marginalLogLikelihood(
  kernel: Kernel,
  x: readonly Point[],
  y: Float64Array,
  h: Float64Array,
  opts: GpOptions = {},
): MllResult {
  const n = x.length;
  if (y.length !== n) throw new Error(`gp.marginalLogLikelihood: ${n} inputs but ${y.length} targets`);
  const floor = opts.noiseFloor ?? 1e-5;
  const prior = opts.noisePrior === undefined ? { loc: -4.63, scale: 0.5 } : opts.noisePrior;
  const theta = h.subarray(2);
  const expZ = Math.exp(h[NOISE]);
  const noise = floor + expZ;
  const k = kernel.matrix(x, x, theta);
  for (let i = 0; i < n; i++) k[i * n + i] += noise;
  const { l } = choleskyJitter(k, n);
  const r = y.map((v) => v - h[MEAN]);
  const alpha = choleskySolve(l, r, n);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += r[i] * alpha[i];
  let value = -0.5 * fit - 0.5 * logDetFromCholesky(l, n) - 0.5 * n * LOG_2PI;
  let priorSlope = 0; // d log p(noise) / d noise
  if (prior) {
    const z = (Math.log(noise) - prior.loc) / prior.scale;
    value += -Math.log(noise) - Math.log(prior.scale) - 0.5 * LOG_2PI - 0.5 * z * z;
    priorSlope = (-1 - z / prior.scale) / noise;
  }
  // W = ½(ααᵀ − K⁻¹): the MLL gradient is Σ_ij W_ij ∂K_ij/∂θ for every hyperparameter θ
  const w = choleskyInverse(l, n);
  let traceW = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) w[i * n + j] = 0.5 * (alpha[i] * alpha[j] - w[i * n + j]);
    traceW += w[i * n + i];
  }
  const grad = new Float64Array(h.length);
  grad[MEAN] = alpha.reduce((a, b) => a + b, 0); // ∂/∂c of −½ (y − c)ᵀ K⁻¹ (y − c)
  grad[NOISE] = expZ * (traceW + priorSlope); // ∂K/∂z = e^z I
  grad.set(kernel.gradContract(x, theta, w), 2);
  for (let i = 0; i < grad.length; i++) grad[i] /= n;
  return { value: value / n, grad, l, alpha };
}

export interface Prediction {
  mean: Float64Array;
  /** predictive variance of a new observation (latent variance + noise), in the units of y */
  var: Float64Array;
}

export class ExactGP {
  /** [constant mean, log(noise − floor), ...kernel parameters] */
  hyper: Float64Array;
  /** MLL per datum after the last fit */
  mll = NaN;
  private x: Point[] = [];
  private l: Float64Array = new Float64Array(0);
  private alpha: Float64Array = new Float64Array(0);
  private yMean = 0;
  private yStd = 1;
  private readonly rng: () => number;

  constructor(
    readonly kernel: Kernel,
    private readonly opts: GpOptions = {},
  ) {
    this.hyper = this.initialHyper();
    this.rng = seededRandom(opts.seed ?? 0);
  }

  private initialHyper(): Float64Array {
    const prior = this.opts.noisePrior === undefined ? { loc: -4.63, scale: 0.5 } : this.opts.noisePrior;
    return Float64Array.of(0, prior ? prior.loc : Math.log(1e-2), ...this.kernel.initialParams());
  }

  get noise(): number {
    return (this.opts.noiseFloor ?? 1e-5) + Math.exp(this.hyper[NOISE]);
  }

  /** Fits the hyperparameters to (X, y) and conditions on the data. NaN steps are reverted and end the fit. */
  fit(x: readonly Point[], y: ArrayLike<number>, opts: FitOptions = {}): this {
    if (x.length !== y.length || x.length === 0)
      throw new Error(
        `gp.ExactGP.fit: need as many targets as inputs (>= 1), got ${x.length} inputs and ${y.length} targets`,
      );
    const [ux, uy] = mergeDuplicates(x, y);
    this.yMean = uy.reduce((a, b) => a + b, 0) / uy.length;
    const sd = Math.sqrt(uy.reduce((a, b) => a + (b - this.yMean) ** 2, 0) / Math.max(1, uy.length - 1));
    this.yStd = sd > 1e-12 ? sd : 1;
    const ys = uy.map((v) => (v - this.yMean) / this.yStd);
    this.x = ux;
    this.kernel.refresh?.(this.rng);
    if (!(opts.warmStart ?? true) || !this.hyper.every(Number.isFinite)) this.hyper = this.initialHyper();
    const adam = new HostAdam(this.hyper.length, opts.lr ?? 0.03);
    let good = this.hyper.slice();
    let state = this.tryMll(ys);
    for (let epoch = 0; epoch < (opts.epochs ?? 100) && state; epoch++) {
      good = this.hyper.slice();
      adam.step(
        this.hyper,
        state.grad.map((g) => -g),
      ); // maximise the MLL
      this.kernel.clampParams(this.hyper.subarray(2));
      this.hyper[NOISE] = Math.min(2, Math.max(-25, this.hyper[NOISE]));
      state = this.tryMll(ys);
    }
    if (!state) {
      this.hyper = good;
      state = this.tryMll(ys);
      if (!state)
        throw new Error('gp.ExactGP.fit: the marginal likelihood is not finite even at the last good hyperparameters');
    }
    this.mll = state.value;
    this.l = state.l;
    this.alpha = state.alpha;
    return this;
  }

  private tryMll(ys: Float64Array): MllResult | null {
    try {
      const r = marginalLogLikelihood(this.kernel, this.x, ys, this.hyper, this.opts);
      return Number.isFinite(r.value) && r.grad.every(Number.isFinite) ? r : null;
    } catch {
      return null;
    }
  }

  private requireFit(fn: string): void {
    if (!this.x.length) throw new Error(`gp.ExactGP.${fn}: call fit(X, y) first`);
  }

  /** Predictive mean and variance (noise included) at each point, in the units of the fitted y. */
  predict(xs: readonly Point[]): Prediction {
    this.requireFit('predict');
    const n = this.x.length;
    const theta = this.hyper.subarray(2);
    const ks = this.kernel.matrix(xs, this.x, theta);
    const kss = this.kernel.diag(xs, theta);
    const mean = new Float64Array(xs.length);
    const variance = new Float64Array(xs.length);
    for (let a = 0; a < xs.length; a++) {
      const row = ks.subarray(a * n, (a + 1) * n);
      let m = this.hyper[MEAN];
      for (let i = 0; i < n; i++) m += row[i] * this.alpha[i];
      const v = solveLower(this.l, row, n);
      let vv = 0;
      for (let i = 0; i < n; i++) vv += v[i] * v[i];
      mean[a] = m * this.yStd + this.yMean;
      variance[a] = (Math.max(kss[a] - vv, 0) + this.noise) * this.yStd ** 2;
    }
    return { mean, var: variance };
  }

  /** One joint draw of the latent function at the points (Thompson sampling), in the units of y. */
  sample(xs: readonly Point[], rng: () => number): Float64Array {
    this.requireFit('sample');
    const n = this.x.length;
    const m = xs.length;
    const theta = this.hyper.subarray(2);
    const ks = this.kernel.matrix(xs, this.x, theta);
    const cov = this.kernel.matrix(xs, xs, theta);
    const vs = Array.from({ length: m }, (_, a) => solveLower(this.l, ks.subarray(a * n, (a + 1) * n), n));
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += vs[a][i] * vs[b][i];
        cov[a * m + b] -= s;
      }
    }
    const { l } = choleskyJitter(cov, m);
    const z = Float64Array.from(
      { length: m },
      () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()),
    );
    const mean = this.predict(xs).mean;
    return mean.map((mu, a) => {
      let s = 0;
      for (let i = 0; i <= a; i++) s += l[a * m + i] * z[i];
      return mu + s * this.yStd;
    });
  }

  /** Σ log N(y_i; μ_i, σ²_i) of held-out points under the predictive distribution. */
  logPredictiveDensity(xs: readonly Point[], ys: ArrayLike<number>): number {
    const { mean, var: v } = this.predict(xs);
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += -0.5 * (LOG_2PI + Math.log(v[i]) + (ys[i] - mean[i]) ** 2 / v[i]);
    return s;
  }
}

/** Inputs with exact duplicates merged (their targets averaged), in first-seen order. */
export function mergeDuplicates(x: readonly Point[], y: ArrayLike<number>): [Point[], Float64Array] {
  const index = new Map<string, number>();
  const ux: Point[] = [];
  const sums: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const key = Array.from(x[i]).join(',');
    const j = index.get(key);
    if (j === undefined) {
      index.set(key, ux.length);
      ux.push(x[i]);
      sums.push(y[i]);
      counts.push(1);
    } else {
      sums[j] += y[i];
      counts[j]++;
    }
  }
  return [ux, Float64Array.from(sums, (s, i) => s / counts[i])];
}
