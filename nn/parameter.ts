// A Parameter is a leaf tensor that requires grad and belongs to a Module. It is never owned by a tidy scope:
// parameters live until their module is disposed.
import { Tensor, keep } from '../core/index.js';

export class Parameter extends Tensor {
  /** Wraps `data`'s storage (no copy) as a trainable leaf; `data` itself may be disposed afterwards. */
  constructor(data: Tensor, requiresGrad = true) {
    data.assertAlive('Parameter');
    const source = data.isContiguous() ? data : data.contiguous();
    super(source.storage.retain(), source.shape, source.strides, source.offset);
    if (source !== data) source.dispose();
    if (requiresGrad) this.requiresGrad_(true);
    keep(this);
  }
}
