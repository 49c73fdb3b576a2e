// The §6 table: regret at fixed steps as mean ± 95% interval over tasks × seeds, the mean rank of each policy
// across steps 1..T (per task and seed, ties sharing their average rank), and the plain verdict helpers.
import { meanSd, rankWithTies } from '../shared/stats.js';

/** mean ± 1.96·sd/√n (normal 95% interval of the mean). */
export function meanCi(values: readonly number[]): { mean: number; half: number; n: number } {
  const { mean, sd, n } = meanSd(values);
  return { mean, half: n > 1 ? (1.96 * sd) / Math.sqrt(n) : 0, n };
}

export const formatCi = (values: readonly number[], digits = 3): string => {
  const { mean, half, n } = meanCi(values);
  return n === 0 ? 'n/a' : `${mean.toFixed(digits)} ± ${half.toFixed(digits)}`;
};

/**
 * Mean rank of each policy: regret[policy][run][k] with runs aligned across policies (the same task and seed);
 * ranks are taken among policies at every run and step k = 1..T, then averaged.
 */
export function meanRanks(regret: readonly (readonly Float64Array[])[]): number[] {
  const P = regret.length;
  const sums = new Array<number>(P).fill(0);
  let count = 0;
  const runs = regret[0].length;
  for (let r = 0; r < runs; r++) {
    for (let k = 1; k < regret[0][r].length; k++) {
      rankWithTies(regret.map((p) => p[r][k])).forEach((rank, p) => (sums[p] += rank));
      count++;
    }
  }
  return sums.map((s) => s / count);
}

/** A markdown table from a header and rows of cells. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
