// Feature maps phi for linear attention, applied to q or k [B, H, T, d]. Fixed maps: elu(x) + 1 (Katharopoulos et
// al. 2020), relu, and softmax over the feature dim. Learnable: per-head projections U_h [d, F] followed by an
// activation; the Hedgehog map (Zhang et al. 2024, eq. 6) is phi(x) = [softmax(x U) || softmax(-x U)] (2F features),
// clamped at 1e-12 so no feature is exactly zero.
import { Tensor } from '../../core/index.js';
import { tensor, softmax } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { parameter, type LayerOptions } from '../layers/factory.js';
import { normal_ } from '../init.js';

export type FeatureMap = ((x: Tensor) => Tensor) | { forward(x: Tensor): Tensor };

export const applyFeatureMap = (phi: FeatureMap, x: Tensor): Tensor => (typeof phi === 'function' ? phi(x) : phi.forward(x));

export const eluPlusOne = (x: Tensor): Tensor => x.elu().add(1);
export const reluFeatures = (x: Tensor): Tensor => x.relu();
export const softmaxFeatures = (x: Tensor): Tensor => softmax(x, -1);

export type LearnableActivation = 'hedgehog' | 'softmax' | 'relu' | 'elu+1';

export interface LearnableFeatureMapOptions extends LayerOptions {
  heads: number;
  headDim: number;
  featureDim: number;
  /** default 'hedgehog' (2 * featureDim outputs); the others give featureDim outputs */
  activation?: LearnableActivation;
  /** seed of the N(0, 1/d) initialisation of U */
  seed?: number;
}

/** phi_h(x) = act(x U_h) with a separate U_h [d, F] for every head h. */
export class LearnableFeatureMap extends Module {
  readonly activation: LearnableActivation;
  readonly outDim: number;
  weight: Parameter;

  constructor(opts: LearnableFeatureMapOptions) {
    super();
    this.activation = opts.activation ?? 'hedgehog';
    this.outDim = this.activation === 'hedgehog' ? 2 * opts.featureDim : opts.featureDim;
    this.weight = parameter([opts.heads, opts.headDim, opts.featureDim], opts,
      (w) => normal_(w, 0, 1 / Math.sqrt(opts.headDim), { seed: opts.seed }));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.weight.shape[0] || x.shape[3] !== this.weight.shape[1]) {
      throw new Error(`LearnableFeatureMap: expected x [B, ${this.weight.shape[0]}, T, ${this.weight.shape[1]}], got [${x.shape}]`);
    }
    const xu = x.matmul(this.weight);
    switch (this.activation) {
      case 'relu': return xu.relu();
      case 'elu+1': return eluPlusOne(xu);
      case 'softmax': return softmax(xu, -1);
      case 'hedgehog': {
        // [xU, -xU] as [..., 2, F], a softmax over each half, then flattened to [..., 2F]
        const signs = tensor([1, -1], { shape: [2, 1], device: x.device, dtype: x.dtype });
        const both = softmax(xu.unsqueeze(-2).mul(signs), -1).clamp(1e-12);
        return both.reshape([...x.shape.slice(0, 3), this.outDim]);
      }
    }
  }
}
