// The standard normal density and distribution function, and the closed-form acquisition values on a Gaussian
// predictive (for minimisation). Used by any GP-based search.

export const normalPdf = (u: number): number => Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);

/** erfc(x) by the Chebyshev fit of Numerical Recipes (relative error < 1.2e-7 everywhere). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export const normalCdf = (u: number): number => 0.5 * erfc(-u / Math.SQRT2);

/** EI = σ (u Φ(u) + φ(u)), u = (y_best − μ)/σ: the expected amount by which a minimisation improves on y_best. */
export function expectedImprovement(mean: number, sd: number, yBest: number): number {
  if (!(sd > 0)) return Math.max(0, yBest - mean);
  const u = (yBest - mean) / sd;
  return sd * (u * normalCdf(u) + normalPdf(u));
}

/** LCB = μ − β σ (β = 1.96 in MCBO). */
export const lowerConfidenceBound = (mean: number, sd: number, beta = 1.96): number => mean - beta * sd;
