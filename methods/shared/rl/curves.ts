// Learning-curve logging: rows (series, seed, step, metric values) gathered during training, written as CSV, and
// drawn as an SVG per metric (the mean over seeds of each series) with nn.linePlot.
import { nn } from '../../../index.js';
import { meanSd } from '../stats.js';

export interface CurveRow {
  series: string;
  seed: number;
  step: number;
  values: Record<string, number>;
}

export class LearningCurves {
  readonly rows: CurveRow[] = [];

  add(series: string, seed: number, step: number, values: Record<string, number>): void {
    this.rows.push({ series, seed, step, values: { ...values } });
  }

  metrics(): string[] {
    return [...new Set(this.rows.flatMap((r) => Object.keys(r.values)))];
  }

  toCsv(): string {
    const metrics = this.metrics();
    const lines = [['series', 'seed', 'step', ...metrics].join(',')];
    for (const r of this.rows)
      lines.push([r.series, r.seed, r.step, ...metrics.map((m) => r.values[m] ?? '')].join(','));
    return `${lines.join('\n')}\n`;
  }

  /** mean over seeds of `metric` against step, one line per series */
  meanSeries(metric: string): nn.Series[] {
    const names = [...new Set(this.rows.map((r) => r.series))];
    return names.map((name) => {
      const rows = this.rows.filter((r) => r.series === name && metric in r.values);
      const steps = [...new Set(rows.map((r) => r.step))].sort((a, b) => a - b);
      return {
        name,
        points: steps.map(
          (s) => [s, meanSd(rows.filter((r) => r.step === s).map((r) => r.values[metric])).mean] as [number, number],
        ),
      };
    });
  }

  svg(metric: string, opts: nn.PlotOptions = {}): string {
    return nn.linePlot(this.meanSeries(metric), { xLabel: 'environment steps', yLabel: metric, ...opts });
  }
}
