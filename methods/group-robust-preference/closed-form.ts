// Closed-form IPO for a log-linear policy πθ(a|x) ∝ exp(θᵀφ(x, a)) with a uniform reference (GRPO paper, §4.2).
// Then h_i = θᵀY_i with Y_i = φ(x, y_w) − φ(x, y_l), and the weighted ridge objective
//   Σ_i w_i (θᵀY_i − 1/(2β))² + λ‖θ‖²
// has the normal equations (YᵀWY + λI)θ = (1/(2β))·YᵀW1, so θ = (1/(2β))·(YᵀWY + λI)⁻¹YᵀW1.

/** Solves A x = b for a small dense square A (Gaussian elimination with partial pivoting). */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-300) throw new Error('solveLinear: the matrix is singular; use λ > 0');
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let c = r + 1; c < n; c++) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

/** The weighted IPO minimiser for per-sample weights w (rows Y_i). */
export function weightedIpoClosedForm(Y: readonly ArrayLike<number>[], w: readonly number[], beta: number, lambda: number): number[] {
  const d = Y[0].length;
  const gram = Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? lambda : 0)));
  const rhs = new Array<number>(d).fill(0);
  Y.forEach((y, i) => {
    for (let j = 0; j < d; j++) {
      rhs[j] += w[i] * y[j] / (2 * beta);
      for (let k = 0; k < d; k++) gram[j][k] += w[i] * y[j] * y[k];
    }
  });
  return solveLinear(gram, rhs);
}

/**
 * θ(α) for GR-IPO: the minimiser of Σ_g α_g·L_g + λ‖θ‖² with L_g group g's mean IPO loss, i.e. W = diag(α_g(i)/N_g(i)).
 * (The paper writes W = diag(α_g(i)) with the per-group normalisation folded into its losses.)
 */
export function grIpoClosedForm(Y: readonly ArrayLike<number>[], groupOf: readonly number[], alpha: readonly number[], beta: number, lambda: number): number[] {
  const counts = alpha.map(() => 0);
  for (const g of groupOf) counts[g]++;
  return weightedIpoClosedForm(Y, groupOf.map((g) => alpha[g] / counts[g]), beta, lambda);
}
