// The log of a training run on disk: nn.train's result as JSON, and its loss curves as an SVG beside it.
import { writeFile } from 'node:fs/promises';
import type { TrainResult } from '../nn/train.js';
import { linePlot } from '../nn/plot.js';

/** Writes the result as JSON at `path` and its curves as an SVG at the same path with the extension .svg. */
export async function writeLog(path: string, result: TrainResult): Promise<void> {
  await writeFile(path, JSON.stringify(result, null, 1));
  const series = [{ name: 'train', points: result.train.map((p) => [p.step, p.loss] as [number, number]) }];
  if (result.eval.length) series.push({ name: 'eval', points: result.eval.map((p) => [p.step, p.loss]) });
  const svg = linePlot(series, {
    title: 'loss',
    xLabel: 'step',
    yLabel: 'loss',
    logY: [...result.train, ...result.eval].every((p) => p.loss > 0),
  });
  await writeFile(path.replace(/(\.json)?$/, '.svg'), svg);
}
