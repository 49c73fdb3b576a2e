// Tensor methods (t.add(u), t.sum(1, true), ...), installed on the prototype so that core/ needs no ops import.
// Both the installation and the typings come from the op registry (ops/registry.ts): an entry's method is its
// `method`, or else its functional form with `this` as the first argument. In-place variants end in `_`.
import { Tensor } from '../core/tensor.js';
import { OPS, type OpEntry } from './registry.js';
import * as V from './views.js';
import { mT } from './shape-extra.js';

type Registry = typeof OPS;

/** The method an entry gives: its own `method`, or `fn` without the leading tensor. */
type MethodOf<E> = E extends { method: infer M }
  ? M
  : E extends { fn: (x: Tensor, ...args: infer A) => infer R }
    ? (...args: A) => R
    : never;

export type TensorMethods = {
  [K in keyof Registry as Registry[K] extends { functionOnly: true } ? never : K]: MethodOf<Registry[K]>;
};

declare module '../core/tensor.js' {
  interface Tensor extends TensorMethods {
    /** torch's .T: every dim reversed (a matrix's transpose) */
    readonly T: Tensor;
    /** torch's .mT: the last two dims swapped (a batch of matrices transposed) */
    readonly mT: Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
for (const [name, entry] of Object.entries(OPS) as [string, OpEntry][]) {
  if (entry.functionOnly) continue;
  const fn = entry.fn as ((x: Tensor, ...args: never[]) => unknown) | undefined;
  P[name] =
    entry.method ??
    function (this: Tensor, ...args: never[]) {
      return fn!(this, ...args);
    };
}
// torch's .T reverses every dim (a matrix's transpose; torch deprecates it for ndim != 2, where it is still this)
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return V.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  },
});
Object.defineProperty(Tensor.prototype, 'mT', {
  get(this: Tensor) {
    return mT(this);
  },
});
