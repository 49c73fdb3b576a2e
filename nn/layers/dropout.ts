// Dropout (Srivastava et al. 2014), inverted: in training each element is zeroed with probability p and the
// survivors are scaled by 1/(1-p), so evaluation is the identity. The mask comes from the seeded Philox generator.
import type { Tensor } from '../../core/index.js';
import { rand, where } from '../../ops/index.js';
import { Module } from '../module.js';

/** The functional form; `training` false (or p = 0) returns x itself. */
export function dropout(x: Tensor, p: number, training = true, opts: { seed?: number } = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const u = rand(x.shape, { device: x.device, seed: opts.seed });
  return where(u.lt(p), 0, x.mul(1 / (1 - p)));
}

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
