// The statistics of the MCBO comparison (spec §3 "Evaluation"): ranks with averaged ties, mean ranks per
// (task, seed, evaluation), Friedman's test over solvers, and pairwise Wilcoxon signed-rank tests with Pratt's
// treatment of zero differences (scipy.stats.wilcoxon(zero_method='pratt'), normal approximation).
import { rankWithTies } from '../shared/stats.js';

/** log Γ(x) (Lanczos, g = 7). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularised upper incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) sum += term *= x / (a + n);
    return 1 - sum * front;
  }
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return front * h;
}

export const chiSquareSurvival = (x: number, df: number): number => gammaQ(df / 2, x / 2);

/** Two-sided p-value of a standard normal statistic. */
export function normalTwoSided(z: number): number {
  return gammaQ(0.5, (z * z) / 2); // P(|Z| > |z|) = Q(1/2, z²/2)
}

/**
 * Friedman's test: values[b][s] is solver s's score on block b (lower is better). χ² = 12N/(k(k+1)) Σ R̄_s² − 3N(k+1)
 * with R̄_s the mean rank of solver s over the N blocks; p from χ² with k − 1 degrees of freedom.
 */
export function friedmanTest(values: readonly (readonly number[])[]): { chi2: number; p: number; meanRanks: number[] } {
  const n = values.length;
  const k = values[0]?.length ?? 0;
  if (n < 1 || k < 2 || values.some((r) => r.length !== k))
    throw new Error(
      `mcbo.friedmanTest: need >= 1 block of >= 2 solvers, all the same length; got ${n} blocks of lengths [${values.map((r) => r.length).join(', ')}]`,
    );
  const meanRanks = new Array<number>(k).fill(0);
  for (const row of values)
    rankWithTies(row).forEach((r, s) => {
      meanRanks[s] += r / n;
    });
  const chi2 = ((12 * n) / (k * (k + 1))) * meanRanks.reduce((a, r) => a + r * r, 0) - 3 * n * (k + 1);
  return { chi2, p: chiSquareSurvival(chi2, k - 1), meanRanks };
}

/**
 * Wilcoxon signed-rank test with Pratt's zeros: |d| is ranked with the zeros included, then the zeros' ranks are
 * dropped from T+ and T−. The normal approximation subtracts the zeros' share from the mean and variance and
 * corrects the variance for ties (as scipy does).
 */
export function wilcoxonPratt(diffs: readonly number[]): { tPlus: number; tMinus: number; z: number; p: number } {
  const n = diffs.length;
  const ranks = rankWithTies(diffs.map(Math.abs));
  let tPlus = 0;
  let tMinus = 0;
  diffs.forEach((d, i) => {
    if (d > 0) tPlus += ranks[i];
    else if (d < 0) tMinus += ranks[i];
  });
  const n0 = diffs.filter((d) => d === 0).length;
  const mean = (n * (n + 1)) / 4 - (n0 * (n0 + 1)) / 4;
  let variance = (n * (n + 1) * (2 * n + 1)) / 24 - (n0 * (n0 + 1) * (2 * n0 + 1)) / 24;
  const counts = new Map<number, number>();
  for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const t of counts.values()) variance -= (t ** 3 - t) / 48;
  const z = variance > 0 ? (tPlus - mean) / Math.sqrt(variance) : 0;
  return { tPlus, tMinus, z, p: variance > 0 ? normalTwoSided(z) : 1 };
}

/** Best-so-far curve of a run's observed values. */
export function bestSoFar(ys: readonly number[]): number[] {
  let best = Infinity;
  return ys.map((y) => (best = Math.min(best, y)));
}

export interface RunRecord {
  task: string;
  solver: string;
  seed: number;
  ys: number[];
}

/**
 * Mean rank of each solver at evaluation `at` (1-based): solvers are ranked per (task, seed) by best-so-far value
 * (ties averaged), then the ranks are averaged over seeds, per task and over all blocks. Only blocks where every
 * listed solver ran are used.
 */
export function rankTable(
  runs: readonly RunRecord[],
  solvers: readonly string[],
  at: number,
): { perTask: Record<string, number[]>; overall: number[]; blocks: number[][] } {
  const byBlock = new Map<string, Map<string, number>>();
  for (const r of runs) {
    const key = `${r.task}\u0000${r.seed}`;
    if (!byBlock.has(key)) byBlock.set(key, new Map());
    byBlock.get(key)!.set(r.solver, bestSoFar(r.ys)[Math.min(at, r.ys.length) - 1]);
  }
  const perTask: Record<string, number[]> = {};
  const counts: Record<string, number> = {};
  const blocks: number[][] = [];
  const overall = new Array<number>(solvers.length).fill(0);
  for (const [key, m] of byBlock) {
    if (!solvers.every((s) => m.has(s))) continue;
    const task = key.split('\u0000')[0];
    const values = solvers.map((s) => m.get(s)!);
    blocks.push(values);
    const ranks = rankWithTies(values);
    perTask[task] ??= new Array<number>(solvers.length).fill(0);
    counts[task] = (counts[task] ?? 0) + 1;
    ranks.forEach((r, i) => {
      perTask[task][i] += r;
      overall[i] += r;
    });
  }
  for (const t of Object.keys(perTask)) perTask[t] = perTask[t].map((v) => v / counts[t]);
  return { perTask, overall: overall.map((v) => v / Math.max(1, blocks.length)), blocks };
}
