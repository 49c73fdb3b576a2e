// View ops: new shape/strides/offset over the same storage, no copy. Each records a backward like any other op.
import { Tensor, assertTensor } from '../core/tensor.js';
import { isGradEnabled } from '../core/autograd.js';
import { contiguousStrides, fmtShape, normDim, normDims, numel, sameShape, shapeFromArgs, type Shape, type ShapeArgs } from '../core/shape.js';
import { apply, describe, empty, type Grads, type OpSpec } from './op.js';
import { elementwise, sumTo } from './elementwise.js';
import { UNARY } from './unary.js';
import { BINARY } from './binary.js';

/** Makes a view of `x` and records `backward` when autograd needs it. */
export function view(op: string, x: Tensor, shape: Shape, strides: Shape, offset: number, backward: (g: Tensor) => Tensor): Tensor {
  const out = x.viewOf(shape, strides, offset);
  if (x.requiresGrad && isGradEnabled()) {
    out.requiresGrad = true;
    out.gradFn = { op, inputs: [x], backward: (g): Grads => [backward(g)], saved: [] };
  }
  return out;
}

/** Resolves one -1 in a requested shape and checks the element count. */
function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const s = [...shape];
  const free = s.filter((d) => d === -1).length;
  if (free > 1 || s.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new Error(`${op}: invalid shape ${fmtShape(shape)} (sizes must be non-negative integers, with at most one -1)`);
  }
  if (free === 1) {
    const known = numel(s.filter((d) => d !== -1));
    const at = s.indexOf(-1);
    if (known === 0 || x.numel % known !== 0) {
      throw new Error(`${op}: shape ${fmtShape(shape)} is invalid for input ${describe(x)} of ${x.numel} elements`);
    }
    s[at] = x.numel / known;
  }
  if (numel(s) !== x.numel) {
    throw new Error(`${op}: shape ${fmtShape(shape)} is invalid for input ${describe(x)} of ${x.numel} elements`);
  }
  return s;
}

/** Strides that view `x` as `shape` without a copy, or null when none exist (ATen's computeStride). */
function viewStrides(x: Tensor, shape: number[]): number[] | null {
  if (x.isContiguous() || x.numel === 0) return contiguousStrides(shape);
  const oldShape = x.shape;
  const oldStrides = x.strides;
  const strides = new Array<number>(shape.length).fill(1);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    // a chunk of old dims ends where the next one out is not laid out contiguously after it
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        strides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? strides : null;
}

/** x with a new shape (a view when strides allow, else a copy); the shape as a list or as sizes, one may be -1. */
export function reshape(x: Tensor, ...sizes: ShapeArgs): Tensor {
  assertTensor(x, 'reshape');
  const shape = shapeFromArgs('reshape', sizes);
  const s = inferShape('reshape', x, shape);
  const strides = viewStrides(x, s);
  if (strides) return view('reshape', x, s, strides, x.offset, (g) => g.reshape(x.shape));
  // No view exists: copy, and view the copy. The copy's own tensor object is not needed once the view holds its
  // storage (a view's backward saves nothing), so it is released here rather than left to a tidy scope.
  const copy = contiguous(x);
  const out = copy.reshape(s);
  copy.dispose();
  return out;
}

/** Like reshape, but refuses to copy (as torch's view). */
export function viewAs(x: Tensor, ...sizes: ShapeArgs): Tensor {
  assertTensor(x, 'view');
  const shape = shapeFromArgs('view', sizes);
  const s = inferShape('view', x, shape);
  const strides = viewStrides(x, s);
  if (!strides) {
    throw new Error(`view: shape ${fmtShape(s)} is not compatible with the strides [${x.strides}] of input ${describe(x)}; use reshape()`);
  }
  return view('view', x, s, strides, x.offset, (g) => g.reshape(x.shape));
}

/** x with its dims reordered (a view); the order as a list or as arguments (`permute(1, 0)`). */
export function permute(x: Tensor, ...order: ShapeArgs): Tensor {
  assertTensor(x, 'permute');
  const dims = shapeFromArgs('permute', order);
  const p = dims.map((d) => normDim('permute', d, x.ndim));
  if (p.length !== x.ndim || new Set(p).size !== p.length) {
    throw new Error(`permute: dims [${dims}] must be a permutation of 0..${x.ndim - 1} for input ${describe(x)}`);
  }
  const inverse = new Array<number>(p.length);
  p.forEach((d, i) => (inverse[d] = i));
  return view('permute', x, p.map((d) => x.shape[d]), p.map((d) => x.strides[d]), x.offset, (g) => g.permute(inverse));
}

export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return view('transpose', x, x.shape, x.strides, x.offset, (g) => g);
  const a = normDim('transpose', dim0, x.ndim);
  const b = normDim('transpose', dim1, x.ndim);
  const p = [...x.shape.keys()];
  [p[a], p[b]] = [p[b], p[a]];
  return permute(x, p);
}

