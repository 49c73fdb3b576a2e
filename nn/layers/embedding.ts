// Embedding: a lookup table of `numEmbeddings` rows of size `embeddingDim`, initialised N(0, 1) as torch's.
import type { Tensor } from '../../core/index.js';
import { arange } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { normal_ } from '../init.js';
import { parameter, type LayerOptions } from './factory.js';

/** Rows of `weight` picked by integer `indices`: output shape [...indices.shape, dim]. */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  if (indices.dtype !== 'i32' && indices.dtype !== 'u32') {
    throw new Error(`embedding: indices must be i32 or u32, got ${indices.dtype}`);
  }
  const oneHot = indices.unsqueeze(-1).eq(arange(weight.shape[0], undefined, 1, { device: indices.device })).cast(weight.dtype);
  return oneHot.matmul(weight);
}

export class Embedding extends Module {
  weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: LayerOptions = {}) {
    super();
    this.weight = parameter([numEmbeddings, embeddingDim], opts, normal_);
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }
}
