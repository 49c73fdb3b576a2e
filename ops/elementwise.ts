// The elementwise family: an op is a WGSL expression, a JS function computing the same thing, and a backward rule.
// Operands are tensors (broadcast as in PyTorch) or JS numbers (passed as uniforms, never uploaded). This file turns
// such a definition into an OpSpec; unary.ts, binary.ts and creation.ts hold the definitions.
import { Tensor, assertTensor } from '../core/tensor.js';
import { castFn, castScalar, checkDtype, floatToInt, isFloat, isInt, promote, promoteScalar, type DType } from '../core/dtype.js';
import { broadcastShapes, broadcastStrides, checkShape, coalesce, numel, sameShape, fmtShape, type Shape } from '../core/shape.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { storageLayout, valueType, type Kernel } from '../shaders/kernel.js';
import {
  elementwiseKernel, elementwiseKey, elementwiseSource, elementwiseThreads, vec4Storable, MAX_RANK, WG, type ElementwiseKernel,
} from '../shaders/elementwise.js';
import { apply, checkInPlace, describe, empty, offsetsOf, valuesOf, type Grads, type OpSpec } from './op.js';
import { getDefaultDevice, getDefaultDtype } from '../core/defaults.js';
import { checkDevice, type DeviceName } from '../core/storage.js';

export type Operand = Tensor | number;

/** Which dtypes an op accepts, and what it computes in. */
export type Kind =
  | 'float'     // ints and bools are promoted to f32 (exp, div, sigmoid...)
  | 'numeric'   // f*, i32, u32; bool is promoted to i32 (add, mul, maximum...)
  | 'signed'    // f*, i32 (neg, abs, sign)
  | 'any';      // every dtype, computed in the promoted dtype (comparisons, where, logical ops, casts)

export interface ElementwiseDef {
  name: string;
  arity: number;
  kind: Kind;
  /** 'bool' when the WGSL expression is a boolean (the output dtype is bool) */
  result?: 'same' | 'bool';
  /** WGSL expression over a, b, c (already of compute type T), p0..p3 and idx; a function of T when it differs */
  wgsl: string | ((T: string) => string);
  helpers?: string;
  /** the same computation in JS; p holds the op parameters, idx the flat output index */
  cpu: (a: number, b: number, c: number, p: number[], idx: number) => number;
  /**
   * gradients of the operands (null for scalar operands is fine), written with tensor ops; `needs` says which
   * operands want theirs (tensors that require grad), so a rule may skip the others' dispatches
   */
  backward: ((g: Tensor, x: Operand[], out: Tensor, p: number[], needs: readonly boolean[]) => Grads) | null;
  /** the backward reads the output (e.g. exp, tanh), so it must not change in place */
  savesOutput?: boolean;
  /** parameters are raw u32 words (read in WGSL with uw(W_params + k)), not values of the compute type */
  rawParams?: boolean;
  /** operand 0 is a condition (where): it takes no part in type promotion */
  conditional?: boolean;
  /** the op that runs when every operand is bool (torch: bool + bool is logical or, bool * bool logical and) */
  onBools?: () => ElementwiseDef;
  /** what the generated tests feed the op: a value range per operand (default [-3, 3]) and its parameters */
  test?: { domain?: [number, number][]; params?: number[] };
}

interface Call {
  operands: Operand[];
  params: number[];
  compute: DType;
  outDtype: DType;
  shape: Shape;
}

function resolveDtypes(def: ElementwiseDef, operands: Operand[], dtype?: DType): { compute: DType; out: DType } {
  const promoting = def.conditional ? operands.slice(1) : operands;
  const tensors = promoting.filter((o): o is Tensor => o instanceof Tensor);
  // Without tensor operands, numbers alone decide, as Python scalars do in torch: integers give i32, else a float.
  const fromNumbers = (): DType => (promoting.every((o) => Number.isInteger(o)) && promoting.length ? 'i32' : getDefaultDtype());
  let compute: DType = tensors.length ? tensors.map((t) => t.dtype).reduce(promote) : dtype ?? fromNumbers();
  for (const o of promoting) if (typeof o === 'number') compute = promoteScalar(compute, o);
  if (def.kind === 'float' && !isFloat(compute)) compute = 'f32';
  if (def.kind === 'numeric' && compute === 'bool') compute = 'i32';
  if (def.kind === 'signed' && (compute === 'bool' || compute === 'u32')) {
    throw new Error(`${def.name}: not defined for ${compute} tensors (valid dtypes: f32, f16, bf16, f64, i32)`);
  }
  const out = def.result === 'bool' ? 'bool' : dtype ?? compute;
  return { compute, out };
}

