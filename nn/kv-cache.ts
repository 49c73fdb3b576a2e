// A key/value cache for decoding: per layer, K and V [B, Hkv, capacity, D] filled along the sequence dim. A
// layer's `append` writes the new rows after the ones it holds and returns views of everything so far (no copy);
// `crop(n)` forgets rows from n on (rejected draft tokens); `keep(indices)` compacts the cache to the given rows in
// order (the accepted path of a speculative-decoding tree). The cache is filled without grad, for inference.
import { Tensor, noGrad, tidy, keep as keepTensor, type DeviceName, type DType } from '../core/index.js';
import { zeros, tensor, indexSelect } from '../ops/index.js';

export interface KVCacheOptions {
  layers: number;
  batch: number;
  kvHeads: number;
  headDim: number;
  /** rows reserved up front; the cache doubles when it runs out */
  capacity?: number;
  device?: DeviceName;
  dtype?: DType;
}

export class KVCache {
  readonly layers: number;
  private k: Tensor[] = [];
  private v: Tensor[] = [];
  /** rows held by each layer (equal between forward calls) */
  private lengths: number[];

  constructor(readonly opts: KVCacheOptions) {
    this.layers = opts.layers;
    const shape = [opts.batch, opts.kvHeads, opts.capacity ?? 64, opts.headDim];
    for (let l = 0; l < opts.layers; l++) {
      this.k.push(keepTensor(zeros(shape, { device: opts.device, dtype: opts.dtype })));
      this.v.push(keepTensor(zeros(shape, { device: opts.device, dtype: opts.dtype })));
    }
    this.lengths = new Array(opts.layers).fill(0);
  }

  /** Rows held (by layer 0; every layer holds as many once a forward pass is complete). */
  get length(): number { return this.lengths[0]; }
  get capacity(): number { return this.k[0].shape[2]; }

  /** Rows held by one layer. */
  lengthOf(layer: number): number {
    this.checkLayer(layer);
    return this.lengths[layer];
  }

  private checkLayer(layer: number): void {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layers) throw new Error(`KVCache: layer ${layer} is outside [0, ${this.layers})`);
  }

  /** Views [B, Hkv, length, D] of one layer's keys and values. */
  get(layer: number): { k: Tensor; v: Tensor } {
    this.checkLayer(layer);
    const n = this.lengths[layer];
    return { k: this.k[layer].narrow(2, 0, n), v: this.v[layer].narrow(2, 0, n) };
  }

  /** Appends k, v [B, Hkv, T, D] to one layer; returns views of all its rows. */
  append(layer: number, k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    this.checkLayer(layer);
    const want = [this.opts.batch, this.opts.kvHeads, k.shape[2], this.opts.headDim];
    if (k.shape.join() !== want.join() || v.shape.join() !== want.join()) {
      throw new Error(`KVCache.append: expected k and v [${want}], got [${k.shape}] and [${v.shape}]`);
    }
    const at = this.lengths[layer];
    const T = k.shape[2];
    while (at + T > this.capacity) this.grow();
    noGrad(() => tidy(() => {
      this.k[layer].narrow(2, at, T).copy_(k);
      this.v[layer].narrow(2, at, T).copy_(v);
    }));
    this.lengths[layer] = at + T;
    return this.get(layer);
  }

  /** Doubles the capacity of every layer, copying the rows held. */
  private grow(): void {
    const shape = [...this.k[0].shape];
    shape[2] *= 2;
    const move = (old: Tensor, n: number) => {
      const bigger = keepTensor(zeros(shape, { device: old.device, dtype: old.dtype }));
      noGrad(() => tidy(() => { bigger.narrow(2, 0, n).copy_(old.narrow(2, 0, n)); }));
      old.dispose();
      return bigger;
    };
    this.k = this.k.map((t, l) => move(t, this.lengths[l]));
    this.v = this.v.map((t, l) => move(t, this.lengths[l]));
  }

  /** Keeps only the first n rows of every layer. */
  crop(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`KVCache.crop: n must be a non-negative integer, got ${n}`);
    this.lengths = this.lengths.map((len) => Math.min(len, n));
  }

  /** Keeps rows `indices` (ascending or not, each below the length) as rows 0..indices.length-1, in that order. */
  keep(indices: readonly number[]): void {
    const n = this.length;
    if (indices.some((i) => !Number.isInteger(i) || i < 0 || i >= n)) {
      throw new Error(`KVCache.keep: indices must be integers in [0, ${n}), got [${indices}]`);
    }
    noGrad(() => tidy(() => {
      const idx = tensor(Int32Array.from(indices), { dtype: 'i32', device: this.k[0].device });
      for (const store of [this.k, this.v]) {
        for (const buf of store) {
          // gather into a new tensor first: the rows being read may be among those being overwritten
          const rows = indexSelect(buf.narrow(2, 0, n), 2, idx);
          buf.narrow(2, 0, indices.length).copy_(rows);
        }
      }
    }));
    this.lengths = this.lengths.map(() => indices.length);
  }

  /** Every layer's keys and values (views), e.g. for methods that read the target's K/V. */
  all(): { k: Tensor; v: Tensor }[] {
    return Array.from({ length: this.layers }, (_, l) => this.get(l));
  }

  dispose(): void {
    [...this.k, ...this.v].forEach((t) => t.dispose());
  }
}
