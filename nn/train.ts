// A small training loop: seeded, with a progress bar (running loss, ETA), periodic evaluation, early stopping,
// gradient clipping and an optional LR scheduler. The result holds the curves; in Node, `writeLog` from
// 'tessera/node' writes them as JSON with an SVG plot next to it.
import { tidy, type Tensor } from '../core/index.js';
import { manualSeed } from '../ops/index.js';
import type { Module } from './module.js';
import type { BaseOptions, Optimizer } from './optim/optimizer.js';
import type { LRScheduler } from './optim/scheduler.js';
import { clipGradNorm_ } from './optim/clip.js';
import { ProgressBar, type ProgressStream } from './progress.js';

export interface TrainOptions {
  model: Module;
  optimizer: Optimizer<BaseOptions>;
  steps: number;
  /** the loss of training step `step` (a scalar tensor); runs inside a tidy scope with autograd on */
  loss: (step: number) => Tensor;
  /** the validation loss, evaluated every `evalEvery` steps and at the end, with the model in eval mode */
  evaluate?: () => number | Promise<number>;
  evalEvery?: number;
  /** stop when the validation loss has not improved by minDelta for `patience` evaluations in a row */
  earlyStopping?: { patience: number; minDelta?: number };
  scheduler?: LRScheduler;
  /** clip the gradient norm to this before each step */
  clipGradNorm?: number;
  /** manualSeed(seed) before the first step */
  seed?: number;
  /** read the loss back every this many steps (each readback waits for the GPU); default 10 */
  logEvery?: number;
  /** show the progress bar (default true); `stream` replaces stderr */
  progress?: boolean | { label?: string; stream?: ProgressStream };
}

export interface Point { step: number; loss: number }

export interface TrainResult {
  train: Point[];
  eval: Point[];
  /** steps actually run */
  steps: number;
  stoppedEarly: boolean;
  bestEval: Point | null;
  seconds: number;
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { model, optimizer, steps } = opts;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`train: steps must be a positive integer, got ${steps}`);
  const logEvery = opts.logEvery ?? 10;
  const evalEvery = opts.evalEvery ?? steps;
  if (opts.seed !== undefined) manualSeed(opts.seed);
  const progress = opts.progress === false ? null
    : new ProgressBar(steps, typeof opts.progress === 'object' ? opts.progress : {});
  const result: TrainResult = { train: [], eval: [], steps: 0, stoppedEarly: false, bestEval: null, seconds: 0 };
  const t0 = performance.now();
  let running = NaN; // exponential moving average of the losses read back (weight 0.4 on the newest)
  let sinceBest = 0;
  const shown = (): Record<string, number> => ({
    loss: running, ...(result.eval.length ? { val: result.eval[result.eval.length - 1].loss } : {}),
  });

  model.train();
  for (let step = 0; step < steps; step++) {
    const loss = tidy(() => {
      optimizer.zeroGrad();
      const l = opts.loss(step);
      l.backward();
      if (opts.clipGradNorm !== undefined) clipGradNorm_(model.parameters(), opts.clipGradNorm);
      optimizer.step();
      opts.scheduler?.step();
      return l.detach();
    });
    const last = step === steps - 1;
    if (step % logEvery === 0 || last) {
      const value = await loss.item();
      running = Number.isNaN(running) ? value : 0.6 * running + 0.4 * value;
      result.train.push({ step, loss: value });
    }
    loss.dispose();
    result.steps = step + 1;
    if (opts.evaluate && ((step + 1) % evalEvery === 0 || last)) {
      model.eval();
      const value = await opts.evaluate();
      model.train();
      result.eval.push({ step: step + 1, loss: value });
      const minDelta = opts.earlyStopping?.minDelta ?? 0;
      if (!result.bestEval || value < result.bestEval.loss - minDelta) {
        result.bestEval = { step: step + 1, loss: value };
        sinceBest = 0;
      } else if (opts.earlyStopping && ++sinceBest >= opts.earlyStopping.patience) {
        result.stoppedEarly = true;
      }
    }
    progress?.update(step + 1, shown());
    if (result.stoppedEarly) break;
  }
  progress?.finish(shown(), result.steps);
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
