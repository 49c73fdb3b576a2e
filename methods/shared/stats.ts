// Summaries over seeds, shared by every method's results table: mean and sample standard deviation (n − 1) of the
// finite values, and the "m ± s" cell.

export function meanSd(values: readonly number[]): { mean: number; sd: number; n: number } {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** "12.3 ± 4.5" (or "n/a" when no value is finite). */
export function formatMeanSd(values: readonly number[], digits = 1): string {
  const { mean, sd, n } = meanSd(values);
  return n === 0 ? 'n/a' : `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}
