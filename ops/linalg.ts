// Linear-algebra products written with matmul, views and elementwise ops (so each gradient comes from those):
// dot, mv, tensordot, addmm, baddbmm, cross, kron, cdist. einsum is in ops/einsum.ts, solve/inverse in ops/solve.ts.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { broadcastShapes, normDim, numel } from '../core/shape.js';
import { describe } from './op.js';
import { matmul } from './matmul.js';
import { norm } from './reduce.js';
import { roll } from './shape-extra.js';

/** The inner product of two 1-D tensors of one length (torch.dot; no broadcasting). */
export function dot(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'dot');
  assertTensor(b, 'dot');
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new Error(`dot: expected two 1-D tensors of the same length, got ${describe(a)} and ${describe(b)}`);
  }
  return matmul(a, b);
}

/** Matrix times vector: [n, m] x [m] -> [n] (torch.mv). */
export function mv(m: Tensor, v: Tensor): Tensor {
  assertTensor(m, 'mv');
  assertTensor(v, 'mv');
  if (m.ndim !== 2 || v.ndim !== 1 || m.shape[1] !== v.shape[0]) {
    throw new Error(`mv: expected a matrix [n, m] and a vector [m], got ${describe(m)} and ${describe(v)}`);
  }
  return matmul(m, v);
}

/**
 * Sums products over the given dims (torch.tensordot): dims = n contracts a's last n dims with b's first n;
 * dims = [dimsA, dimsB] contracts those lists pairwise. The result has a's free dims, then b's.
 * Written as one matmul of a permuted/reshaped to [free, contracted] and b to [contracted, free].
 */
export function tensordot(
  a: Tensor,
  b: Tensor,
  dims: number | readonly [readonly number[], readonly number[]] = 2,
): Tensor {
  assertTensor(a, 'tensordot');
  assertTensor(b, 'tensordot');
  let da: number[];
  let db: number[];
  if (typeof dims === 'number') {
    if (!Number.isInteger(dims) || dims < 0 || dims > a.ndim || dims > b.ndim) {
      throw new Error(
        `tensordot: dims ${dims} must be an integer in 0..${Math.min(a.ndim, b.ndim)} for ${describe(a)} and ${describe(b)}`,
      );
    }
    da = [...Array(dims).keys()].map((i) => a.ndim - dims + i);
    db = [...Array(dims).keys()];
  } else {
    if (!Array.isArray(dims) || dims.length !== 2 || dims[0].length !== dims[1].length) {
      throw new Error('tensordot: dims must be a number or two lists of the same length [dimsA, dimsB]');
    }
    da = dims[0].map((d) => normDim('tensordot', d, a.ndim));
    db = dims[1].map((d) => normDim('tensordot', d, b.ndim));
  }
  da.forEach((d, i) => {
    if (a.shape[d] !== b.shape[db[i]]) {
      throw new Error(
        `tensordot: contracted dims differ in size: dim ${d} of ${describe(a)} and dim ${db[i]} of ${describe(b)}`,
      );
    }
  });
  const freeA = [...a.shape.keys()].filter((d) => !da.includes(d));
  const freeB = [...b.shape.keys()].filter((d) => !db.includes(d));
  const k = numel(da.map((d) => a.shape[d]));
  const left = a.permute([...freeA, ...da]).reshape([numel(freeA.map((d) => a.shape[d])), k]);
  const right = b.permute([...db, ...freeB]).reshape([k, numel(freeB.map((d) => b.shape[d]))]);
  return matmul(left, right).reshape([...freeA.map((d) => a.shape[d]), ...freeB.map((d) => b.shape[d])]);
}

export interface ScaleOptions {
  /** the factor of the input (0 ignores it, NaN included, as in torch) */
  beta?: number;
  /** the factor of the product */
  alpha?: number;
}

/** beta * input + alpha * product, with torch's rule that beta = 0 ignores the input. */
function scaledSum(op: string, input: Tensor, product: Tensor, { beta = 1, alpha = 1 }: ScaleOptions): Tensor {
  assertTensor(input, op);
  if (
    input.ndim > product.ndim ||
    broadcastShapes(op, input.shape, product.shape).some((s, d) => s !== product.shape[d])
  ) {
    throw new Error(`${op}: input ${describe(input)} does not broadcast to the product's shape [${product.shape}]`);
  }
  const scaled = alpha === 1 ? product : product.mul(alpha);
  if (beta === 0) return scaled;
  return scaled.add(beta === 1 ? input : input.mul(beta));
}

