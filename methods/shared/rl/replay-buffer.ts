// A ring-buffer replay memory of fixed-width float fields (observation, action, reward, flags...), sampled
// uniformly with replacement into one f64 cpu tensor per field. The fields are declared once, so the same class
// stores SAC transitions, LBAC's safety flags, or anything else a method needs to replay.
import { cat, tensor, type Tensor } from '../../../index.js';
import type { Rng } from './random.js';

/** field name -> values per transition */
export type FieldSpec = Record<string, number>;
export type Transition<F extends FieldSpec> = { [K in keyof F]: ArrayLike<number> | number };
export type Batch<F extends FieldSpec> = { [K in keyof F]: Tensor };

export class ReplayBuffer<F extends FieldSpec> {
  private readonly store: { [K in keyof F]: Float64Array };
  private next = 0;
  /** transitions held (≤ capacity) */
  size = 0;

  constructor(
    readonly capacity: number,
    readonly fields: F,
  ) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new Error(`ReplayBuffer: capacity must be a positive integer, got ${capacity}`);
    const store = {} as { [K in keyof F]: Float64Array };
    for (const k of Object.keys(fields) as (keyof F)[]) {
      const w = fields[k];
      if (!Number.isInteger(w) || w <= 0)
        throw new Error(`ReplayBuffer: field '${String(k)}' needs a positive integer width, got ${w}`);
      store[k] = new Float64Array(capacity * w);
    }
    this.store = store;
  }

  /** Stores one transition, overwriting the oldest once full. */
  push(t: Transition<F>): void {
    for (const k of Object.keys(this.fields) as (keyof F)[]) {
      const w = this.fields[k];
      const v = t[k];
      if (v === undefined) throw new Error(`ReplayBuffer.push: transition lacks field '${String(k)}'`);
      const values: ArrayLike<number> = typeof v === 'number' ? [v] : (v as ArrayLike<number>);
      if (values.length !== w)
        throw new Error(`ReplayBuffer.push: field '${String(k)}' needs ${w} values, got ${values.length}`);
      for (let j = 0; j < w; j++) this.store[k][this.next * w + j] = values[j];
    }
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The stored row `i` (0 ≤ i < size) of field `k`, as a copy. */
  row<K extends keyof F>(k: K, i: number): Float64Array {
    if (!(i >= 0 && i < this.size)) throw new Error(`ReplayBuffer.row: index ${i} outside [0, ${this.size})`);
    const w = this.fields[k];
    return this.store[k].slice(i * w, (i + 1) * w);
  }

  /** Row indices drawn uniformly with replacement. */
  sampleIndices(n: number, rng: Rng): number[] {
    if (this.size === 0) throw new Error('ReplayBuffer.sample: the buffer is empty');
    return Array.from({ length: n }, () => rng.int(this.size));
  }

  /** The rows at `indices` as one [n, width] f64 cpu tensor per field. */
  gather(indices: readonly number[]): Batch<F> {
    const out = {} as Batch<F>;
    for (const k of Object.keys(this.fields) as (keyof F)[]) {
      const w = this.fields[k];
      const flat = new Float64Array(indices.length * w);
      indices.forEach((i, r) => flat.set(this.store[k].subarray(i * w, (i + 1) * w), r * w));
      out[k] = tensor(flat, { shape: [indices.length, w], dtype: 'f64', device: 'cpu' });
    }
    return out;
  }

  sample(n: number, rng: Rng): Batch<F> {
    return this.gather(this.sampleIndices(n, rng));
  }
}

/** Row-wise concatenation of two batches with the same fields (e.g. replay rows + rare-event rows). */
export function concatBatches<F extends FieldSpec>(a: Batch<F>, b: Batch<F>): Batch<F> {
  const out = {} as Batch<F>;
  for (const k of Object.keys(a) as (keyof F)[]) out[k] = cat([a[k], b[k]], 0);
  return out;
}

export function disposeBatch<F extends FieldSpec>(b: Batch<F>): void {
  for (const t of Object.values(b)) (t as Tensor).dispose();
}
