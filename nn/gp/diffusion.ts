// COMBO's diffusion kernel on the complete graph of each nominal variable (Oh et al. 2019): a product over
// dimensions of 1 on a match and f_i = (1 − e^{−β_i}) / (1 + (n_i − 1) e^{−β_i}) otherwise, the closed form of
// exp(−β L) on a complete graph with n_i vertices (normalised so that a match gives 1). Raw parameters are log β_i.
import {
  INITIAL_LENGTHSCALE,
  checkDims,
  checkParams,
  clampLog,
  gatherColumns,
  gramCache,
  type Kernel,
} from './kernel.js';

/** The mismatch factor for n categories and diffusion rate β. */
export function diffusionFactor(n: number, beta: number): number {
  const e = Math.exp(-beta);
  return (1 - e) / (1 + (n - 1) * e);
}

/** d log f / d log β. */
function logFactorSlope(n: number, beta: number): number {
  const e = Math.exp(-beta);
  return beta * (e / (1 - e) + ((n - 1) * e) / (1 + (n - 1) * e));
}

export function diffusionKernel(opts: { dims: readonly number[]; nCats: readonly number[] }): Kernel {
  const dims = [...opts.dims];
  checkDims('diffusionKernel', dims);
  if (opts.nCats.length !== dims.length || opts.nCats.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new Error(
      `gp.diffusionKernel: nCats needs one integer >= 2 per dim (${dims.length}), got [${opts.nCats.join(', ')}]`,
    );
  }
  const nCats = [...opts.nCats];
  const d = dims.length;
  const cache = gramCache();
  const factors = (p: Float64Array) => Float64Array.from(dims, (_, i) => diffusionFactor(nCats[i], Math.exp(p[i])));
  const kernel: Kernel = {
    name: 'diffusionKernel',
    paramNames: dims.map((d) => `beta[${d}]`),
    initialParams: () => new Float64Array(dims.length).fill(INITIAL_LENGTHSCALE),
    clampParams: (p) => clampLog(p, 0, p.length, -7, 4),
    matrix(x1, x2, p) {
      checkParams(kernel, p);
      return cache(x1, x2, p, () => {
        const f = factors(p);
        const c1 = gatherColumns(x1, dims);
        const c2 = x1 === x2 ? c1 : gatherColumns(x2, dims);
        const k = new Float64Array(x1.length * x2.length);
        for (let a = 0; a < x1.length; a++) {
          for (let b = 0; b < x2.length; b++) {
            let v = 1;
            for (let i = 0; i < d; i++) if (c1[a * d + i] !== c2[b * d + i]) v *= f[i];
            k[a * x2.length + b] = v;
          }
        }
        return k;
      });
    },
    diag: (x) => new Float64Array(x.length).fill(1),
    gradContract(x, p, w) {
      checkParams(kernel, p);
      const k = kernel.matrix(x, x, p);
      const slope = Float64Array.from(dims, (_, i) => logFactorSlope(nCats[i], Math.exp(p[i])));
      const g = new Float64Array(dims.length);
      const c = gatherColumns(x, dims);
      const n = x.length;
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          const f = w[a * n + b] * k[a * n + b];
          if (f === 0) continue;
          // ∂k/∂ log β_i = k · [x_i ≠ x'_i] · d log f_i / d log β_i
          for (let i = 0; i < d; i++) if (c[a * d + i] !== c[b * d + i]) g[i] += f * slope[i];
        }
      }
      return g;
    },
  };
  return kernel;
}
