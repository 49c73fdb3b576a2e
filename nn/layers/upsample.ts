// Upsample (torch.nn.Upsample): interpolate with fixed options.
import type { Tensor } from '../../core/index.js';
import { interpolate, type InterpolateOptions } from '../../ops/index.js';
import { Module } from '../module.js';

export class Upsample extends Module {
  constructor(readonly opts: InterpolateOptions) {
    super();
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, this.opts);
  }
}
