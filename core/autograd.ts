// The autograd tape. An op whose inputs require grad attaches a Node to its output; backward() sweeps the nodes
// in reverse topological order. Backward rules are written with tensor ops, so with `createGraph` the sweep itself
// is recorded and can be differentiated again.
import type { Tensor } from './tensor.js';

export type BackwardFn = (grad: Tensor) => (Tensor | null | undefined)[];

export interface Node {
  op: string;
  inputs: Tensor[];
  backward: BackwardFn;
  /** tensors the rule reads, with the storage version each had when saved */
  saved: { tensor: Tensor; version: number }[];
  /**
   * slice views: adds `grad` in place into the positions the view covers of `acc`, a gradient of the input that
   * the sweep owns. The sweep uses it instead of `backward` when the input already has such a gradient, so the
   * slices of one tensor (q, k, v of a fused projection) cost one dispatch each, not a zero-fill, a copy and a sum.
   */
  addInto?: (acc: Tensor, grad: Tensor) => void;
}

let gradEnabled = true;
export const isGradEnabled = (): boolean => gradEnabled;

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = mode;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` without recording the tape (as torch.no_grad). */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn);
/** Runs `fn` with the tape on, even inside noGrad (as torch.enable_grad). */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn);
export const setGradEnabled = (on: boolean): void => { gradEnabled = on; };
