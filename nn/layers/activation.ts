// Activation functions as modules, so they can sit in a Sequential.
import type { Tensor } from '../../core/index.js';
import { glu, softmin } from '../../ops/index.js';
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

export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor { return x.logsigmoid(); }
}

export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) { super(); }
  forward(x: Tensor): Tensor { return x.hardtanh(this.minVal, this.maxVal); }
}

export class ReLU6 extends Module {
  forward(x: Tensor): Tensor { return x.relu6(); }
}

export class Mish extends Module {
  forward(x: Tensor): Tensor { return x.mish(); }
}

export class SELU extends Module {
  forward(x: Tensor): Tensor { return x.selu(); }
}

export class CELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return x.celu(this.alpha); }
}

export class Hardswish extends Module {
  forward(x: Tensor): Tensor { return x.hardswish(); }
}

export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor { return x.hardsigmoid(); }
}

/** softmax(-x) along dim (torch.nn.Softmin) */
export class Softmin extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return softmin(x, this.dim); }
}

/** the first half of x along dim gated by the sigmoid of the second (torch.nn.GLU) */
export class GLU extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return glu(x, this.dim); }
}
