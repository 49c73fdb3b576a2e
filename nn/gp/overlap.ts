// Kernels on nominal columns built from the match indicators δ_i = [x_i = x'_i] (MCBO kernels/overlap):
//   overlap (O):              s = Σ ℓ_i δ_i / Σ ℓ_i  with ARD weights, or mean δ without,
//   transformed overlap (TO): exp(s).
// Raw parameters are log ℓ_i; only their ratios matter, so they drift together and are clamped (spec §8).
import {
  INITIAL_LENGTHSCALE,
  checkDims,
  checkParams,
  clampLog,
  gatherColumns,
  gramCache,
  type Kernel,
  type Point,
} from './kernel.js';

/**
 * For one input set, the nominal columns on which each pair a < b agrees (CSR: pair p's dims are
 * dims[start[p] .. start[p + 1])). Gram matrices and gradients at fixed inputs then cost O(matches) instead of
 * O(n² d) per epoch; the list is built once per input set (a fit's training set is one array for all epochs).
 */
interface PairMatches {
  start: Int32Array;
  dims: Uint16Array;
}

function pairMatches(x: readonly Point[], cols: readonly number[]): PairMatches {
  const n = x.length;
  const d = cols.length;
  const c = gatherColumns(x, cols);
  const start = new Int32Array((n * (n - 1)) / 2 + 1);
  const dims: number[] = [];
  let p = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      for (let i = 0; i < d; i++) if (c[a * d + i] === c[b * d + i]) dims.push(i);
      start[++p] = dims.length;
    }
  }
  return { start, dims: Uint16Array.from(dims) };
}

interface OverlapOptions {
  dims: readonly number[];
  ard?: boolean;
}

function overlapFamily(name: string, transformed: boolean, opts: OverlapOptions): Kernel {
  const dims = [...opts.dims];
  checkDims(name, dims);
  const d = dims.length;
  const ard = opts.ard ?? true;
  const cache = gramCache();
  const matchCache = new WeakMap<readonly Point[], PairMatches>();
  const matchesOf = (x: readonly Point[]) => {
    let m = matchCache.get(x);
    if (!m) matchCache.set(x, (m = pairMatches(x, dims)));
    return m;
  };
  /** normalised weights ℓ_i / Σℓ */
  const weights = (p: Float64Array) => {
    const w = Float64Array.from(dims, (_, i) => (ard ? Math.exp(p[i]) : 1));
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / total);
  };
  const symmetricGram = (n: number, m: PairMatches, wt: Float64Array) => {
    const k = new Float64Array(n * n);
    for (let a = 0, pair = 0; a < n; a++) {
      k[a * n + a] = transformed ? Math.E : 1;
      for (let b = a + 1; b < n; b++, pair++) {
        let s = 0;
        for (let q = m.start[pair]; q < m.start[pair + 1]; q++) s += wt[m.dims[q]];
        k[a * n + b] = k[b * n + a] = transformed ? Math.exp(s) : s;
      }
    }
    return k;
  };
  const kernel: Kernel = {
    name,
    paramNames: ard ? dims.map((c) => `weight[${c}]`) : [],
    initialParams: () => new Float64Array(ard ? d : 0).fill(INITIAL_LENGTHSCALE),
    clampParams: (p) => clampLog(p, 0, p.length, -5, 5),
    matrix(x1, x2, p) {
      checkParams(kernel, p);
      return cache(x1, x2, p, () => {
        const wt = weights(p);
        if (x1 === x2) return symmetricGram(x1.length, matchesOf(x1), wt);
        const [c1, c2r] = [gatherColumns(x1, dims), gatherColumns(x2, dims)];
        const k = new Float64Array(x1.length * x2.length);
        for (let a = 0; a < x1.length; a++) {
          for (let b = 0; b < x2.length; b++) {
            let s = 0;
            for (let i = 0; i < d; i++) if (c1[a * d + i] === c2r[b * d + i]) s += wt[i];
            k[a * x2.length + b] = transformed ? Math.exp(s) : s;
          }
        }
        return k;
      });
    },
    diag: (x) => new Float64Array(x.length).fill(transformed ? Math.E : 1),
    gradContract(x, p, w) {
      checkParams(kernel, p);
      const g = new Float64Array(kernel.paramNames.length);
      if (!ard) return g;
      const wt = weights(p);
      const k = kernel.matrix(x, x, p);
      const { start, dims: md } = matchesOf(x);
      const n = x.length;
      // Σ_{a≠b} f_ab ∂s_ab/∂ log ℓ_i with ∂s/∂ log ℓ_i = (ℓ_i/Σℓ)(δ_i − s) and f = W_ab dk/ds (the diagonal has
      // s = 1 whatever the weights): ℓ̂_i (Σ_{pairs agreeing on i} f − Σ_pairs f s)
      let fs = 0;
      for (let a = 0, pair = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++, pair++) {
          const kab = k[a * n + b];
          const f = (w[a * n + b] + w[b * n + a]) * (transformed ? kab : 1);
          fs += f * (transformed ? Math.log(kab) : kab);
          for (let q = start[pair]; q < start[pair + 1]; q++) g[md[q]] += f;
        }
      }
      for (let i = 0; i < d; i++) g[i] = wt[i] * (g[i] - fs);
      return g;
    },
  };
  return kernel;
}

export const overlapKernel = (opts: OverlapOptions): Kernel => overlapFamily('overlapKernel', false, opts);
export const transformedOverlapKernel = (opts: OverlapOptions): Kernel =>
  overlapFamily('transformedOverlapKernel', true, opts);
