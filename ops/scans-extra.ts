// Scans built on the scan kernel (shaders/scan.ts): cummax and cummin ({ values, indices }, as torch.cummax) and
// logcumsumexp. The kernel computes the running max/min; the indices are a second running max over positions,
// and the values carried by autograd are read back at those indices with gather, so their gradient goes to the
// element each running max came from (gather's backward), as torch's does.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { isFloat } from '../core/dtype.js';
import { normDim } from '../core/shape.js';
import { isGradEnabled } from '../core/autograd.js';
import { where } from './binary.js';
import { arange } from './creation.js';
import { gather } from './indexing.js';
import { apply, describe } from './op.js';
import { cumsum, scan, scanSpec } from './scan.js';
import { valuesIndices, type ValuesIndices } from './result.js';

const noBool = (op: string) => (x: Tensor) => {
  if (x.dtype === 'bool') throw new Error(`${op}: not defined for ${describe(x)} here; cast it with .int() first`);
};
const RUNNING_MAX = scanSpec('max', 'cummax', null, noBool('cummax'));
const RUNNING_MIN = scanSpec('min', 'cummin', null, noBool('cummin'));

/**
 * The running extremum along dim and where it was last reached. torch's kernel takes a new index when an element
 * ties the running value (>= for max), and once a NaN appears the running value is NaN at the first NaN's index.
 * So the index at i is the last j <= i where x_j equals the running value at j (j is a new or tied extremum),
 * counting a NaN only if it is the row's first one: a running max over those positions.
 */
function runningExtremum(op: 'cummax' | 'cummin', x: Tensor, dim: number): ValuesIndices {
  assertTensor(x, op);
  const d = normDim(op, dim, x.ndim);
  if (x.ndim === 0) {
    const r = runningExtremum(op, x.reshape([1]), 0);
    return valuesIndices(r.values.reshape([]), r.indices.reshape([]));
  }
  const running = apply(op === 'cummax' ? RUNNING_MAX : RUNNING_MIN, [x.detach()], { dim: d, reverse: false });
  const L = x.shape[d];
  const position = arange(L, undefined, 1, { device: x.device }).reshape(x.shape.map((_, i) => (i === d ? L : 1)));
  let reached = x.eq(running);
  if (isFloat(x.dtype)) {
    const nan = x.isnan();
    reached = reached.logicalOr(nan.logicalAnd(cumsum(nan, d).eq(1)));
  }
  const indices = apply(RUNNING_MAX, [where(reached, position, -1)], { dim: d, reverse: false });
  if (!(x.requiresGrad && isGradEnabled())) return valuesIndices(running, indices);
  return valuesIndices(gather(x, d, indices), indices);
}

/** The running maximum along dim and the index where it was (last) reached (torch.cummax). */
export const cummax = (x: Tensor, dim: number): ValuesIndices => runningExtremum('cummax', x, dim);

/** The running minimum along dim and the index where it was (last) reached (torch.cummin). */
export const cummin = (x: Tensor, dim: number): ValuesIndices => runningExtremum('cummin', x, dim);

/**
 * d y_i / d x_j = exp(x_j - y_i) for j <= i, so grad_j = sum_{i >= j} g_i exp(x_j - y_i). Summed as written,
 * exp(-y_i) overflows; torch (after TensorFlow) splits g by sign and sums each part in log space with a reversed
 * logcumsumexp: grad = exp(x + revLcse(log g+ - y)) - exp(x + revLcse(log g- - y)). Written with tensor ops, so it
 * differentiates again.
 */
const LOGCUMSUMEXP = scanSpec(
  'logaddexp',
  'logcumsumexp',
  (g, x, y, { dim, reverse }) => {
    const logAbs = g.abs().log();
    const part = (sign: Tensor) =>
      scan(LOGCUMSUMEXP, where(sign, logAbs, -Infinity).sub(y), dim, !reverse)
        .add(x)
        .exp();
    return part(g.gt(0)).sub(part(g.lt(0)));
  },
  (x) => {
    if (!isFloat(x.dtype)) throw new Error(`logcumsumexp: input must be a float tensor, got ${describe(x)}`);
  },
);

/** log(cumsum(exp(x))) along dim, computed stably (torch.logcumsumexp). */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  return scan(LOGCUMSUMEXP, x, dim, false);
}
