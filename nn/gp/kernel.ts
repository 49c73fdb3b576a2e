// The kernel interface of the GP module. A kernel maps raw (unconstrained, mostly log-scale) hyperparameters
// to a covariance; instead of returning ∂K/∂θ (one n x n matrix per parameter) it contracts the derivative with
// a weight matrix W: Σ_ij W_ij ∂K_ij/∂θ_k. The log-marginal-likelihood gradient is exactly such a contraction
// with W = ½(ααᵀ − K⁻¹) (Rasmussen & Williams eq. 5.9), and products/sums of kernels compose by reweighting W.

/** One input point: a row of numbers (nominal variables as category indices, numeric ones scaled to [0, 1]). */
export type Point = ArrayLike<number>;

export interface Kernel {
  readonly name: string;
  /** one name per raw hyperparameter, e.g. `lengthscale[3]` (stored as log lengthscale) */
  readonly paramNames: readonly string[];
  initialParams(): Float64Array;
  /** clamps raw parameters in place into the range where the kernel stays well conditioned */
  clampParams(params: Float64Array): void;
  /** k(X1, X2): an n1 x n2 row-major matrix */
  matrix(x1: readonly Point[], x2: readonly Point[], params: Float64Array): Float64Array;
  /** k(x, x) for each point */
  diag(x: readonly Point[], params: Float64Array): Float64Array;
  /** Σ_ij W_ij ∂K(X, X)_ij / ∂params_k for every k (W is n x n) */
  gradContract(x: readonly Point[], params: Float64Array, w: Float64Array): Float64Array;
  /** redraws any random structure of the kernel (HED's dictionary) before a fit; most kernels have none */
  refresh?(rng: () => number): void;
}

/** The lengthscales of MCBO start at softplus(0) = 0.693 (gpytorch's default), with no priors. */
export const INITIAL_LENGTHSCALE = Math.log(2);

/** Raw log-parameters stay in [e^-7, e^7]: outside it a Gram matrix is numerically constant or diagonal. */
export function clampLog(params: Float64Array, from = 0, to = params.length, lo = -7, hi = 7): void {
  for (let i = from; i < to; i++) params[i] = Math.min(hi, Math.max(lo, params[i]));
}

export function checkDims(kernel: string, dims: readonly number[]): void {
  if (!dims.length || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(
      `gp.${kernel}: dims must be a non-empty list of non-negative integer column indices, got [${dims.join(', ')}]`,
    );
  }
}

export function checkParams(kernel: Kernel, params: Float64Array): void {
  if (params.length !== kernel.paramNames.length) {
    throw new Error(
      `gp.${kernel.name}: expected ${kernel.paramNames.length} parameters (${kernel.paramNames.join(', ')}), got ${params.length}`,
    );
  }
}

/** Builds diag(k(X, X)) from the matrix of each single point with itself (for kernels without a shortcut). */
export function diagFromMatrix(kernel: Kernel, x: readonly Point[], params: Float64Array): Float64Array {
  return Float64Array.from(x, (p) => kernel.matrix([p], [p], params)[0]);
}

/**
 * Remembers the last Gram matrix k(X, X) of one kernel: a fit asks for it at the same inputs and parameters
 * several times per epoch (value, then each wrapper's gradient). Returns a copy, so callers may modify it.
 */
export function gramCache(): (
  x1: readonly Point[],
  x2: readonly Point[],
  p: Float64Array,
  compute: () => Float64Array,
) => Float64Array {
  let lastX: readonly Point[] | null = null;
  let lastP: Float64Array = new Float64Array(0);
  let lastK: Float64Array = new Float64Array(0);
  return (x1, x2, p, compute) => {
    if (x1 !== x2) return compute();
    if (x1 !== lastX || p.length !== lastP.length || p.some((v, i) => v !== lastP[i])) {
      lastK = compute();
      lastX = x1;
      lastP = p.slice();
    }
    return lastK.slice();
  };
}

/** The kernel's columns of each point gathered into one row-major array (n x dims.length). */
export function gatherColumns(x: readonly Point[], dims: readonly number[]): Float64Array {
  const d = dims.length;
  const out = new Float64Array(x.length * d);
  for (let a = 0; a < x.length; a++) for (let i = 0; i < d; i++) out[a * d + i] = x[a][dims[i]];
  return out;
}
