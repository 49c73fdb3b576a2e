// Statistics of padded sequences: sums and means over the real tokens only (mask 1), one value per row.
import { tensor, type Tensor, type DeviceName } from '../../../index.js';

/** A host mask [B][T] of 0/1 as an f32 tensor. */
export function maskTensor(mask: readonly (readonly number[])[], device?: DeviceName): Tensor {
  return tensor(Float32Array.from(mask.flat()), { shape: [mask.length, mask[0]?.length ?? 0], device });
}

/** Σ_t mask·x over the last dim: x [B, T], mask [B, T] → [B]. */
export function maskedSum(x: Tensor, mask: Tensor): Tensor {
  if (x.shape.join() !== mask.shape.join())
    throw new Error(`maskedSum: x [${x.shape}] and mask [${mask.shape}] must have one shape`);
  return x.mul(mask).sum(-1);
}

/** Σ_t mask·x / Σ_t mask over the last dim (an all-zero row gives 0, not NaN): [B, T] → [B]. */
export function maskedMean(x: Tensor, mask: Tensor): Tensor {
  if (x.shape.join() !== mask.shape.join())
    throw new Error(`maskedMean: x [${x.shape}] and mask [${mask.shape}] must have one shape`);
  return x.mul(mask).sum(-1).div(mask.sum(-1).clamp(1));
}

/** Host-side Σ_t mask·x per row. */
export function maskedRowSums(x: readonly (readonly number[])[], mask: readonly (readonly number[])[]): number[] {
  return x.map((row, b) => row.reduce((s, v, t) => s + (mask[b][t] ? v : 0), 0));
}
