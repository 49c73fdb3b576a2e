// LayerNorm (Ba et al. 2016) and RMSNorm (Zhang & Sennrich 2019) over the trailing `normalizedShape` dims.
//   LayerNorm: y = (x - mean) / sqrt(var + eps) * weight + bias   (biased variance, as torch)
//   RMSNorm:   y = x / sqrt(mean(x^2) + eps) * weight
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { ones_ } from '../init.js';
import { parameter, type LayerOptions } from './factory.js';

/** The trailing dims a norm reduces over, checked against the input. */
function normDims(op: string, x: Tensor, shape: readonly number[]): number[] {
  const k = shape.length;
  if (x.ndim < k || x.shape.slice(x.ndim - k).join() !== shape.join()) {
    throw new Error(`${op}: input of shape [${x.shape}] does not end with the normalized shape [${shape}]`);
  }
  return Array.from({ length: k }, (_, i) => x.ndim - k + i);
}

export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const dims = normDims('layerNorm', x, normalizedShape);
  const centred = x.sub(x.mean(dims, true));
  let y = centred.mul(centred.square().mean(dims, true).add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

export function rmsNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, eps = 1.1920928955078125e-7): Tensor {
  const dims = normDims('rmsNorm', x, normalizedShape);
  const y = x.mul(x.square().mean(dims, true).add(eps).rsqrt());
  return weight ? y.mul(weight) : y;
}

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
  /** torch's default: the machine epsilon of f32 */
  readonly eps: number;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: NormOptions = {}) {
    super();
    this.normalizedShape = asShape(normalizedShape);
    this.eps = opts.eps ?? 1.1920928955078125e-7;
    this.weight = (opts.elementwiseAffine ?? true) ? parameter(this.normalizedShape, opts, ones_) : null;
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }
}
