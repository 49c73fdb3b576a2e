// Flatten (torch.nn.Flatten): merges dims startDim..endDim, by default all but the batch dim.
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';

export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}
