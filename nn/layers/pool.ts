// Pooling layers (torch.nn.MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d) on the pooling ops; stride defaults to
// the kernel size, as in torch. With returnIndices, MaxPool returns [output, indices].
import type { Tensor } from '../../core/index.js';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  avgPool1d,
  avgPool2d,
  maxPool1d,
  maxPool2d,
  type Pair,
} from '../../ops/index.js';
import { Module } from '../module.js';

export interface MaxPoolOptions<P> {
  stride?: P | null;
  padding?: P;
  dilation?: P;
  ceilMode?: boolean;
}

/** [output, indices] with returnIndices, else the output. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

export class MaxPool2d<R extends boolean = false> extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly opts: MaxPoolOptions<Pair> & { returnIndices?: R } = {},
  ) {
    super();
  }

  forward(x: Tensor): PoolResult<R> {
    const { stride = null, padding = 0, dilation = 1, ceilMode = false, returnIndices = false } = this.opts;
    if (returnIndices) return maxPool2d(x, this.kernelSize, stride, padding, dilation, ceilMode, true) as PoolResult<R>;
    return maxPool2d(x, this.kernelSize, stride, padding, dilation, ceilMode) as PoolResult<R>;
  }
}

export class MaxPool1d<R extends boolean = false> extends Module {
  constructor(
    readonly kernelSize: number,
    readonly opts: MaxPoolOptions<number> & { returnIndices?: R } = {},
  ) {
    super();
  }

  forward(x: Tensor): PoolResult<R> {
    const { stride = null, padding = 0, dilation = 1, ceilMode = false, returnIndices = false } = this.opts;
    if (returnIndices) return maxPool1d(x, this.kernelSize, stride, padding, dilation, ceilMode, true) as PoolResult<R>;
    return maxPool1d(x, this.kernelSize, stride, padding, dilation, ceilMode) as PoolResult<R>;
  }
}

export interface AvgPoolLayerOptions<P> {
  stride?: P | null;
  padding?: P;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly opts: AvgPoolLayerOptions<Pair> & { divisorOverride?: number | null } = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const { stride = null, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null } = this.opts;
    return avgPool2d(x, this.kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
  }
}

export class AvgPool1d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly opts: AvgPoolLayerOptions<number> = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const { stride = null, padding = 0, ceilMode = false, countIncludePad = true } = this.opts;
    return avgPool1d(x, this.kernelSize, stride, padding, ceilMode, countIncludePad);
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }
}
