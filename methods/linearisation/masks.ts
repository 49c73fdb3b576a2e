// Index sets of the hybrid attention (spec §3) as boolean [T, T] masks, row i = query, column j = key:
//   Win(i) = {j : i − W < j ≤ i}   (W keys including the query itself, attended with softmax)
//   Lin(i) = {j : j ≤ i − W}       (every older key, attended with the linear feature map)
// Their union is the causal set {j ≤ i}. The sinks mask keeps only the first `sinks` positions.
import { arange, tidy, type Tensor, type DeviceName } from '../../index.js';

function grid(T: number, device: DeviceName): { i: Tensor; j: Tensor } {
  return { i: arange(T, undefined, 1, { device }).unsqueeze(1), j: arange(T, undefined, 1, { device }).unsqueeze(0) };
}

export function causalMask(T: number, device: DeviceName = 'cpu'): Tensor {
  return tidy(() => {
    const { i, j } = grid(T, device);
    return j.le(i);
  });
}

export function windowMask(T: number, window: number, device: DeviceName = 'cpu'): Tensor {
  return tidy(() => {
    const { i, j } = grid(T, device);
    return j.le(i).logicalAnd(j.gt(i.sub(window)));
  });
}

export function linearMask(T: number, window: number, device: DeviceName = 'cpu'): Tensor {
  return tidy(() => {
    const { i, j } = grid(T, device);
    return j.le(i.sub(window));
  });
}

/** Causal positions among the first `sinks` keys: j ≤ min(i, sinks − 1). */
export function sinksMask(T: number, sinks: number, device: DeviceName = 'cpu'): Tensor {
  return tidy(() => {
    const { i, j } = grid(T, device);
    return j.le(i).logicalAnd(j.lt(sinks));
  });
}
