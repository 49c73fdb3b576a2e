// The Tensor: a strided view (shape, strides, offset) over reference-counted storage, plus its autograd state.
// Op methods (t.add, t.sum, ...) are installed on the prototype by ops/methods.ts; this file holds what every
// tensor is, how it is freed and how it is read back.
// The two directives below are kept in the emitted tensor.d.ts (which every entry point's types load), so a
// TypeScript project using the built package sees the WebGPU types and Symbol.dispose without configuring them.
/// <reference types="@webgpu/types" preserve="true" />
/// <reference lib="esnext.disposable" preserve="true" />
import { isFloat, type DType, type HostArray } from './dtype.js';
import { contiguousStrides, fmtShape, numel, type Shape } from './shape.js';
import { Storage, type DeviceName } from './storage.js';
import { readTensors } from './readback.js';
import { track, untrackDisposed, setTensorCheck } from './scope.js';
import type { Node } from './autograd.js';
import { hooks } from './hooks.js';
import { flags } from './flags.js';
import { backward as runBackward, type BackwardOptions } from './backward.js';

export { halfToFloat, floatToHalf } from './half.js';

let nextId = 1;

const finalizer = flags.debug
  ? new FinalizationRegistry<string>((desc) => console.warn(`tessera: ${desc} was garbage-collected without dispose()`))
  : null;

export type NestedArray = number | boolean | NestedArray[];

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly storage: Storage;
  requiresGrad = false;
  grad: Tensor | null = null;
  gradFn: Node | null = null;
  retainsGrad = false;
  disposed = false;
  /** a label for error messages and debugging (Module sets parameter names here) */
  name = '';

  constructor(storage: Storage, shape: Shape, strides?: Shape, offset = 0) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    track(this);
    finalizer?.register(this, `tensor #${this.id} ${fmtShape(shape)}`, this);
  }

  get dtype(): DType { return this.storage.dtype; }
  get device(): DeviceName { return this.storage.device; }
  get ndim(): number { return this.shape.length; }
  get numel(): number { return numel(this.shape); }
  get isLeaf(): boolean { return this.gradFn === null; }
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    return this.shape[dim < 0 ? dim + this.ndim : dim];
  }
  dim(): number { return this.ndim; }

  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  /** A new tensor object over the same storage (the building block of every view op). */
  viewOf(shape: Shape, strides: Shape, offset: number): Tensor {
    this.assertAlive('view');
    return new Tensor(this.storage.retain(), shape, strides, offset);
  }

  /** Frees this tensor's reference to its storage; its views keep the storage alive. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    finalizer?.unregister(this);
    untrackDisposed(this);
    this.storage.release();
    this.grad?.dispose();
    this.grad = null;
  }

  [Symbol.dispose](): void { this.dispose(); }

  assertAlive(op: string): void {
    if (this.disposed) {
      throw new Error(`${op}: tensor #${this.id}${this.name ? ` (${this.name})` : ''} ${fmtShape(this.shape)} ` +
        `${this.dtype} was disposed and cannot be used`);
    }
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}, ${this.device}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- autograd -------------------------------------------------------------------------------------------

  /** Marks a leaf as requiring grad (as torch's requires_grad_). */
  requiresGrad_(on = true): this {
    if (!this.isLeaf && !on) throw new Error('requiresGrad_: only leaf tensors can stop requiring grad; use detach()');
    if (on && !isFloat(this.dtype)) {
      throw new Error(`requiresGrad_: only floating-point tensors can require grad, got ${this.dtype}`);
    }
    this.requiresGrad = on;
    return this;
  }

  /** Keeps .grad on a non-leaf tensor after backward (as torch's retain_grad). */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error('retainGrad: the tensor does not require grad');
    this.retainsGrad = true;
    return this;
  }

  backward(grad?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, grad, options);
  }

  // ---- readback -------------------------------------------------------------------------------------------

  /** Reads the elements in logical (row-major) order; `readTensors` reads several in one round trip. */
  async data(): Promise<HostArray> {
    return (await readTensors([this]))[0];
  }

  /** The single element of a one-element tensor. */
  async item(): Promise<number> {
    if (this.numel !== 1) {
      throw new Error(`item: only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)}`);
    }
    return (await this.data())[0];
  }

  /** The elements as nested JS arrays (booleans for bool tensors), as torch's tolist(). */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype === 'bool');
  }

  /** torch's name for toArray(): the elements as nested JS arrays (a number for a 0-d tensor). Async: a readback. */
  tolist(): Promise<NestedArray> {
    return this.toArray();
  }

  /** Copies to another backend. Async because leaving the GPU means a readback. */
  to(device: DeviceName): Promise<Tensor> {
    return hooks.toDevice(this, device);
  }
}

setTensorCheck((v): v is Tensor => v instanceof Tensor);

/** Raises unless `v` is a live Tensor (a JS array or number passed where a tensor is expected gets a sentence). */
export function assertTensor(v: unknown, op: string): asserts v is Tensor {
  if (!(v instanceof Tensor)) {
    const got = v === null ? 'null' : Array.isArray(v) ? 'a JS array' : typeof v;
    throw new Error(`${op}: expected a Tensor, got ${got}; wrap JS data with tensor(...)`);
  }
  v.assertAlive(op);
}

export function nest(flat: ArrayLike<number>, shape: Shape, asBool = false): NestedArray {
  const conv = (v: number) => (asBool ? v !== 0 : v);
  if (shape.length === 0) return conv(flat[0]);
  const build = (dim: number, start: number): NestedArray[] => {
    const out: NestedArray[] = [];
    const stride = numel(shape.slice(dim + 1));
    for (let i = 0; i < shape[dim]; i++) {
      out.push(dim === shape.length - 1 ? conv(flat[start + i]) : build(dim + 1, start + i * stride));
    }
    return out;
  };
  return build(0, 0);
}
