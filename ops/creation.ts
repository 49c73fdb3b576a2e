// Creation ops. Fills, ranges and identity matrices are elementwise kernels with no tensor operand (values come
// from the uniforms and the element index), so they cost no upload.
import { Tensor, type NestedArray } from '../core/tensor.js';
import { Storage, checkDevice, type DeviceName } from '../core/storage.js';
import { castScalar, checkDtype, cpuArray, uploadArray, type DType } from '../core/dtype.js';
import { getDefaultDevice, getDefaultDtype } from '../core/defaults.js';
import { checkShape, fmtShape, sizeAndOptions, type Shape, type SizeArgs } from '../core/shape.js';
import { elementwise, type ElementwiseDef } from './elementwise.js';
import { UNARY } from './unary.js';

export interface CreateOptions {
  dtype?: DType;
  device?: DeviceName;
  requiresGrad?: boolean;
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function flattenNested(op: string, data: NestedArray | ArrayLike<number>): { values: number[]; shape: number[]; bool: boolean } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    shape.push((probe as ArrayLike<unknown>).length);
    probe = (probe as ArrayLike<unknown>)[0];
  }
  const values: number[] = [];
  let bool = typeof probe === 'boolean';
  const walk = (v: unknown, depth: number) => {
    if (depth === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`${op}: expected numbers or booleans, found ${typeof v}`);
      values.push(Number(v));
      return;
    }
    const arr = v as ArrayLike<unknown>;
    if ((!Array.isArray(arr) && !ArrayBuffer.isView(arr)) || arr.length !== shape[depth]) {
      throw new Error(`${op}: ragged nested array: expected length ${shape[depth]} at depth ${depth}`);
    }
    for (let i = 0; i < arr.length; i++) walk(arr[i], depth + 1);
  };
  walk(data, 0);
  if (values.length === 0) bool = false;
  return { values, shape, bool };
}

/** A tensor from (nested) JS arrays, typed arrays or a number. */
export function tensor(data: NestedArray | ArrayLike<number>, opts: CreateOptions & { shape?: Shape } = {}): Tensor {
  const { values, shape, bool } = flattenNested('tensor', data);
  const dtype = opts.dtype ?? (bool ? 'bool' : data instanceof Int32Array ? 'i32' : data instanceof Uint32Array ? 'u32' : getDefaultDtype());
  const outShape = opts.shape ? checkShape('tensor', opts.shape) : shape;
  if (outShape.reduce((a, b) => a * b, 1) !== values.length) {
    throw new Error(`tensor: ${values.length} values do not fill shape ${fmtShape(outShape)}`);
  }
  return finish(fromValues(values, outShape, checkDtype('tensor', dtype), checkDevice('tensor', opts.device ?? getDefaultDevice())), opts);
}

function fromValues(values: ArrayLike<number>, shape: Shape, dtype: DType, device: DeviceName): Tensor {
  if (device === 'webgpu' && dtype === 'f64') throw new Error('tensor: f64 exists on the cpu backend only; use f32 on webgpu');
  const host = cpuArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) host[i] = castScalar(dtype, values[i]);
  if (device === 'webgpu') {
    return new Tensor(Storage.fromHost('webgpu', dtype, uploadArray(dtype, host)), shape);
  }
  return new Tensor(Storage.fromHost('cpu', dtype, host), shape);
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  const s = checkShape('full', shape);
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : getDefaultDtype());
  return finish(elementwise(UNARY.cast, [value], [], { shape: s, dtype, device: opts.device ?? getDefaultDevice() }), opts);
}

/** Zeros of a shape given as a list or as sizes, options last: zeros([2, 3]), zeros(2, 3, { dtype: 'i32' }). */
export function zeros(...args: SizeArgs<CreateOptions>): Tensor {
  const { shape, opts } = sizeAndOptions<CreateOptions>('zeros', args);
  return full(shape, 0, opts);
}
/** Ones of a shape given as a list or as sizes, options last. */
export function ones(...args: SizeArgs<CreateOptions>): Tensor {
  const { shape, opts } = sizeAndOptions<CreateOptions>('ones', args);
  return full(shape, 1, opts);
}

const like = (t: Tensor, opts: CreateOptions): CreateOptions => ({ dtype: t.dtype, device: t.device, ...opts });
export const zerosLike = (t: Tensor, opts: CreateOptions = {}) => zeros(t.shape, like(t, opts));
export const onesLike = (t: Tensor, opts: CreateOptions = {}) => ones(t.shape, like(t, opts));
export const fullLike = (t: Tensor, value: number, opts: CreateOptions = {}) => full(t.shape, value, like(t, opts));

const RANGE: ElementwiseDef = {
  name: 'arange', arity: 0, kind: 'any', wgsl: (T) => `p0 + ${T}(idx) * p1`,
  cpu: (_a, _b, _c, [start, step], idx) => start + idx * step, backward: null,
};

/** Values start, start + step, ... below end (torch.arange); arange(n) counts 0..n-1. */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = opts.dtype ?? (ints ? 'i32' : getDefaultDtype());
  return finish(elementwise(RANGE, [], [start, step], { shape: [n], dtype, device: opts.device ?? getDefaultDevice() }), opts);
}

/** `steps` evenly spaced values from start to end inclusive (torch.linspace). */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const dtype = opts.dtype ?? getDefaultDtype();
  return finish(elementwise(RANGE, [], [start, step], { shape: [steps], dtype, device: opts.device ?? getDefaultDevice() }), opts);
}

const EYE: ElementwiseDef = {
  name: 'eye', arity: 0, kind: 'any', wgsl: (T) => `select(${T}(0), ${T}(1), idx / u32(p0) == idx % u32(p0))`,
  cpu: (_a, _b, _c, [cols], idx) => Number(Math.floor(idx / cols) === idx % cols), backward: null,
};

/** The n x m identity (m = n by default). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  checkShape('eye', [n, m]);
  const dtype = opts.dtype ?? getDefaultDtype();
  return finish(elementwise(EYE, [], [Math.max(m, 1)], { shape: [n, m], dtype, device: opts.device ?? getDefaultDevice() }), opts);
}