/** beta * input + alpha * (mat1 @ mat2) for matrices (torch.addmm). */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: ScaleOptions = {}): Tensor {
  assertTensor(mat1, 'addmm');
  assertTensor(mat2, 'addmm');
  if (mat1.ndim !== 2 || mat2.ndim !== 2 || mat1.shape[1] !== mat2.shape[0]) {
    throw new Error(`addmm: expected matrices [n, m] and [m, p], got ${describe(mat1)} and ${describe(mat2)}`);
  }
  return scaledSum('addmm', input, matmul(mat1, mat2), opts);
}

/** beta * input + alpha * (batch1 @ batch2) for batches of matrices (torch.baddbmm). */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts: ScaleOptions = {}): Tensor {
  assertTensor(batch1, 'baddbmm');
  assertTensor(batch2, 'baddbmm');
  if (
    batch1.ndim !== 3 ||
    batch2.ndim !== 3 ||
    batch1.shape[0] !== batch2.shape[0] ||
    batch1.shape[2] !== batch2.shape[1]
  ) {
    throw new Error(
      `baddbmm: expected batches [b, n, m] and [b, m, p], got ${describe(batch1)} and ${describe(batch2)}`,
    );
  }
  return scaledSum('baddbmm', input, matmul(batch1, batch2), opts);
}

/**
 * The cross product of 3-vectors along dim; inputs broadcast. Without dim, torch.cross takes the first dim of size 3
 * and torch.linalg.cross the last: where those differ the call raises rather than pick one, so pass dim.
 * With the vector's components rolled, a x b = roll(a, -1) * roll(b, -2) - roll(a, -2) * roll(b, -1): component 0
 * is a1 b2 - a2 b1, and so on.
 */
export function cross(a: Tensor, b: Tensor, dim?: number): Tensor {
  assertTensor(a, 'cross');
  assertTensor(b, 'cross');
  const shape = broadcastShapes('cross', a.shape, b.shape);
  if (dim === undefined) {
    const first = shape.indexOf(3);
    if (first >= 0 && first !== shape.length - 1) {
      throw new Error(
        `cross: without dim, torch.cross would use dim ${first} (the first of size 3) and torch.linalg.cross the last ` +
          `dim, for ${describe(a)} and ${describe(b)}; pass dim`,
      );
    }
  }
  const d = normDim('cross', dim ?? -1, shape.length);
  if (shape[d] !== 3 || a.shape[d - shape.length + a.ndim] !== 3 || b.shape[d - shape.length + b.ndim] !== 3) {
    throw new Error(`cross: dim ${dim ?? -1} must have size 3 in both inputs, got ${describe(a)} and ${describe(b)}`);
  }
  const x = a.expand(shape);
  const y = b.expand(shape);
  return roll(x, -1, d)
    .mul(roll(y, -2, d))
    .sub(roll(x, -2, d).mul(roll(y, -1, d)));
}

/**
 * The Kronecker product (torch.kron): the block matrix a[i, j] * b, in any rank (the smaller rank is padded with
 * leading 1s). a viewed as [a0, 1, a1, 1, ...] times b viewed as [1, b0, 1, b1, ...], then merged pairwise.
 */
export function kron(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'kron');
  assertTensor(b, 'kron');
  const rank = Math.max(a.ndim, b.ndim);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const product = a.reshape(sa.flatMap((s) => [s, 1])).mul(b.reshape(sb.flatMap((s) => [1, s])));
  return product.reshape(sa.map((s, d) => s * sb[d]));
}

/**
 * Pairwise p-norm distances between the rows of x1 [..., P, M] and x2 [..., R, M]: [..., P, R] (torch.cdist).
 * Computed exactly from the differences (a [..., P, R, M] intermediate); torch's p = 2 shortcut through
 * |x|^2 + |y|^2 - 2 x.y, which loses precision for close points, is not used. p = 0 (a count) is not supported.
 */
export function cdist(x1: Tensor, x2: Tensor, p = 2): Tensor {
  assertTensor(x1, 'cdist');
  assertTensor(x2, 'cdist');
  if (x1.ndim < 2 || x2.ndim < 2 || x1.shape[x1.ndim - 1] !== x2.shape[x2.ndim - 1]) {
    throw new Error(`cdist: expected [..., P, M] and [..., R, M] with one M, got ${describe(x1)} and ${describe(x2)}`);
  }
  if (!(p > 0)) throw new Error(`cdist: p must be positive or Infinity, got ${p} (p = 0 is not supported)`);
  const diff = x1.unsqueeze(-2).sub(x2.unsqueeze(-3));
  return norm(diff, p, -1);
}
