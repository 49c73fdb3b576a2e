// Sampling built on the seeded uniform generator (rand) and the scan/sort ops, so a seed gives the same samples on
// the cpu and webgpu backends: multinomial (with and without replacement) and randperm.
import { assertTensor } from '../core/tensor.js';
import type { Tensor } from '../core/tensor.js';
import { tidy } from '../core/scope.js';
import { noGrad } from '../core/autograd.js';
import { isFloat } from '../core/dtype.js';
import { getDefaultDevice } from '../core/defaults.js';
import type { DeviceName } from '../core/storage.js';
import { describe, valuesOf } from './op.js';
import { rand } from './random.js';
import { cumsum } from './scan.js';
import { argsort, topk } from './sort.js';

export interface MultinomialOptions {
  replacement?: boolean;
  /** use this seed instead of drawing from the global generator */
  seed?: number;
}

/** Host-side checks torch makes; possible only when the probabilities are on the cpu. */
function checkProbabilities(probs: Tensor, numSamples: number, replacement: boolean): void {
  if (probs.device !== 'cpu') return;
  const C = probs.shape[probs.ndim - 1];
  const values = valuesOf(probs);
  for (let r = 0; r < values.length / C; r++) {
    const row = values.subarray(r * C, (r + 1) * C);
    if (row.some((p) => !(p >= 0) || p === Infinity)) {
      throw new Error(`multinomial: probabilities must be finite and non-negative, row ${r} holds ${[...row].find((p) => !(p >= 0) || p === Infinity)}`);
    }
    const positive = row.filter((p) => p > 0).length;
    if (positive === 0) throw new Error(`multinomial: row ${r} of the probabilities sums to 0`);
    if (!replacement && numSamples > positive) {
      throw new Error(`multinomial: cannot draw ${numSamples} samples without replacement from row ${r}, which has ` +
        `only ${positive} categories of non-zero probability`);
    }
  }
}

/**
 * Draws numSamples category indices (i32) from each row of non-negative weights `probs` ([C] or [B, C]; rows need
 * not sum to 1), as torch.multinomial.
 *  - with replacement: inverse CDF. With c_k the running sum of the weights and t = u * c_{C-1} (u uniform),
 *    the sample is the first k with c_k > t, i.e. the count of k < C-1 with c_k <= t.
 *  - without replacement: the exponential race (equivalently Gumbel-top-k): key_k = log(u_k) / p_k, i.e. minus an
 *    Exp(p_k) arrival time, and the numSamples largest keys win, in order of arrival.
 * On webgpu the weights cannot be checked without a readback: zero-weight categories are then drawn last.
 */
export function multinomial(probs: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  assertTensor(probs, 'multinomial');
  const replacement = opts.replacement ?? false;
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new Error(`multinomial: probs must be 1-D or 2-D, got ${describe(probs)}`);
  if (!isFloat(probs.dtype)) throw new Error(`multinomial: probs must be a float tensor, got ${describe(probs)}`);
  const C = probs.shape[probs.ndim - 1];
  if (C === 0) throw new Error(`multinomial: probs ${describe(probs)} has no categories`);
  if (!Number.isInteger(numSamples) || numSamples <= 0) {
    throw new Error(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  }
  if (!replacement && numSamples > C) {
    throw new Error(`multinomial: cannot draw ${numSamples} samples without replacement from ${C} categories`);
  }
  checkProbabilities(probs, numSamples, replacement);
  // tidy frees every intermediate; noGrad: samples are integers, no gradient flows to the weights
  return tidy(() => noGrad(() => {
    const rows = probs.ndim === 2 ? probs : probs.unsqueeze(0);
    const B = rows.shape[0];
    let samples: Tensor;
    if (replacement) {
      const u = rand([B, numSamples], { device: probs.device, seed: opts.seed, dtype: 'f32' });
      const cdf = cumsum(rows, -1);
      const target = u.mul(cdf.narrow(-1, C - 1, 1)).unsqueeze(2); // [B, S, 1]
      samples = cdf.narrow(-1, 0, C - 1).unsqueeze(1).le(target).sum(-1); // count of c_k <= t over [B, S, C-1]
    } else {
      const u = rand([B, C], { device: probs.device, seed: opts.seed, dtype: 'f32' });
      samples = topk(u.log().div(rows), numSamples, -1, true).indices;
    }
    return probs.ndim === 1 ? samples.squeeze(0) : samples;
  }));
}

/** A random permutation of 0..n-1 (i32), as torch.randperm: the order that sorts n uniform draws. */
export function randperm(n: number, opts: { device?: DeviceName; seed?: number } = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  return tidy(() => argsort(rand([n], { device: opts.device ?? getDefaultDevice(), seed: opts.seed, dtype: 'f32' })));
}
