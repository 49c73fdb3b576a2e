// Which keys a query may see. Query row i of T sits at key position qOffset + i (qOffset = S - T by default, the
// new tokens at the end of the cache). Causal: keys j <= qOffset + i. Sliding window of W: also j > qOffset + i - W,
// so a query sees W keys including itself.
import type { Tensor } from '../core/tensor.js';
import type { DeviceName } from '../core/storage.js';
import { tensor } from './creation.js';

export interface Visibility {
  causal: boolean;
  /** keys per query under a sliding window; 0 for none */
  window: number;
  qOffset: number;
}

export function visible(i: number, j: number, v: Visibility): boolean {
  const pos = v.qOffset + i;
  if (v.causal && j > pos) return false;
  return !(v.window > 0 && j <= pos - v.window);
}

/** The additive bias [T, S]: 0 where the key is visible, -inf where it is not. */
export function visibilityBias(T: number, S: number, v: Visibility, device: DeviceName): Tensor {
  const values = new Float32Array(T * S);
  for (let i = 0; i < T; i++) for (let j = 0; j < S; j++) values[i * S + j] = visible(i, j, v) ? 0 : -Infinity;
  return tensor(values, { shape: [T, S], device });
}

/** The visibility as a 0/1 tensor [T, S] (for weights that are multiplied rather than exponentiated). */
export function visibilityMask(T: number, S: number, v: Visibility, device: DeviceName): Tensor {
  const values = new Float32Array(T * S);
  for (let i = 0; i < T; i++) for (let j = 0; j < S; j++) values[i * S + j] = visible(i, j, v) ? 1 : 0;
  return tensor(values, { shape: [T, S], device });
}
