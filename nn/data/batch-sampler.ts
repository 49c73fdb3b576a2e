// Samples language-model batches from a token stream: B windows of T + 1 tokens at seeded random offsets, giving
// inputs x = window[0..T) and next-token targets y = window[1..T], as i32 tensors [B, T] on the chosen device.
import type { Tensor, DeviceName } from '../../core/index.js';
import { tensor } from '../../ops/index.js';
import { seededRandom } from './seeded-random.js';

export interface BatchSamplerOptions {
  batchSize: number;
  blockSize: number;
  seed?: number;
  device?: DeviceName;
}

export class BatchSampler {
  readonly batchSize: number;
  readonly blockSize: number;
  readonly device: DeviceName | undefined;
  private readonly random: () => number;

  constructor(readonly tokens: Int32Array, opts: BatchSamplerOptions) {
    this.batchSize = opts.batchSize;
    this.blockSize = opts.blockSize;
    this.device = opts.device;
    if (tokens.length < opts.blockSize + 1) {
      throw new Error(`BatchSampler: ${tokens.length} tokens are fewer than blockSize + 1 = ${opts.blockSize + 1}`);
    }
    this.random = seededRandom(opts.seed ?? 0);
  }

  /** Starting offsets of the next batch's windows. */
  nextOffsets(): number[] {
    const span = this.tokens.length - this.blockSize;
    return Array.from({ length: this.batchSize }, () => Math.floor(this.random() * span));
  }

  /** The batch whose windows start at `offsets`. */
  batchAt(offsets: readonly number[]): { x: Tensor; y: Tensor } {
    const T = this.blockSize;
    const x = new Int32Array(offsets.length * T);
    const y = new Int32Array(offsets.length * T);
    offsets.forEach((o, b) => {
      x.set(this.tokens.subarray(o, o + T), b * T);
      y.set(this.tokens.subarray(o + 1, o + T + 1), b * T);
    });
    const opts = { shape: [offsets.length, T], dtype: 'i32' as const, device: this.device };
    return { x: tensor(x, opts), y: tensor(y, opts) };
  }

  next(): { x: Tensor; y: Tensor } {
    return this.batchAt(this.nextOffsets());
  }
}
