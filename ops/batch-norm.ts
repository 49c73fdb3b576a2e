// Batch norm (Ioffe & Szegedy 2015, Algorithm 1) and group norm (Wu & He 2018, eq. 1-3) with
// torch.nn.functional's semantics, for inputs [N, C, *] with channels in dim 1.
//   batchNorm: statistics per channel over N and the spatial dims: the batch's own in training (biased variance
//              for normalising; the running variance is updated with the unbiased one, as torch), the running
//              estimates in evaluation;
//   groupNorm: statistics per sample over each group of C / G channels and the spatial dims: the rows of the fused
//              layerNorm kernel (ops/norms.ts) once the input is viewed as [N, G, C / G * spatial].
// batchNorm is a composite of reductions and elementwise ops: on a GPU its two reductions run over N * spatial per
// channel, which the reduction kernels already tile; its gradient is the autograd of those ops.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { isFloat } from '../core/dtype.js';
import { noGrad } from '../core/autograd.js';
import { describe } from './op.js';
import { layerNorm } from './norms.js';

function checkChannels(op: string, x: Tensor): number {
  assertTensor(x, op);
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a floating-point input, got ${describe(x)}`);
  if (x.ndim < 2) throw new Error(`${op}: expected an input [N, C, *] of at least 2 dims, got ${describe(x)}`);
  return x.shape[1];
}

/** A per-channel vector [C] as [1, C, 1...] against an input of `ndim` dims, after checking its shape. */
function perChannel(op: string, label: string, v: Tensor, x: Tensor): Tensor {
  assertTensor(v, op);
  const C = x.shape[1];
  if (v.ndim !== 1 || v.shape[0] !== C || v.dtype !== x.dtype) {
    throw new Error(
      `${op}: ${label} ${describe(v)} must be a vector of the input's ${C} channels (input ${describe(x)}), of its dtype`,
    );
  }
  return v.reshape([1, C, ...Array<number>(x.ndim - 2).fill(1)]);
}

function affine(op: string, y: Tensor, x: Tensor, weight?: Tensor | null, bias?: Tensor | null): Tensor {
  const scaled = weight ? y.mul(perChannel(op, 'weight', weight, x)) : y;
  return bias ? scaled.add(perChannel(op, 'bias', bias, x)) : scaled;
}

/**
 * torch.nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps). In
 * training the running statistics (when given) are updated in place:
 *   running = (1 - momentum) running + momentum batch statistic.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  const op = 'batchNorm';
  const C = checkChannels(op, x);
  if ((runningMean === null) !== (runningVar === null))
    throw new Error(`${op}: give both runningMean and runningVar, or neither`);
  const rm = runningMean && perChannel(op, 'runningMean', runningMean, x);
  const rv = runningVar && perChannel(op, 'runningVar', runningVar, x);
  if (!(eps >= 0)) throw new Error(`${op}: eps must be a non-negative number, got ${eps}`);
  const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const count = x.numel / C;
  if (!training) {
    if (!rm || !rv)
      throw new Error(`${op}: runningMean and runningVar must be given in evaluation mode (training=false)`);
    return affine(op, x.sub(rm).mul(rv.add(eps).rsqrt()), x, weight, bias);
  }
  if (count <= 1) {
    throw new Error(`${op}: expected more than 1 value per channel when training, got input ${describe(x)}`);
  }
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`${op}: momentum must be in [0, 1], got ${momentum}`);
  const mean = x.mean(dims, true);
  const centred = x.sub(mean);
  const variance = centred.square().mean(dims, true);
  if (runningMean && runningVar) {
    noGrad(() => {
      runningMean.mul_(1 - momentum).add_(mean.reshape([C]).mul(momentum));
      runningVar.mul_(1 - momentum).add_(variance.reshape([C]).mul((momentum * count) / (count - 1)));
    });
  }
  return affine(op, centred.mul(variance.add(eps).rsqrt()), x, weight, bias);
}

/** torch.nn.functional.group_norm(input, num_groups, weight, bias, eps): input [N, C, *], C divisible by numGroups. */
export function groupNorm(
  x: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const op = 'groupNorm';
  const C = checkChannels(op, x);
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new Error(
      `${op}: the input's ${C} channels (input ${describe(x)}) must be divisible by numGroups, got ${numGroups}`,
    );
  }
  const groupSize = (C / numGroups) * x.shape.slice(2).reduce((a, b) => a * b, 1);
  if (groupSize === 0) throw new Error(`${op}: input ${describe(x)} has an empty spatial dim`);
  const rows = x.reshape([x.shape[0], numGroups, groupSize]);
  return affine(op, layerNorm(rows, [groupSize], null, null, eps).reshape(x.shape), x, weight, bias);
}
