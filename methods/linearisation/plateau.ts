// Stage 1's learning-rate schedule, LoLCATs' reduce_lr_on_plateau (torch ReduceLROnPlateau, mode 'min', factor 0.1,
// min_lr 1e-5, relative threshold 1e-4): an evaluation improves when it beats the best so far by the threshold;
// after more than `patience` evaluations in a row without improvement the rate is multiplied by `factor` (not
// below `minLr`) and the count starts again.
export interface PlateauOptions {
  factor: number;
  patience: number;
  minLr: number;
  threshold?: number;
}

export class PlateauSchedule {
  private best = Infinity;
  private bad = 0;
  /** how many times the rate was lowered */
  reductions = 0;

  constructor(private readonly opts: PlateauOptions) {
    if (!(opts.factor > 0 && opts.factor < 1) || !Number.isInteger(opts.patience) || opts.patience < 0) {
      throw new Error(
        `PlateauSchedule: need 0 < factor < 1 and an integer patience ≥ 0, got factor ${opts.factor}, patience ${opts.patience}`,
      );
    }
  }

  /** Records one evaluation `value` (lower is better) at rate `lr`; returns the rate to use from now on. */
  step(value: number, lr: number): number {
    if (value < this.best * (1 - (this.opts.threshold ?? 1e-4))) {
      this.best = value;
      this.bad = 0;
      return lr;
    }
    if (++this.bad <= this.opts.patience) return lr;
    this.bad = 0;
    this.reductions++;
    return Math.max(lr * this.opts.factor, this.opts.minLr);
  }
}
