// Linear: y = x W^T + b with W of shape [out, in], initialised as torch.nn.Linear: W ~ kaiming_uniform(a = sqrt 5),
// which is U(-1/sqrt(in), 1/sqrt(in)), and b ~ U(-1/sqrt(in), 1/sqrt(in)).
import { assertTensor, type Tensor } from '../../core/tensor.js';
import { linear } from '../../ops/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { kaimingUniform_, uniform_ } from '../init.js';
import { parameter, type LayerOptions } from './factory.js';

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LayerOptions & { bias?: boolean } = {}) {
    super();
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${k} must be a positive integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = parameter([outFeatures, inFeatures], opts, (w) => kaimingUniform_(w, { a: Math.sqrt(5) }));
    this.bias = opts.bias === false ? null : parameter([outFeatures], opts, (b) => uniform_(b, -bound, bound));
  }

  forward(x: Tensor): Tensor {
    assertTensor(x, 'linear');
    // [..., in] runs as one [rows, in] matmul: batched, the weight's gradient would be a matmul per batch entry and
    // then a sum over them (one more dispatch per layer and step). A strided input is left as it is (no copy).
    if (x.ndim <= 2 || !x.isContiguous()) return linear(x, this.weight, this.bias);
    return linear(x.reshape([-1, this.inFeatures]), this.weight, this.bias).reshape([...x.shape.slice(0, -1), this.outFeatures]);
  }
}
