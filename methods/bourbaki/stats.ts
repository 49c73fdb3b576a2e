// Summaries for the experiment's table: mean ± sd over seeds, and the budget-prefix view of a run (a run with
// budget 128 restricted to its first k generations is the run with budget k).
import { meanSd as meanAndSd } from '../shared/stats.js';
import { type SearchResult } from './search.js';

export const mean = (xs: readonly number[]): number => meanAndSd(xs).mean;

/** Sample standard deviation (n − 1); 0 for a single value. */
export const sd = (xs: readonly number[]): number => (xs.length < 2 ? 0 : meanAndSd(xs).sd);

export const meanSd = (xs: readonly number[], digits = 1) => `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;

/** Solved within the first k generations. */
export const solvedBy = (r: SearchResult, k: number) => r.solvedAt !== null && r.solvedAt <= k;

/** Generations spent with budget k: up to the solve, else all of k (or fewer if the search ended early). */
export const generationsBy = (r: SearchResult, k: number) =>
  solvedBy(r, k) ? r.solvedAt! : Math.min(r.generations, k);
