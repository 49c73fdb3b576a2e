// LayerNorm (Ba et al. 2016) and RMSNorm (Zhang & Sennrich 2019) over the trailing `normalizedShape` dims, on the
// fused layerNorm / rmsNorm ops.
//   LayerNorm: y = (x - mean) / sqrt(var + eps) * weight + bias   (biased variance, as torch)
//   RMSNorm:   y = x / sqrt(mean(x^2) + eps) * weight
import type { Tensor } from '../../core/index.js';
import { layerNorm, rmsNorm } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { ones_ } from '../init.js';
import { parameter, type LayerOptions } from './factory.js';

export interface NormOptions extends LayerOptions {
  eps?: number;
  /** learn a per-element scale (and shift, for LayerNorm); default true */
  elementwiseAffine?: boolean;
}

const asShape = (s: number | readonly number[]) => (typeof s === 'number' ? [s] : [...s]);

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: NormOptions & { bias?: boolean } = {}) {
    super();
    this.normalizedShape = asShape(normalizedShape);
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? parameter(this.normalizedShape, opts, ones_) : null;
    this.bias = affine && opts.bias !== false ? parameter(this.normalizedShape, opts) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  /** undefined: the machine epsilon of the input's dtype (torch's default) */
  readonly eps: number | undefined;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: NormOptions = {}) {
    super();
    this.normalizedShape = asShape(normalizedShape);
    this.eps = opts.eps;
    this.weight = (opts.elementwiseAffine ?? true) ? parameter(this.normalizedShape, opts, ones_) : null;
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }
}
