// Draws of a zero-mean GP prior at given points: f = L z with L Lᵀ = K + noise·I (jittered Cholesky, float64) and
// z ~ N(0, I) by Box-Muller. Meta-BO task families (NAP's GP family) sample their objectives this way.
import type { Kernel, Point } from './kernel.js';
import { choleskyJitter } from './linalg.js';

export interface PriorSampleOptions {
  /** observation noise variance added to the diagonal (default 0) */
  noise?: number;
  /** output scale σ² multiplying the kernel (default 1) */
  outputScale?: number;
}

/** One joint draw of f(X) ~ N(0, σ²·K(X, X) + noise·I) with the kernel's raw parameters and a uniform [0, 1) rng. */
export function samplePrior(
  kernel: Kernel,
  x: readonly Point[],
  params: Float64Array,
  rng: () => number,
  opts: PriorSampleOptions = {},
): Float64Array {
  const noise = opts.noise ?? 0;
  const scale = opts.outputScale ?? 1;
  if (!(noise >= 0) || !(scale > 0))
    throw new Error(`gp.samplePrior: noise must be >= 0 and outputScale > 0, got ${noise} and ${scale}`);
  const n = x.length;
  const k = kernel.matrix(x, x, params);
  for (let i = 0; i < n * n; i++) k[i] *= scale;
  for (let i = 0; i < n; i++) k[i * n + i] += noise;
  const { l } = choleskyJitter(k, n);
  const z = Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
  const f = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let i = 0; i <= a; i++) s += l[a * n + i] * z[i];
    f[a] = s;
  }
  return f;
}