/** The spec shared by every elementwise op: inputs are the tensor operands, params say where the scalars go. */
function specOf(def: ElementwiseDef): OpSpec<Call> {
  return {
    name: def.name,
    infer: (_inputs, call) => ({ shape: call.shape, dtype: call.outDtype }),
    cpu: (out, inputs, call) => runCpu(def, out, bind(call, inputs)),
    webgpu: (out, inputs, call) => runGpu(def, out, bind(call, inputs)),
    backward: def.backward && ((g, { inputs, out, params: call }) => {
      const { operands } = bind(call, inputs);
      const needs = operands.map((o) => o instanceof Tensor && o.requiresGrad);
      const grads = def.backward!(g, operands, out, call.params, needs);
      return operands.map((o, i) => (o instanceof Tensor && needs[i] ? grads[i] && sumTo(grads[i]!, o.shape) : null)).filter((_, i) => operands[i] instanceof Tensor);
    }),
    saves: ({ inputs, out }) => (def.savesOutput ? [...inputs, out] : inputs),
    packedHalf: true,
  };
}

/** The call with its tensor operands taken from `inputs` (apply may pass other tensors: cpu copies when validating). */
function bind(call: Call, inputs: Tensor[]): Call {
  let k = 0;
  return { ...call, operands: call.operands.map((o) => (o instanceof Tensor ? inputs[k++] : o)) };
}

const specs = new WeakMap<ElementwiseDef, OpSpec<Call>>();

export interface ElementwiseOptions {
  /** write into this tensor (an in-place op) instead of a new one */
  out?: Tensor;
  /** output dtype (casts), or the dtype of an all-scalar op */
  dtype?: DType;
  /** output shape of an op without tensor operands (creation ops) */
  shape?: Shape;
  device?: DeviceName;
}

/** Runs an elementwise op. */
export function elementwise(def: ElementwiseDef, operands: Operand[], params: number[] = [], opts: ElementwiseOptions = {}): Tensor {
  if (operands.length !== def.arity) throw new Error(`internal: ${def.name} takes ${def.arity} operands`);
  const tensors = operands.filter((o): o is Tensor => o instanceof Tensor);
  for (const o of operands) {
    if (!(o instanceof Tensor) && typeof o !== 'number' && typeof o !== 'boolean') {
      const got = o === null ? 'null' : Array.isArray(o) ? 'a JS array' : typeof o;
      throw new Error(`${def.name}: expected tensors or numbers, got ${got}; wrap JS data with tensor(...)`);
    }
  }
  if (opts.dtype !== undefined) checkDtype(def.name, opts.dtype);
  if (opts.device !== undefined) checkDevice(def.name, opts.device);
  const allBool = tensors.length > 0 && operands.every((o) => typeof o === 'boolean' || (o instanceof Tensor && o.dtype === 'bool'));
  if (def.onBools && allBool && opts.dtype === undefined) return elementwise(def.onBools(), operands, params, opts);
  const ops = operands.map((o) => (typeof o === 'boolean' ? Number(o) : o));
  const { compute, out: outDtype } = resolveDtypes(def, ops, opts.dtype ?? (opts.out?.dtype));
  // in place, the target's shape takes part (a scalar fill has no tensor operand to give one)
  const shape = opts.shape ? checkShape(def.name, opts.shape) : broadcastShapes(opts.out ? `${def.name}_` : def.name, ...(opts.out ? [opts.out.shape] : []), ...tensors.map((t) => t.shape));
  let spec = specs.get(def);
  if (!spec) specs.set(def, (spec = specOf(def)));
  const call: Call = { operands: ops, params, compute, outDtype, shape };
  if (!opts.out) return apply(spec, tensors, call, opts.device ?? getDefaultDevice());

  const target = opts.out;
  checkInPlace(`${def.name}_`, target);
  for (const t of tensors) assertTensor(t, def.name);
  if (!sameShape(target.shape, shape)) {
    throw new Error(`${def.name}_: the result has shape ${fmtShape(shape)}, which cannot be written into the in-place ` +
      `target of shape ${fmtShape(target.shape)}`);
  }
  if (tensors.some((t) => t.device !== target.device)) {
    throw new Error(`${def.name}_: operands on ${tensors.map((t) => t.device).join(', ')} cannot write into a ${target.device} tensor`);
  }
  if (target.numel > 0) (target.device === 'cpu' ? runCpu : runGpu)(def, target, { ...call, outDtype: target.dtype });
  target.storage.version++;
  return target;
}

