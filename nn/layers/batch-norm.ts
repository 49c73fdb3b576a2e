// BatchNorm1d/2d (Ioffe & Szegedy 2015) and GroupNorm (Wu & He 2018) as torch.nn's, on the batchNorm / groupNorm
// ops. BatchNorm keeps runningMean (zeros) and runningVar (ones) as buffers: in training it normalises with the
// batch's statistics and updates the buffers (running = (1 - momentum) running + momentum batch), in evaluation it
// normalises with the buffers. With trackRunningStats false it always uses the batch's statistics.
import { getDefaultDevice, getDefaultDtype, type Tensor } from '../../core/index.js';
import { batchNorm, groupNorm, ones, zeros } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { ones_ } from '../init.js';
import { parameter, type LayerOptions } from './factory.js';

export interface BatchNormOptions extends LayerOptions {
  eps?: number;
  /** weight of the new batch statistic in the running ones (default 0.1); torch's null (a cumulative average) is not supported */
  momentum?: number;
  /** learn a per-channel scale and shift (default true) */
  affine?: boolean;
  /** keep running statistics for evaluation (default true) */
  trackRunningStats?: boolean;
}

abstract class BatchNormNd extends Module {
  readonly eps: number;
  readonly momentum: number;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null = null;
  runningVar: Tensor | null = null;

  protected constructor(
    private readonly layer: string,
    readonly numFeatures: number,
    private readonly ranks: number[],
    opts: BatchNormOptions,
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0)
      throw new Error(`${layer}: numFeatures must be a positive integer, got ${numFeatures}`);
    if (opts.momentum === null)
      throw new Error(
        `${layer}: momentum null (a cumulative moving average) is not supported; give a number in [0, 1]`,
      );
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    const affine = opts.affine ?? true;
    this.weight = affine ? parameter([numFeatures], opts, ones_) : null;
    this.bias = affine ? parameter([numFeatures], opts) : null;
    if (opts.trackRunningStats ?? true) {
      const where = { device: opts.device ?? getDefaultDevice(), dtype: opts.dtype ?? getDefaultDtype() };
      this.registerBuffer('runningMean', zeros([numFeatures], where));
      this.registerBuffer('runningVar', ones([numFeatures], where));
    }
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim)) {
      throw new Error(
        `${this.layer}: expected a ${this.ranks.map((r) => `${r}-D`).join(' or ')} input, got shape [${x.shape.join(', ')}]`,
      );
    }
    const useBatch = this.training || !this.runningMean;
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, useBatch, this.momentum, this.eps);
  }
}

/** Over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, [2, 3], opts);
  }
}

/** Over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, [4], opts);
  }
}

export class GroupNorm extends Module {
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    opts: LayerOptions & { eps?: number; affine?: boolean } = {},
  ) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new Error(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? parameter([numChannels], opts, ones_) : null;
    this.bias = affine ? parameter([numChannels], opts) : null;
  }

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}
