// Kernels on nominal columns built from the match indicators δ_i = [x_i = x'_i] (MCBO kernels/overlap):
//   overlap (O):              s = Σ ℓ_i δ_i / Σ ℓ_i  with ARD weights, or mean δ without,
//   transformed overlap (TO): exp(s).
// Raw parameters are log ℓ_i; only their ratios matter, so they drift together and are clamped (spec §8).
import { INITIAL_LENGTHSCALE, checkDims, checkParams, clampLog, type Kernel, type Point } from './kernel.js';

interface OverlapOptions {
  dims: readonly number[];
  ard?: boolean;
}

function overlapFamily(name: string, transformed: boolean, opts: OverlapOptions): Kernel {
  const dims = [...opts.dims];
  checkDims(name, dims);
  const ard = opts.ard ?? true;
  const weights = (p: Float64Array) => Float64Array.from(dims, (_, i) => (ard ? Math.exp(p[i]) : 1));
  const similarity = (u: Point, v: Point, wt: Float64Array, total: number) => {
    let s = 0;
    for (let i = 0; i < dims.length; i++) if (u[dims[i]] === v[dims[i]]) s += wt[i];
    return s / total;
  };
  const kernel: Kernel = {
    name,
    paramNames: ard ? dims.map((d) => `weight[${d}]`) : [],
    initialParams: () => new Float64Array(ard ? dims.length : 0).fill(INITIAL_LENGTHSCALE),
    clampParams: (p) => clampLog(p, 0, p.length, -5, 5),
    matrix(x1, x2, p) {
      checkParams(kernel, p);
      const wt = weights(p);
      const total = wt.reduce((a, b) => a + b, 0);
      const k = new Float64Array(x1.length * x2.length);
      for (let a = 0; a < x1.length; a++) {
        for (let b = 0; b < x2.length; b++) {
          const s = similarity(x1[a], x2[b], wt, total);
          k[a * x2.length + b] = transformed ? Math.exp(s) : s;
        }
      }
      return k;
    },
    diag: (x) => new Float64Array(x.length).fill(transformed ? Math.E : 1),
    gradContract(x, p, w) {
      checkParams(kernel, p);
      const g = new Float64Array(kernel.paramNames.length);
      if (!ard) return g;
      const wt = weights(p);
      const total = wt.reduce((a, b) => a + b, 0);
      const n = x.length;
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          const wab = w[a * n + b];
          if (a === b || wab === 0) continue; // on the diagonal s = 1 whatever the weights
          const s = similarity(x[a], x[b], wt, total);
          const f = wab * (transformed ? Math.exp(s) : 1); // dk/ds
          // ∂s/∂ log ℓ_i = ℓ_i (δ_i − s) / Σℓ
          for (let i = 0; i < dims.length; i++) g[i] += (f * wt[i] * ((x[a][dims[i]] === x[b][dims[i]] ? 1 : 0) - s)) / total;
        }
      }
      return g;
    },
  };
  return kernel;
}

export const overlapKernel = (opts: OverlapOptions): Kernel => overlapFamily('overlapKernel', false, opts);
export const transformedOverlapKernel = (opts: OverlapOptions): Kernel => overlapFamily('transformedOverlapKernel', true, opts);