// ---- backends ---------------------------------------------------------------------------------------------------

function runCpu(def: ElementwiseDef, out: Tensor, call: Call): void {
  const n = numel(call.shape);
  const cast = castFn(call.compute);
  const [A, B, C] = [0, 1, 2].map((k) => operandReader(call.operands[k], call, cast, out));
  const dst = out.storage.cpu!;
  const dstOffsets = out.isContiguous() ? null : offsetsOf(out);
  const base = out.offset;
  // float results stored into integers convert as on the GPU (saturating); integer arithmetic wraps
  const store = isFloat(call.compute) && isInt(out.dtype) ? (v: number) => floatToInt(out.dtype as 'i32' | 'u32', v) : castFn(out.dtype);
  const result = def.result === 'bool' ? (v: number) => v : cast;
  const p = def.rawParams ? call.params : call.params.map((v) => paramValue(call.compute, v));
  const f = def.cpu;
  for (let i = 0; i < n; i++) {
    const r = store(result(f(A(i), B(i), C(i), p, i)));
    if (dstOffsets) dst[dstOffsets[i]] = r;
    else dst[base + i] = r;
  }
}

/**
 * Element i of an operand in the compute type: a number, a dense tensor read in place, or a gathered copy. Reading in
 * place is safe unless the operand overlaps the output other than element for element (an in-place copy_ between
 * overlapping views must see the values from before the op).
 */
function operandReader(o: Operand | undefined, call: Call, cast: (v: number) => number, out: Tensor): (i: number) => number {
  if (o === undefined) return () => 0;
  if (!(o instanceof Tensor)) {
    const v = cast(o);
    return () => v;
  }
  const aliasesOut = o.storage === out.storage && !(o.offset === out.offset && out.isContiguous());
  if (o.isContiguous() && sameShape(o.shape, call.shape) && !aliasesOut) {
    const src = o.storage.cpu!;
    const base = o.offset;
    return (i) => cast(src[base + i]);
  }
  const values = valuesOf(o, call.shape);
  return (i) => cast(values[i]);
}

/** Strides reading `t` broadcast to `shape`. */
const stridesIn = (t: Tensor, shape: Shape): number[] => broadcastStrides(t.shape, t.strides, shape);

/** A plain copy, for operands that overlap an in-place op's output (see runGpu). */
const COPY: ElementwiseDef = { name: 'copy', arity: 1, kind: 'any', wgsl: 'a', cpu: (a) => a, backward: null };

/** True when `t`, broadcast to `shape`, reads exactly the elements `out` writes, in the same order. */
function sameView(t: Tensor, out: Tensor, shape: Shape): boolean {
  const s = stridesIn(t, shape);
  return t.offset === out.offset && shape.every((size, d) => size === 1 || s[d] === out.strides[d]);
}

let vectorise = true;
/** Turns the vec4 form of the contiguous kernel on or off (the bench compares both). */
export function setElementwiseVec4(on: boolean): void { vectorise = on; }

