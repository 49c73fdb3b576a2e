// Evaluation: per-group preference loss, reward accuracy (share of pairs with βh > 0) and mean margin βh,
// their worst-group values, and mean ± sd summaries over seeds.
import { tensor, tidy } from '../../index.js';
import { preferenceLoss, type PreferenceLoss } from './losses.js';

export interface GroupMetrics {
  loss: number[];
  accuracy: number[];
  margin: number[];
  worstLoss: number;
  worstAccuracy: number;
  /** accuracy over all pairs of a group-balanced set: the mean of the group accuracies */
  meanAccuracy: number;
}

/** Per-group metrics from the margins h of an evaluation set (plain numbers; the losses in f64 on the cpu). */
export async function marginMetrics(h: ArrayLike<number>, groupIds: readonly number[], groups: number, kind: PreferenceLoss, beta: number): Promise<GroupMetrics> {
  const lossTensor = tidy(() => preferenceLoss(kind, tensor(Array.from(h), { dtype: 'f64', device: 'cpu' }), beta));
  const losses = await lossTensor.data();
  lossTensor.dispose();
  const sums = { loss: new Array<number>(groups).fill(0), accuracy: new Array<number>(groups).fill(0), margin: new Array<number>(groups).fill(0) };
  const counts = new Array<number>(groups).fill(0);
  groupIds.forEach((g, i) => {
    sums.loss[g] += losses[i];
    sums.accuracy[g] += Number(beta * h[i] > 0);
    sums.margin[g] += beta * h[i];
    counts[g]++;
  });
  const mean = (v: number[]) => v.map((s, g) => s / counts[g]);
  return summariseGroups(mean(sums.loss), mean(sums.accuracy), mean(sums.margin));
}

export function summariseGroups(loss: number[], accuracy: number[], margin: number[]): GroupMetrics {
  return {
    loss, accuracy, margin,
    worstLoss: Math.max(...loss),
    worstAccuracy: Math.min(...accuracy),
    meanAccuracy: accuracy.reduce((s, a) => s + a, 0) / accuracy.length,
  };
}

/** Mean and sample standard deviation. */
export function meanStd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

export const fmtMeanStd = (values: readonly number[], digits = 3): string => {
  const { mean, sd } = meanStd(values);
  return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
};

/** A plain-text table with columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((v, c) => v.padEnd(widths[c])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
