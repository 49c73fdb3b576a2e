// Summaries for the experiment's table: mean ± sd over seeds, and the budget-prefix view of a run (a run with
// budget 128 restricted to its first k generations is the run with budget k).
import { type SearchResult } from './search.js';

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export const meanSd = (xs: readonly number[], digits = 1) => `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;

/** Solved within the first k generations. */
export const solvedBy = (r: SearchResult, k: number) => r.solvedAt !== null && r.solvedAt <= k;

/** Generations spent with budget k: up to the solve, else all of k (or fewer if the search ended early). */
export const generationsBy = (r: SearchResult, k: number) =>
  solvedBy(r, k) ? r.solvedAt! : Math.min(r.generations, k);
