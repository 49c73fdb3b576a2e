// Tensor methods of the shape, indexing, sort and scan ops (t.flip(0), t.gather(1, idx), t.sort(-1), ...),
// installed on the prototype like ops/methods.ts. Each is the functional op with `this` as the first argument.
import { Tensor } from '../core/tensor.js';
import * as S from './shape-ops.js';
import * as I from './indexing.js';
import { sort, argsort, topk } from './sort.js';
import { cumsum, cumprod } from './scan.js';

declare module '../core/tensor.js' {
  interface Tensor {
    flip(dims: number | readonly number[]): Tensor;
    repeat(repeats: readonly number[]): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    split(sizes: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    gather(dim: number, index: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    maskedFill_(mask: Tensor, value: number): Tensor;
    sort(dim?: number, descending?: boolean): { values: Tensor; indices: Tensor };
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean): { values: Tensor; indices: Tensor };
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  flip(dims: number | readonly number[]) { return S.flip(this, dims); },
  repeat(repeats: readonly number[]) { return S.repeat(this, repeats); },
  tril(diagonal?: number) { return S.tril(this, diagonal); },
  triu(diagonal?: number) { return S.triu(this, diagonal); },
  split(sizes: number | readonly number[], dim?: number) { return S.split(this, sizes, dim); },
  chunk(chunks: number, dim?: number) { return S.chunk(this, chunks, dim); },
  gather(dim: number, index: Tensor) { return I.gather(this, dim, index); },
  scatterAdd(dim: number, index: Tensor, src: Tensor) { return I.scatterAdd(this, dim, index, src); },
  indexSelect(dim: number, index: Tensor) { return I.indexSelect(this, dim, index); },
  maskedFill(mask: Tensor, value: number | Tensor) { return I.maskedFill(this, mask, value); },
  maskedFill_(mask: Tensor, value: number) { return I.maskedFill_(this, mask, value); },
  sort(dim?: number, descending?: boolean) { return sort(this, dim, descending); },
  argsort(dim?: number, descending?: boolean) { return argsort(this, dim, descending); },
  topk(k: number, dim?: number, largest?: boolean) { return topk(this, k, dim, largest); },
  cumsum(dim: number) { return cumsum(this, dim); },
  cumprod(dim: number) { return cumprod(this, dim); },
};
Object.assign(Tensor.prototype, methods);