/** x broadcast to a larger shape without a copy (-1 keeps a size); the shape as a list or as sizes. */
export function expand(x: Tensor, ...sizes: ShapeArgs): Tensor {
  assertTensor(x, 'expand');
  const shape = shapeFromArgs('expand', sizes);
  if (shape.length < x.ndim) throw new Error(`expand: target ${fmtShape(shape)} has fewer dims than input ${describe(x)}`);
  const lead = shape.length - x.ndim;
  const outShape: number[] = [];
  const strides: number[] = [];
  shape.forEach((s, i) => {
    const src = i - lead;
    const have = src >= 0 ? x.shape[src] : 1;
    const want = s === -1 ? have : s;
    if (src < 0 && s === -1) throw new Error(`expand: -1 is not allowed for the new leading dim ${i}`);
    if (have !== want && have !== 1) {
      throw new Error(`expand: input ${describe(x)} cannot be expanded to ${fmtShape(shape)} (dim ${i}: size ${have} is not 1)`);
    }
    outShape.push(want);
    strides.push(src >= 0 && have === want ? x.strides[src] : 0);
  });
  if (sameShape(outShape, x.shape)) return view('expand', x, outShape, x.strides, x.offset, (g) => g);
  return view('expand', x, outShape, strides, x.offset, (g) => sumTo(g, x.shape));
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  assertTensor(x, 'squeeze');
  const dims = dim === undefined ? x.shape.map((_, i) => i).filter((i) => x.shape[i] === 1) : normDims('squeeze', dim, x.ndim);
  const keep = x.shape.map((_, i) => i).filter((i) => !(dims.includes(i) && x.shape[i] === 1));
  return view('squeeze', x, keep.map((i) => x.shape[i]), keep.map((i) => x.strides[i]), x.offset, (g) => g.reshape(x.shape));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'unsqueeze');
  const d = normDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d] * x.shape[d] : 1);
  return view('unsqueeze', x, shape, strides, x.offset, (g) => g.reshape(x.shape));
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return x.reshape([1]);
  const s = normDim('flatten', startDim, x.ndim);
  const e = normDim('flatten', endDim, x.ndim);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return x.reshape([...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normDim('unflatten', dim, x.ndim);
  return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
}

interface SliceGeometry { dim: number; start: number; length: number; step: number }

/** x[..., start:end:step, ...] along `dim` (negative and out-of-range bounds clamp as in Python). */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  assertTensor(x, 'slice');
  const d = normDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  for (const [name, v] of [['start', start], ['end', end ?? 0]] as const) {
    if (!Number.isInteger(v)) throw new Error(`slice: ${name} must be an integer (negative counts from the end), got ${v}`);
  }
  const size = x.shape[d];
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIdx(start);
  const e = clampIdx(end ?? size);
  const length = Math.max(0, Math.ceil((e - s) / step));
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = length;
  strides[d] = x.strides[d] * step;
  const geometry: SliceGeometry = { dim: d, start: s, length, step };
  const out = view('slice', x, shape, strides, x.offset + s * x.strides[d], (g) => sliceBackward(g, x.shape, geometry));
  if (out.gradFn) out.gradFn.addInto = (acc, g) => addIntoSlice(acc, g, geometry);
  return out;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  assertTensor(x, 'narrow');
  const d = normDim('narrow', dim, x.ndim);
  if (!Number.isInteger(start) || !Number.isInteger(length)) {
    throw new Error(`narrow: start and length must be integers, got start=${start}, length=${length}`);
  }
  if (start < 0) start += x.shape[d];
  if (start < 0 || length < 0 || start + length > x.shape[d]) {
    throw new Error(`narrow: [${start}, ${start + length}) is outside dim ${dim} of size ${x.shape[d]}`);
  }
  return slice(x, d, start, start + length);
}

/** x[..., index, ...]: removes `dim`. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim('select', dim, x.ndim);
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new Error(`select: index ${index} is out of range for dim ${dim} of size ${size}`);
  }
  const i = index < 0 ? index + size : index;
  return slice(x, d, i, i + 1).squeeze(d);
}

/** The gradient of a slice: g placed in the sliced positions of a zero tensor of the input's shape. */
const SLICE_BACKWARD: OpSpec<{ shape: Shape; geometry: SliceGeometry }> = {
  name: 'sliceBackward',
  infer: ([g], { shape }) => ({ shape, dtype: g.dtype }),
  cpu: (out, [g], p) => fillSlice(out, g, p.geometry),
  webgpu: (out, [g], p) => fillSlice(out, g, p.geometry),
  packedHalf: true,
  backward: (gg, { params: { geometry: s } }) => [gg.slice(s.dim, s.start, s.start + s.length * s.step, s.step)],
  saves: () => [],
};

function fillSlice(out: Tensor, g: Tensor, s: SliceGeometry): void {
  elementwise(UNARY.cast, [0], [], { out });
  const target = sliceOf(out, s, g.shape);
  elementwise(UNARY.cast, [g], [], { out: target });
  target.dispose();
}

/** The sliced positions of `target` (a contiguous tensor of the sliced input's shape), as a view. */
function sliceOf(target: Tensor, s: SliceGeometry, shape: Shape): Tensor {
  const strides = [...target.strides];
  strides[s.dim] *= s.step;
  return new Tensor(target.storage.retain(), shape, strides, target.offset + s.start * target.strides[s.dim]);
}

/** acc[slice] += g, in place (the backward sweep's accumulation of a slice's gradient). */
function addIntoSlice(acc: Tensor, g: Tensor, s: SliceGeometry): void {
  const target = sliceOf(acc, s, g.shape);
  elementwise(BINARY.add, [target, g], [], { out: target });
  target.dispose();
}

function sliceBackward(g: Tensor, shape: Shape, geometry: SliceGeometry): Tensor {
  return apply(SLICE_BACKWARD, [g], { shape, geometry });
}

/** A contiguous copy, or x itself when it already is contiguous. */
export function contiguous(x: Tensor): Tensor {
  assertTensor(x, 'contiguous');
  return x.isContiguous() && x.offset === 0 && x.storage.length === x.numel ? x : clone(x);
}

/** A contiguous copy that autograd sees through. */
export function clone(x: Tensor): Tensor {
  return elementwise(UNARY.cast, [x], [], { dtype: x.dtype });
}

/** The same data, cut out of the autograd graph. */
export function detach(x: Tensor): Tensor {
  assertTensor(x, 'detach');
  return x.viewOf(x.shape, x.strides, x.offset);
}

/** Allocates without initialising (the contents are whatever the pooled buffer held). */
export { empty };
