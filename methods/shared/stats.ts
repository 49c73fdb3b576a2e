// Summaries over seeds, shared by every method's results table: mean and sample standard deviation (n − 1) of the
// finite values, the "m ± s" cell, and ranks with averaged ties (for mean-rank tables).

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

/** Ranks 1..n of the values (smallest first); tied values share the mean of their ranks. */
export function rankWithTies(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}