function runGpu(def: ElementwiseDef, out: Tensor, call: Call): void {
  for (const o of call.operands) if (o instanceof Tensor && o.dtype === 'f64') throw new Error(`${def.name}: f64 is cpu-only (got ${describe(o)})`);
  // In-place ops: an operand sharing the output's buffer is read through the output binding when it is the output
  // view itself (each thread reads its element before writing it), and from a copy when it overlaps otherwise.
  const copies: Tensor[] = [];
  const fromOut = new Set<Tensor>();
  const operands = call.operands.map((o) => {
    if (!(o instanceof Tensor) || o.storage !== out.storage) return o;
    if (sameView(o, out, call.shape)) { fromOut.add(o); return o; }
    const c = empty(o.shape, o.dtype, 'webgpu');
    runGpu(COPY, c, { operands: [o], params: [], compute: o.dtype, outDtype: o.dtype, shape: o.shape });
    copies.push(c);
    return c;
  });
  call = { ...call, operands };
  const tensors = operands.filter((o): o is Tensor => o instanceof Tensor);
  const { shape, strides } = coalesce(call.shape, [out.strides, ...tensors.map((t) => stridesIn(t, call.shape))]);
  if (shape.length > MAX_RANK) {
    throw new Error(`${def.name}: rank ${shape.length} after merging dims exceeds the kernel's ${MAX_RANK}; make the operands contiguous`);
  }
  const contiguous = shape.length <= 1 && strides.every((s) => shape.length === 0 || s[0] === 1);
  const T = valueType(call.compute === 'f64' ? 'f32' : call.compute);
  const kernel: ElementwiseKernel = {
    expr: typeof def.wgsl === 'string' ? def.wgsl : def.wgsl(T),
    resultIsBool: def.result === 'bool',
    operands: call.operands.map((o) => (o instanceof Tensor ? { dtype: o.dtype, fromOut: fromOut.has(o) } : 'scalar')),
    compute: call.compute,
    out: out.dtype,
    contiguous,
    vec4: contiguous && vectorise && [out, ...tensors].every((t) => t.offset % 4 === 0) && vec4Storable([out, ...tensors].map((t) => t.dtype)),
    helpers: def.helpers,
  };
  kernel.pairs = contiguous && !kernel.vec4 && storageLayout(out.dtype) !== 'native' && out.offset % 2 === 0;
  const key = elementwiseKey(kernel);
  const decl = declarationOf(key, kernel);
  const n = numel(call.shape);
  const m = decl.meta().u32('n', n).space('idx', shape).view('out', out.offset, strides[0]);
  let k = 0;
  call.operands.forEach((o, i) => {
    if (o instanceof Tensor) m.view(`in${i}`, o.offset, strides[1 + k++]);
    else m.typed('scalars', T, castScalar(call.compute, o), i);
  });
  call.params.forEach((v, j) => (def.rawParams ? m.u32('params', v >>> 0, j) : m.typed('params', T, paramValue(call.compute, v), j)));
  const buffers: Record<string, GPUBuffer> = { out: out.storage.buffer! };
  call.operands.forEach((o, i) => { if (o instanceof Tensor && !fromOut.has(o)) buffers[`in${i}`] = o.storage.buffer!; });
  decl.dispatch(pipeline(key, () => elementwiseSource(kernel)), buffers, m, grid(Math.ceil(elementwiseThreads(kernel, n) / WG)));
  for (const c of copies) c.dispose();
}

/**
 * An op parameter (clamp's bounds, elu's alpha...) as both backends use it: an f32 for float math, and for integer
 * math saturated to the type's range (so clamp(x, -Infinity, 5) on i32 keeps its open lower end).
 */
function paramValue(compute: DType, v: number): number {
  if (Number.isNaN(v) || isFloat(compute)) return compute === 'f64' ? v : Math.fround(v);
  const [lo, hi] = compute === 'i32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
  return Math.trunc(Math.min(Math.max(v, lo), hi));
}

const declarations = new Map<string, Kernel>();
function declarationOf(key: string, k: ElementwiseKernel): Kernel {
  let d = declarations.get(key);
  if (!d) declarations.set(key, (d = elementwiseKernel(k)));
  return d;
}

// ---- broadcasting in backward rules -----------------------------------------------------------------------------

/** Sums a broadcast gradient back to `shape` (the inverse of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  // only leading dims summed (a bias's gradient): the sum has the shape already, a tensor of its own, not a view
  if (dims.length === lead && lead > 0) return g.sum(dims);
  let r = dims.length ? g.sum(dims, true) : g;
  if (lead > 0 || !sameShape(r.shape, shape)) r = r.reshape(shape);
  return r;
}
