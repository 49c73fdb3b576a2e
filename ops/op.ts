// The op machinery every op goes through. An OpSpec holds one op's definition in one place: its shape/dtype rule
// (with the error for invalid input), the webgpu kernel dispatch, the cpu reference and the backward rule.
// `apply` validates, allocates the output, runs the backend, records the autograd node and runs the debug checks.
import { Tensor, assertTensor } from '../core/tensor.js';
import { Storage, type DeviceName } from '../core/storage.js';
import type { DType } from '../core/dtype.js';
import { isGradEnabled, type Node } from '../core/autograd.js';
import { broadcastStrides, fmtShape, numel, type Shape } from '../core/shape.js';
import { flags } from '../core/flags.js';
import { debugAfterOp } from './debug.js';
import { packedUnsupported, gpu } from '../core/device.js';

export type Grads = (Tensor | null | undefined)[];

export interface OpContext<P> {
  inputs: Tensor[];
  out: Tensor;
  params: P;
}

export interface OpSpec<P = void> {
  name: string;
  /** checks the inputs and returns the output's shape and dtype; throws a message naming what is valid */
  infer(inputs: Tensor[], params: P): { shape: Shape; dtype: DType };
  /** the plain TypeScript reference: fills `out` (contiguous, freshly allocated, on the cpu) */
  cpu(out: Tensor, inputs: Tensor[], params: P): void;
  /** records the kernel dispatch(es) writing `out` (contiguous, freshly allocated, on webgpu) */
  webgpu(out: Tensor, inputs: Tensor[], params: P): void;
  /** gradients of the inputs, written with tensor ops; null for ops without a gradient (comparisons, argmax) */
  backward: ((grad: Tensor, ctx: OpContext<P>) => Grads) | null;
  /** which of the inputs/output the backward reads (checked for in-place changes); default: all inputs */
  saves?: (ctx: OpContext<P>) => Tensor[];
  /**
   * its kernels read and write 16-bit floats stored packed two per u32 (they are declared on shaders/kernel.ts):
   * bf16 always, f16 where the adapter lacks 'shader-f16'. Other ops raise for such tensors.
   */
  packedHalf?: boolean;
}

export const describe = (t: Tensor): string => `${fmtShape(t.shape)} ${t.dtype}`;

export function checkInputs(op: string, inputs: Tensor[]): DeviceName {
  for (const t of inputs) {
    assertTensor(t, op);
  }
  const device = inputs[0]?.device ?? 'cpu';
  for (const t of inputs) {
    if (t.device !== device) {
      throw new Error(`${op}: inputs are on different devices (${inputs.map((x) => x.device).join(', ')}); ` +
        'move them with await t.to(device)');
    }
  }
  return device;
}

/** A new, uninitialised, contiguous tensor. */
export function empty(shape: Shape, dtype: DType, device: DeviceName): Tensor {
  if (device === 'webgpu' && dtype === 'f64') throw new Error('f64 tensors exist on the cpu backend only; use f32 on webgpu');
  return new Tensor(Storage.alloc(device, dtype, numel(shape)), shape);
}

export function apply<P>(spec: OpSpec<P>, inputs: Tensor[], params: P, device?: DeviceName): Tensor {
  const dev = inputs.length ? checkInputs(spec.name, inputs) : (device ?? 'cpu');
  const t0 = flags.logOps ? performance.now() : 0;
  const { shape, dtype } = spec.infer(inputs, params);
  if (dev === 'webgpu' && !spec.packedHalf) {
    // f16 kernels that are not declared on shaders/kernel.ts run natively, which needs 'shader-f16'
    const packed = [dtype, ...inputs.map((t) => t.dtype)].find((d) => d === 'bf16' || (d === 'f16' && !gpu().hasF16));
    if (packed) throw new Error(packedUnsupported(spec.name, packed));
  }
  const out = empty(shape, dtype, dev);
  if (out.numel > 0) {
    try {
      if (dev === 'cpu') spec.cpu(out, inputs, params);
      else spec.webgpu(out, inputs, params);
    } catch (e) {
      out.dispose();
      throw e;
    }
  }
  if (spec.backward && isGradEnabled() && inputs.some((t) => t.requiresGrad)) attachNode(spec, inputs, params, out);
  if (flags.logOps || flags.checkNan || flags.validate) {
    debugAfterOp(spec, inputs, params, out, t0, (cpuInputs) => apply(spec, cpuInputs, params));
  }
  return out;
}

function attachNode<P>(spec: OpSpec<P>, inputs: Tensor[], params: P, out: Tensor): void {
  const ctx: OpContext<P> = { inputs, out, params };
  const saved = (spec.saves ? spec.saves(ctx) : inputs).map((tensor) => ({ tensor, version: tensor.storage.version }));
  const backward = spec.backward!;
  const node: Node = { op: spec.name, inputs, backward: (g) => backward(g, ctx), saved };
  out.requiresGrad = true;
  out.gradFn = node;
}

/** Raises the error torch gives for an in-place write into a tensor autograd needs. */
export function checkInPlace(op: string, target: Tensor): void {
  assertTensor(target, op);
  if (isGradEnabled() && target.requiresGrad) {
    throw new Error(`${op}: in-place change of a tensor that requires grad (${describe(target)}); ` +
      'do it inside noGrad(), or use the out-of-place op');
  }
}

// ---- cpu reference helpers ------------------------------------------------------------------------------------

/** Storage offsets of every element of `t` in row-major order, with `t` broadcast to `shape` if given. */
export function offsetsOf(t: Tensor, shape: Shape = t.shape): Int32Array | Float64Array {
  return stridedOffsets(shape, broadcastStrides(t.shape, t.strides, shape), t.offset);
}

/** Storage offsets of every position of `shape` in row-major order under `strides` (0 for broadcast dims). */
export function stridedOffsets(shape: Shape, strides: readonly number[], offset: number): Int32Array | Float64Array {
  const n = numel(shape);
  const out = n < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  let off = offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    // an odometer over the dims: step the last, carry into the ones before it
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** The elements of `t` in row-major order as plain numbers (cpu tensors only). */
export function valuesOf(t: Tensor, shape: Shape = t.shape): Float64Array {
  const src = t.storage.cpu!;
  const offs = offsetsOf(t, shape);
  const out = new Float64Array(offs.length);
  for (let i = 0; i < offs.length; i++) out[i] = src[offs[i]];
  return out;
}
