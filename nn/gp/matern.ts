// Matérn-5/2 on numeric columns: k = (1 + √5 r + 5r²/3) e^{−√5 r}, r² = Σ_i (x_i − x'_i)² / ℓ_i² (ARD) or with a
// single ℓ. Raw parameters are log ℓ.
import {
  INITIAL_LENGTHSCALE,
  checkDims,
  checkParams,
  clampLog,
  gatherColumns,
  gramCache,
  type Kernel,
} from './kernel.js';

const SQRT5 = Math.sqrt(5);

/** k as a function of r². */
export function matern52FromSquared(r2: number): number {
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/** −dk/d(r²)·2 = (5/3)(1 + √5 r) e^{−√5 r}: the factor that multiplies Δ²/ℓ² in dk/d log ℓ. */
export function matern52LogScaleFactor(r2: number): number {
  const r = Math.sqrt(r2);
  return (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

export function matern52Kernel(opts: { dims: readonly number[]; ard?: boolean }): Kernel {
  const dims = [...opts.dims];
  checkDims('matern52Kernel', dims);
  const ard = opts.ard ?? true;
  const nl = ard ? dims.length : 1;
  const d = dims.length;
  const cache = gramCache();
  const inverseSquares = (p: Float64Array) => Float64Array.from(dims, (_, i) => Math.exp(-2 * p[ard ? i : 0]));
  const kernel: Kernel = {
    name: 'matern52Kernel',
    paramNames: ard ? dims.map((d) => `lengthscale[${d}]`) : ['lengthscale'],
    initialParams: () => new Float64Array(nl).fill(INITIAL_LENGTHSCALE),
    clampParams: (p) => clampLog(p),
    matrix(x1, x2, p) {
      checkParams(kernel, p);
      return cache(x1, x2, p, () => {
        const inv = inverseSquares(p);
        const c1 = gatherColumns(x1, dims);
        const c2 = x1 === x2 ? c1 : gatherColumns(x2, dims);
        const k = new Float64Array(x1.length * x2.length);
        for (let a = 0; a < x1.length; a++) {
          for (let b = 0; b < x2.length; b++)
            k[a * x2.length + b] = matern52FromSquared(scaledSquared(c1, a, c2, b, d, inv));
        }
        return k;
      });
    },
    diag: (x) => new Float64Array(x.length).fill(1),
    gradContract(x, p, w) {
      checkParams(kernel, p);
      const n = x.length;
      const inv = inverseSquares(p);
      const c = gatherColumns(x, dims);
      const g = new Float64Array(nl);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          if (a === b || w[a * n + b] === 0) continue;
          const r2 = scaledSquared(c, a, c, b, d, inv);
          const f = w[a * n + b] * matern52LogScaleFactor(r2); // dk/d log ℓ_i = f · Δ_i²/ℓ_i²
          if (!ard) g[0] += f * r2;
          else for (let i = 0; i < d; i++) g[i] += f * (c[a * d + i] - c[b * d + i]) ** 2 * inv[i];
        }
      }
      return g;
    },
  };
  return kernel;
}

/** Σ_i (u_i − v_i)² / ℓ_i² between row a of c1 and row b of c2 (rows of d gathered columns). */
function scaledSquared(c1: Float64Array, a: number, c2: Float64Array, b: number, d: number, inv: Float64Array): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += (c1[a * d + i] - c2[b * d + i]) ** 2 * inv[i];
  return s;
}
