// The bar (Riemann) distribution of PFNs (Müller et al. 2022), the NP head's predictive: K buckets with borders
// b_0 < ... < b_K, probabilities p = softmax(logits), uniform density inside each bucket, so
//   log p(y) = log_softmax(logits)_k(y) − log(b_{k+1} − b_k)        (bucket k(y) contains y; y clipped into range)
//   EI(y*) = E[max(y − y*, 0)] = Σ_k p_k·e_k(y*),  e_k = ∫_{b_k}^{b_k+1} max(y − y*, 0) dy / (b_{k+1} − b_k)
// which is (b_k + b_{k+1})/2 − y* above y*, 0 below, and (b_{k+1} − y*)²/(2·width) in the bucket that holds y*.
import { tensor, type Tensor } from '../../index.js';

export class BarDistribution {
  readonly borders: Float64Array;
  readonly buckets: number;

  constructor(borders: ArrayLike<number>) {
    this.borders = Float64Array.from(borders);
    this.buckets = this.borders.length - 1;
    if (this.buckets < 1 || this.borders.some((b, i) => i > 0 && !(b > this.borders[i - 1])))
      throw new Error(
        `BarDistribution: borders must be at least 2 strictly increasing numbers, got [${this.borders.join(', ')}]`,
      );
  }

  /** K equal buckets on [lo, hi] (NAP: 64 buckets on [−0.1, 1.1] here, 1000 in the paper). */
  static uniform(lo: number, hi: number, buckets: number): BarDistribution {
    return new BarDistribution(Array.from({ length: buckets + 1 }, (_, i) => lo + ((hi - lo) * i) / buckets));
  }

  width(k: number): number {
    return this.borders[k + 1] - this.borders[k];
  }

  /** The bucket that holds y, after clipping y into [b_0, b_K] (spec pitfall: targets outside the range). */
  bucketOf(y: number): number {
    const b = this.borders;
    if (y <= b[0]) return 0;
    if (y >= b[this.buckets]) return this.buckets - 1;
    let lo = 0;
    let hi = this.buckets;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (y >= b[mid]) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** log p(y) for logits [..., K] and one target per leading position (row-major), returned as [...]. */
  logDensity(logits: Tensor, y: ArrayLike<number>): Tensor {
    const lead = logits.shape.slice(0, -1);
    const count = lead.reduce((a, b) => a * b, 1);
    if (logits.shape[logits.ndim - 1] !== this.buckets || y.length !== count)
      throw new Error(
        `BarDistribution.logDensity: logits [${logits.shape}] need ${this.buckets} buckets last and ${count} targets, got ${y.length}`,
      );
    const index = new Int32Array(count);
    const logWidth = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      index[i] = this.bucketOf(y[i]);
      logWidth[i] = Math.log(this.width(index[i]));
    }
    const opts = { device: logits.device, dtype: logits.dtype };
    const picked = logits.logSoftmax(-1).gather(-1, tensor(index, { shape: [...lead, 1], device: logits.device }));
    return picked.squeeze(-1).sub(tensor(logWidth, { ...opts, shape: lead }));
  }

  /** e_k(y*) for every bucket: the expected improvement over y* of a uniform draw inside bucket k. */
  improvementPerBucket(yStar: number): Float64Array {
    return Float64Array.from({ length: this.buckets }, (_, k) => {
      const [a, b] = [this.borders[k], this.borders[k + 1]];
      if (yStar <= a) return (a + b) / 2 - yStar;
      if (yStar >= b) return 0;
      return (b - yStar) ** 2 / (2 * (b - a));
    });
  }

  /** EI for logits [B, N, K] and one incumbent y* per batch row (length B), returned as [B, N]. */
  ei(logits: Tensor, yStar: ArrayLike<number>): Tensor {
    const [B, , K] = logits.shape;
    if (logits.ndim !== 3 || K !== this.buckets || yStar.length !== B)
      throw new Error(
        `BarDistribution.ei: logits must be [B, N, ${this.buckets}] with B = yStar.length, got [${logits.shape}] and ${yStar.length}`,
      );
    const table = new Float64Array(B * K);
    for (let b = 0; b < B; b++) table.set(this.improvementPerBucket(yStar[b]), b * K);
    const e = tensor(table, { shape: [B, 1, K], device: logits.device, dtype: logits.dtype });
    return logits.softmax(-1).mul(e).sum(-1);
  }
}
