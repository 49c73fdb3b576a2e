// Tensor methods of the fused ops (t.softmax(dim), t.logSoftmax(dim)), installed like those of ops/methods.ts.
import { Tensor } from '../core/tensor.js';
import { softmax, logSoftmax } from './softmax.js';

declare module '../core/tensor.js' {
  interface Tensor {
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
P.softmax = function (this: Tensor, dim: number) { return softmax(this, dim); };
P.logSoftmax = function (this: Tensor, dim: number) { return logSoftmax(this, dim); };
