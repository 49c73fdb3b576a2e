// Conv1d and Conv2d (torch.nn.Conv1d / Conv2d) on the conv1d / conv2d ops. Initialised as torch's:
// weight ~ kaiming_uniform(a = sqrt 5), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with fanIn = in / groups * kernel
// size, and bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
import type { Tensor } from '../../core/index.js';
import { conv1d, conv2d, type ConvPadding, type Pair } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { kaimingUniform_, uniform_ } from '../init.js';
import { parameter, type LayerOptions } from './factory.js';

export interface ConvOptions<P> extends LayerOptions {
  stride?: P;
  /** zeros on each side, or 'same' / 'valid' */
  padding?: P | 'same' | 'valid';
  dilation?: P;
  groups?: number;
  bias?: boolean;
  /** only 'zeros' (torch's default) is supported */
  paddingMode?: 'zeros';
}

/** The parameters both layers share: weight [out, in / groups, ...kernel] and bias [out]. */
abstract class ConvNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly groups: number;

  protected constructor(
    layer: string,
    inChannels: number,
    outChannels: number,
    kernel: number[],
    opts: ConvOptions<unknown>,
  ) {
    super();
    const groups = opts.groups ?? 1;
    for (const [k, v] of [
      ['inChannels', inChannels],
      ['outChannels', outChannels],
      ['groups', groups],
      ['kernelSize', Math.min(...kernel)],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${layer}: ${k} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(
        `${layer}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`,
      );
    }
    if ((opts.paddingMode ?? 'zeros') !== 'zeros') {
      throw new Error(`${layer}: paddingMode '${String(opts.paddingMode)}' is not supported (valid: 'zeros')`);
    }
    this.groups = groups;
    const fanIn = (inChannels / groups) * kernel.reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = parameter([outChannels, inChannels / groups, ...kernel], opts, (w) =>
      kaimingUniform_(w, { a: Math.sqrt(5) }),
    );
    this.bias = opts.bias === false ? null : parameter([outChannels], opts, (b) => uniform_(b, -bound, bound));
  }
}

export class Conv2d extends ConvNd {
  readonly stride: Pair;
  readonly padding: ConvPadding;
  readonly dilation: Pair;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: ConvOptions<Pair> = {}) {
    const kernel = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [...kernelSize];
    super('Conv2d', inChannels, outChannels, kernel, opts);
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}

export class Conv1d extends ConvNd {
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;

  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: ConvOptions<number> = {}) {
    super('Conv1d', inChannels, outChannels, [kernelSize], opts);
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}
