// Dense float64 linear algebra for small Gaussian-process systems (n up to a few hundred): Cholesky with
// jitter retries, triangular solves, log-determinant. Matrices are row-major Float64Arrays of n*n entries; the
// loops run on the host because at these sizes a dispatch per op costs more than the arithmetic.

/** Lower-triangular L with A = L Lᵀ, or null when A (symmetric, n x n, row-major) is not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  if (a.length !== n * n)
    throw new Error(`gp.cholesky: expected an ${n}x${n} matrix (${n * n} entries), got ${a.length}`);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) return null; // also catches NaN
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

export interface JitteredCholesky {
  /** the factor of A + jitter·I */
  l: Float64Array;
  /** the diagonal jitter that was needed (0 when A factored as it is) */
  jitter: number;
}

/**
 * Cholesky of A, adding jitter·I when A is not numerically positive definite (overlap Gram matrices are low-rank):
 * jitter = mean(diag A)·10^-8, 10^-7, ..., 10^-2 in turn. Throws, naming the last jitter, when none works.
 */
export function choleskyJitter(a: Float64Array, n: number): JitteredCholesky {
  const plain = cholesky(a, n);
  if (plain) return { l: plain, jitter: 0 };
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  const scale = Number.isFinite(trace) && trace > 0 ? trace / n : 1;
  const b = new Float64Array(a);
  for (let e = -8; e <= -2; e++) {
    const jitter = scale * 10 ** e;
    for (let i = 0; i < n; i++) b[i * n + i] = a[i * n + i] + jitter;
    const l = cholesky(b, n);
    if (l) return { l, jitter };
  }
  throw new Error(
    `gp.choleskyJitter: matrix (${n}x${n}) is not positive definite even with jitter ${scale * 1e-2} on the diagonal`,
  );
}

/** x with L x = b (L lower-triangular n x n); b may hold several right-hand sides as columns (n x m, row-major). */
export function solveLower(l: Float64Array, b: Float64Array, n: number, m = 1): Float64Array {
  const x = new Float64Array(b);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + c];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
  }
  return x;
}

/** x with Lᵀ x = b (the upper-triangular solve with the same lower factor). */
export function solveUpper(l: Float64Array, b: Float64Array, n: number, m = 1): Float64Array {
  const x = new Float64Array(b);
  for (let c = 0; c < m; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + c];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
  }
  return x;
}

/** A⁻¹ b from the Cholesky factor of A. */
export const choleskySolve = (l: Float64Array, b: Float64Array, n: number, m = 1): Float64Array =>
  solveUpper(l, solveLower(l, b, n, m), n, m);

/** log det A = 2 Σ log L_ii. */
export function logDetFromCholesky(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/**
 * A⁻¹ from the Cholesky factor of A (n x n): X = L⁻¹ row by row (row i = (e_i − Σ_k<i L_ik X_k) / L_ii), then
 * A⁻¹ = XᵀX accumulated as outer products of X's rows; every loop walks rows, about n³/3 multiply-adds.
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    x[row + i] = 1;
    for (let k = 0; k < i; k++) {
      const c = l[row + k];
      if (c === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) x[row + j] -= c * x[rk + j];
    }
    const d = 1 / l[row + i];
    for (let j = 0; j <= i; j++) x[row + j] *= d;
  }
  const inv = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let a = 0; a <= k; a++) {
      const xa = x[rk + a];
      if (xa === 0) continue;
      const ra = a * n;
      for (let b = 0; b <= a; b++) inv[ra + b] += xa * x[rk + b];
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) inv[b * n + a] = inv[a * n + b];
  return inv;
}
