// Activation functions as modules, so they can sit in a Sequential.
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}

export class GELU extends Module {
  /** 'tanh' selects the tanh approximation (GPT-2's), 'none' the exact erf form */
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return x.gelu({ approximate: this.approximate }); }
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor { return x.silu(); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return x.elu(this.alpha); }
}

export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return x.softplus({ beta: this.beta, threshold: this.threshold }); }
}
