// Core needs a few ops (a contiguous copy for readback, an add to accumulate gradients, ...) but imports flow
// core <- ops. The ops layer fills these slots when it is loaded; core calls them through here.
import type { Tensor } from './tensor.js';
import type { DeviceName } from './storage.js';

export interface CoreHooks {
  /** the tensor itself when already contiguous, else a contiguous copy */
  contiguous(t: Tensor): Tensor;
  /** always a new contiguous copy */
  clone(t: Tensor): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  onesLike(t: Tensor): Tensor;
  toDevice(t: Tensor, device: DeviceName): Promise<Tensor>;
}

export const hooks: CoreHooks = {
  contiguous: missing, clone: missing, add: missing, onesLike: missing, toDevice: missing,
};

function missing(): never {
  throw new Error('tessera: the ops layer is not loaded; import from "tessera" (or "tessera/ops") rather than from core/');
}
