// Activations written with other ops (no kernel of their own): softmin and the gated linear unit.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { normDim } from '../core/shape.js';
import { softmax } from './softmax.js';
import { chunk } from './shape-ops.js';

/** softmax(-x) along `dim` (torch.nn.functional.softmin). */
export function softmin(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'softmin');
  return softmax(x.neg(), dim);
}

/** a * sigmoid(b), where a and b are the two halves of x along `dim` (torch.nn.functional.glu). */
export function glu(x: Tensor, dim = -1): Tensor {
  assertTensor(x, 'glu');
  const d = normDim('glu', dim, x.ndim);
  if (x.shape[d] % 2 !== 0) {
    throw new Error(
      `glu: the halved dim ${dim} must have even size, got ${x.shape[d]} in shape [${x.shape.join(', ')}]`,
    );
  }
  const [a, b] = chunk(x, 2, d);
  return a.mul(b.sigmoid());
}
