// Embedding: a lookup table of `numEmbeddings` rows of size `embeddingDim` on the `embedding` gather op,
// initialised N(0, 1) as torch's; the optional padding row starts at zero and receives no gradient.
import { noGrad, tidy, type Tensor } from '../../core/index.js';
import { embedding } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { normal_ } from '../init.js';
import { parameter, type LayerOptions } from './factory.js';

export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: LayerOptions & { paddingIdx?: number } = {}) {
    super();
    this.paddingIdx = opts.paddingIdx ?? null;
    this.weight = parameter([numEmbeddings, embeddingDim], opts, (w) => {
      normal_(w);
      if (this.paddingIdx !== null) noGrad(() => tidy(() => { w.select(0, this.paddingIdx!).zero_(); }));
    });
  }

  forward(indices: Tensor): Tensor {
    return embedding(this.weight, indices, { paddingIdx: this.paddingIdx });
  }
}
