// The transformer feed-forward block.
//   'gelu':   proj(GELU(fc(x)))                     (GPT-2 / nanoGPT)
//   'swiglu': proj(SiLU(gate(x)) * up(x))           (Shazeer 2020, "GLU Variants Improve Transformer"; LLaMA)
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { Linear } from './linear.js';
import { Dropout } from './dropout.js';
import type { LayerOptions } from './factory.js';

export interface MLPOptions extends LayerOptions {
  activation?: 'gelu' | 'swiglu';
  /** width of the hidden layer; default 4 * dim for gelu, the LLaMA 2/3 * 4 * dim rounded up to 8 for swiglu */
  hidden?: number;
  /** output width; default dim */
  outDim?: number;
  bias?: boolean;
  dropout?: number;
}

export class MLP extends Module {
  readonly activation: 'gelu' | 'swiglu';
  fc: Linear | null;
  gate: Linear | null;
  up: Linear | null;
  proj: Linear;
  dropout: Dropout;

  constructor(dim: number, opts: MLPOptions = {}) {
    super();
    this.activation = opts.activation ?? 'gelu';
    const swiglu = this.activation === 'swiglu';
    const hidden = opts.hidden ?? (swiglu ? Math.ceil((8 * dim) / 3 / 8) * 8 : 4 * dim);
    const layer = { device: opts.device, dtype: opts.dtype, bias: opts.bias };
    this.fc = swiglu ? null : new Linear(dim, hidden, layer);
    this.gate = swiglu ? new Linear(dim, hidden, layer) : null;
    this.up = swiglu ? new Linear(dim, hidden, layer) : null;
    this.proj = new Linear(hidden, opts.outDim ?? dim, layer);
    this.dropout = new Dropout(opts.dropout ?? 0);
  }

  forward(x: Tensor): Tensor {
    const h = this.fc ? this.fc.forward(x).gelu() : this.gate!.forward(x).silu().mul(this.up!.forward(x));
    return this.dropout.forward(this.proj.forward(h));
  }
}
