// Indexing ops: gather, scatterAdd, indexSelect, embedding (+ its backward, an index-add into a zero table),
// maskedFill and oneHot. gather and scatter-add are the two kernels (shaders/indexing.ts); the others are views
// of their index plus one of those kernels, or one elementwise kernel.
import { Tensor, assertTensor } from '../core/tensor.js';
import { isFloat, isHalf, type DType, type HostArray } from '../core/dtype.js';
import { broadcastShapes, fmtShape, normDim, numel, sameShape, type Shape } from '../core/shape.js';
import { indexErrorBuffer, indexReport, outOfRangeMessage, reportSubmit } from '../core/index-errors.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import type { Kernel } from '../shaders/kernel.js';
import { gatherKernel, scatterAddKernel, INDEX_WG, INDEX_MAX_RANK, gatherKey, gatherSource, scatterAddKey, scatterAddSource } from '../shaders/indexing.js';
import { apply, describe, stridedOffsets, type OpSpec } from './op.js';
import { elementwise } from './elementwise.js';
import { UNARY } from './unary.js';
import { WHERE, where } from './binary.js';
import { full, zeros } from './creation.js';
import { pad } from './shape-ops.js';
import { withIndex, type IndexArg } from './index-arg.js';

// ---- the shared walk over an index tensor ------------------------------------------------------------------------

interface Strided { offset: number; strides: readonly number[] }

/** Who raises for an out-of-range index, and what it addresses (the cpu check and the webgpu report agree). */
interface IndexCheck { op: string; what: string }

/**
 * One thread (or loop step) per position of `shape`: the index value j read there picks the element along `dim`
 * of `target` (x for gather, out for scatter); the other coordinates address `target` through its strides.
 */
interface IndexWalk {
  shape: Shape;
  dim: number;
  dimSize: number;
  target: Strided;
  index: Strided;
  src?: Strided;
  /** an index value whose rows are skipped (embedding's paddingIdx) */
  skip?: number | null;
  check: IndexCheck;
}

const isIndexDtype = (d: DType) => d === 'i32' || d === 'u32';

export function checkIndexDtype(op: string, index: Tensor): void {
  if (!isIndexDtype(index.dtype)) throw new Error(`${op}: index must be an i32 or u32 tensor, got ${describe(index)}`);
}

/** Raises for an index outside [0, size) when the values are on the host (webgpu kernels report at the next readback). */
export function checkIndexRange(op: string, index: Tensor, size: number, what: string): void {
  if (index.device !== 'cpu') return;
  const values = index.storage.cpu!;
  for (const off of stridedOffsets(index.shape, index.strides, index.offset)) {
    const j = values[off];
    if (j < 0 || j >= size) throw new Error(outOfRangeMessage(op, j, what, size));
  }
}

/** The cpu twin of the kernels' walk: calls visit(position, target offset or -1 when out of range, src offset). */
function walkCpu(w: IndexWalk, index: HostArray, visit: (i: number, at: number, os: number) => void): void {
  const io = stridedOffsets(w.shape, w.index.strides, w.index.offset);
  const to = stridedOffsets(w.shape, w.target.strides.map((s, d) => (d === w.dim ? 0 : s)), w.target.offset);
  const so = w.src ? stridedOffsets(w.shape, w.src.strides, w.src.offset) : null;
  const dimStride = w.target.strides[w.dim] ?? 0;
  for (let i = 0; i < io.length; i++) {
    const j = index[io[i]];
    if (w.skip != null && j === w.skip) continue;
    visit(i, j >= 0 && j < w.dimSize ? to[i] + j * dimStride : -1, so ? so[i] : 0);
  }
}

/** Records an index kernel: the walk's uniforms, and the error-flag binding with this dispatch's report. */
function dispatchWalk(op: string, kernel: Kernel, pipe: GPUComputePipeline, buffers: Record<string, GPUBuffer>, w: IndexWalk, index: Tensor): void {
  if (w.shape.length > INDEX_MAX_RANK) throw new Error(`${op}: tensors of rank > ${INDEX_MAX_RANK} are not supported on webgpu`);
  const report = indexReport({ ...w.check, size: w.dimSize, signed: index.dtype === 'i32' });
  const zeros = w.shape.map(() => 0);
  const m = kernel.meta()
    .u32('n', numel(w.shape)).u32('dimSize', w.dimSize).u32('dimStride', w.target.strides[w.dim] ?? 0)
    .u32('skip', w.skip == null ? 0 : 1).i32('skipValue', w.skip ?? 0).u32('report', report).space('walk', w.shape)
    .view('index', w.index.offset, w.index.strides).view('src', w.src?.offset ?? 0, w.src?.strides ?? zeros)
    .view('target', w.target.offset, w.target.strides.map((s, d) => (d === w.dim ? 0 : s)));
  const submit = kernel.dispatch(pipe, { ...buffers, err: indexErrorBuffer() }, m, grid(Math.ceil(numel(w.shape) / INDEX_WG)));
  reportSubmit(report, submit);
}

/** out (contiguous, index-shaped) = x at the walked positions. */
function runGather(out: Tensor, x: Tensor, index: Tensor, w: IndexWalk): void {
  if (out.device === 'cpu') {
    const src = x.storage.cpu!;
    const dst = out.storage.cpu!;
    walkCpu(w, index.storage.cpu!, (i, at) => (dst[i] = at < 0 ? 0 : src[at]));
    return;
  }
  const pipe = pipeline(gatherKey(x.dtype, index.dtype), () => gatherSource(x.dtype, index.dtype));
  const buffers = { inp: x.storage.buffer!, index: index.storage.buffer!, out: out.storage.buffer! };
  dispatchWalk('gather', gatherKernel(x.dtype, index.dtype), pipe, buffers, w, index);
}

/** out (contiguous, already holding the base values) += src at the walked positions. */
function runScatterAdd(out: Tensor, src: Tensor, index: Tensor, w: IndexWalk): void {
  if (out.device === 'cpu') {
    const s = src.storage.cpu!;
    const dst = out.storage.cpu!;
    // typed-array stores round as the GPU does: f32 sums to f32, integer sums wrap
    walkCpu(w, index.storage.cpu!, (_i, at, os) => { if (at >= 0) dst[at] += s[os]; });
    if (isHalf(out.dtype)) elementwise(UNARY.cast, [out], [], { out }); // round the sums to 16-bit precision
    return;
  }
  // 16-bit floats have no atomics: accumulate in an f32 copy, then round once into the output.
  const acc = isHalf(out.dtype) ? elementwise(UNARY.cast, [out], [], { dtype: 'f32' }) : out;
  const pipe = pipeline(scatterAddKey(acc.dtype, index.dtype, src.dtype), () => scatterAddSource(acc.dtype, index.dtype, src.dtype));
  const buffers = { src: src.storage.buffer!, index: index.storage.buffer!, out: acc.storage.buffer! };
  dispatchWalk('scatterAdd', scatterAddKernel(acc.dtype, index.dtype, src.dtype), pipe, buffers, w, index);
  if (acc !== out) {
    elementwise(UNARY.cast, [acc], [], { out });
    acc.dispose();
  }
}

/** Disposes helper views once the result is known not to need them for backward. */
function releaseUnlessSaved(out: Tensor, ...temps: Tensor[]): Tensor {
  if (!out.gradFn) for (const t of temps) if (t !== out) t.dispose();
  return out;
}

// ---- gather / scatterAdd ------------------------------------------------------------------------------------------

const GATHER: OpSpec<{ dim: number; check?: IndexCheck }> = {
  name: 'gather',
  infer([x, index], { dim }) {
    checkIndexDtype('gather', index);
    if (index.ndim !== x.ndim || index.shape.some((s, d) => d !== dim && s > x.shape[d])) {
      throw new Error(`gather: index ${describe(index)} does not fit input ${describe(x)} along dim ${dim} ` +
        '(index needs the same number of dims, and sizes no larger than the input\'s in the other dims)');
    }
    checkIndexRange('gather', index, x.shape[dim] ?? 1, `dim ${dim}`);
    return { shape: index.shape, dtype: x.dtype };
  },
  cpu: (out, [x, index], { dim, check }) => runGather(out, x, index, gatherWalk(x, index, dim, check)),
  webgpu: (out, [x, index], { dim, check }) => runGather(out, x, index, gatherWalk(x, index, dim, check)),
  // d gather / dx: each gradient element flows back to the position it was read from (summed over repeats)
  backward: (g, { inputs: [x, index], params: { dim } }) => [
    scatterAdd(zeros([], { dtype: g.dtype, device: g.device }).expand(x.shape), dim, index, g), null,
  ],
  saves: ({ inputs: [, index] }) => [index],
  packedHalf: true,
};

const gatherWalk = (x: Tensor, index: Tensor, dim: number, check?: IndexCheck): IndexWalk => ({
  shape: index.shape, dim, dimSize: x.shape[dim] ?? 1, target: x, index, check: check ?? { op: 'gather', what: `dim ${dim}` },
});

/** out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (torch.gather). */
export function gather(x: Tensor, dim: number, index: IndexArg): Tensor {
  assertTensor(x, 'gather');
  const d = normDim('gather', dim, x.ndim);
  return withIndex('gather', index, x.device, (i) => apply(GATHER, [x, i], { dim: d }));
}

const SCATTER_ADD: OpSpec<{ dim: number }> = {
  name: 'scatterAdd',
  infer([x, index, src], { dim }) {
    checkIndexDtype('scatterAdd', index);
    if (x.dtype === 'bool' || (x.device === 'webgpu' && !['f32', 'f16', 'i32', 'u32'].includes(x.dtype))) {
      throw new Error(`scatterAdd: not defined for ${describe(x)} (valid dtypes: f32, f16, i32, u32, and f64 on the cpu)`);
    }
    if (src.dtype !== x.dtype) throw new Error(`scatterAdd: src ${describe(src)} must have the dtype of the input ${describe(x)}`);
    if (index.ndim !== x.ndim || src.ndim !== x.ndim ||
      index.shape.some((s, d) => s > src.shape[d] || (d !== dim && s > x.shape[d]))) {
      throw new Error(`scatterAdd: index ${describe(index)}, src ${describe(src)} and input ${describe(x)} do not fit along ` +
        `dim ${dim} (all need the same number of dims; index sizes must not exceed src's, nor the input's outside dim)`);
    }
    checkIndexRange('scatterAdd', index, x.shape[dim] ?? 1, `dim ${dim}`);
    return { shape: x.shape, dtype: x.dtype };
  },
  cpu: scatterForward,
  webgpu: scatterForward,
  // src's gradient is g read back at the scattered positions; src entries beyond the index's extent got no use
  backward: (g, { inputs: [, index, src], params: { dim } }) => {
    const picked = gather(g, dim, index);
    const beyond = [...src.shape.keys()].reverse().flatMap((d) => [0, src.shape[d] - index.shape[d]]); // last dim first
    return [g, null, beyond.some((n) => n > 0) ? pad(picked, beyond) : picked];
  },
  saves: ({ inputs: [, index] }) => [index],
  packedHalf: true,
};

function scatterForward(out: Tensor, [x, index, src]: Tensor[], { dim }: { dim: number }): void {
  elementwise(UNARY.cast, [x], [], { out });
  runScatterAdd(out, src, index, {
    shape: index.shape, dim, dimSize: out.shape[dim] ?? 1, target: out, index, src, check: { op: 'scatterAdd', what: `dim ${dim}` },
  });
}

/** A copy of x with src added at the positions index names along dim (torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: IndexArg, src: Tensor): Tensor {
  assertTensor(x, 'scatterAdd');
  const d = normDim('scatterAdd', dim, x.ndim);
  return withIndex('scatterAdd', index, x.device, (i) => apply(SCATTER_ADD, [x, i, src], { dim: d }));
}

/** The slices of x at the positions in the 1-D index along dim (torch.index_select). */
export function indexSelect(x: Tensor, dim: number, index: IndexArg): Tensor {
  assertTensor(x, 'indexSelect');
  if (!(index instanceof Tensor)) return withIndex('indexSelect', index, x.device, (i) => indexSelect(x, dim, i));
  assertTensor(index, 'indexSelect');
  const d = normDim('indexSelect', dim, x.ndim);
  checkIndexDtype('indexSelect', index);
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 1-D, got ${describe(index)}`);
  checkIndexRange('indexSelect', index, x.shape[d] ?? 1, `dim ${dim}`);
  // gather with the index laid along `dim` and broadcast (stride 0) over the other dims: no copy of the index
  const n = index.numel;
  const along = x.shape.map((_, i) => (i === d ? n : 1));
  const outShape = x.shape.map((s, i) => (i === d ? n : s));
  const laid = index.reshape(along);
  const spread = laid.expand(outShape);
  const out = apply(GATHER, [x, spread], { dim: d, check: { op: 'indexSelect', what: `dim ${dim}` } });
  return releaseUnlessSaved(out, laid, spread);
}

// ---- embedding -------------------------------------------------------------------------------------------------------

interface EmbeddingParams { paddingIdx: number | null }

/**
 * The embedding walk: positions [...indices.shape, D]; the index value picks a row of the [V, D] table, the last
 * coordinate its column (the index has stride 0 there, the table's other strides are 0 outside the row choice).
 */
function embeddingWalk(op: string, table: Strided & { shape: Shape }, indices: Tensor, paddingIdx: number | null, src?: Strided): IndexWalk {
  const k = indices.ndim;
  const strides = [table.strides[0], ...new Array<number>(k - 1).fill(0), table.strides[1]];
  return {
    shape: [...indices.shape, table.shape[1]], dim: 0, dimSize: table.shape[0], skip: paddingIdx,
    target: { offset: table.offset, strides }, index: { offset: indices.offset, strides: [...indices.strides, 0] }, src,
    check: { op, what: 'the table' },
  };
}

const EMBEDDING: OpSpec<EmbeddingParams> = {
  name: 'embedding',
  infer([weight, indices]) {
    checkIndexDtype('embedding', indices);
    if (weight.ndim !== 2) throw new Error(`embedding: weight must be a 2-D [numEmbeddings, dim] table, got ${describe(weight)}`);
    checkIndexRange('embedding', indices, weight.shape[0], 'the table');
    return { shape: [...indices.shape, weight.shape[1]], dtype: weight.dtype };
  },
  cpu: (out, [weight, indices]) => runGather(out, weight, indices, embeddingWalk('embedding', weight, indices, null)),
  webgpu: (out, [weight, indices]) => runGather(out, weight, indices, embeddingWalk('embedding', weight, indices, null)),
  backward: (g, { inputs: [weight, indices], params: { paddingIdx } }) => [
    embeddingBackward(g, indices, weight.shape[0], paddingIdx), null,
  ],
  saves: ({ inputs: [, indices] }) => [indices],
  packedHalf: true,
};

/** Rows of `weight` picked by integer `indices`: out shape [...indices.shape, dim]. paddingIdx gets no gradient. */
export function embedding(weight: Tensor, indices: IndexArg, opts: { paddingIdx?: number | null } = {}): Tensor {
  assertTensor(weight, 'embedding');
  if (!(indices instanceof Tensor)) return withIndex('embedding', indices, weight.device, (i) => embedding(weight, i, opts));
  assertTensor(indices, 'embedding');
  let paddingIdx = opts.paddingIdx ?? null;
  if (paddingIdx !== null) {
    const V = weight.shape[0];
    if (!Number.isInteger(paddingIdx) || paddingIdx < -V || paddingIdx >= V) {
      throw new Error(`embedding: paddingIdx ${paddingIdx} is out of range for a table of ${V} rows (valid: ${-V}..${V - 1})`);
    }
    if (paddingIdx < 0) paddingIdx += V;
  }
  if (indices.ndim === 0) {
    const one = indices.reshape([1]);
    const rows = apply(EMBEDDING, [weight, one], { paddingIdx });
    return releaseUnlessSaved(rows.reshape([weight.shape[1]]), one, rows);
  }
  return apply(EMBEDDING, [weight, indices], { paddingIdx });
}

const EMBEDDING_BACKWARD: OpSpec<EmbeddingParams & { numEmbeddings: number }> = {
  name: 'embeddingBackward',
  infer([grad, indices], { numEmbeddings }) {
    checkIndexDtype('embeddingBackward', indices);
    if (indices.ndim === 0 || grad.ndim !== indices.ndim + 1 || !sameShape(grad.shape.slice(0, -1), indices.shape) || !isFloat(grad.dtype)) {
      throw new Error(`embeddingBackward: grad ${describe(grad)} must be a float tensor of shape [...indices.shape, dim] ` +
        `for indices ${describe(indices)}`);
    }
    checkIndexRange('embeddingBackward', indices, numEmbeddings, 'the table');
    return { shape: [numEmbeddings, grad.shape[grad.ndim - 1]], dtype: grad.dtype };
  },
  cpu: embeddingBackwardForward,
  webgpu: embeddingBackwardForward,
  // the op is linear in grad: its own gradient reads gg back at the same rows (padding rows get none)
  backward: (gg, { inputs: [, indices], params: { paddingIdx } }) => {
    const picked = embedding(gg, indices);
    return [paddingIdx === null ? picked : where(indices.ne(paddingIdx).unsqueeze(-1), picked, 0), null];
  },
  saves: ({ inputs: [, indices] }) => [indices],
  packedHalf: true,
};

function embeddingBackwardForward(out: Tensor, [grad, indices]: Tensor[], { paddingIdx }: EmbeddingParams): void {
  elementwise(UNARY.cast, [0], [], { out });
  runScatterAdd(out, grad, indices, embeddingWalk('embeddingBackward', out, indices, paddingIdx, grad));
}

/**
 * The gradient of embedding with respect to its table: a zero [numEmbeddings, dim] table with each row of `grad`
 * added at the row its index names (rows of paddingIdx are skipped).
 */
export function embeddingBackward(grad: Tensor, indices: Tensor, numEmbeddings: number, paddingIdx: number | null = null): Tensor {
  if (!Number.isInteger(numEmbeddings) || numEmbeddings < 0) {
    throw new Error(`embeddingBackward: numEmbeddings must be a non-negative integer, got ${numEmbeddings}`);
  }
  return apply(EMBEDDING_BACKWARD, [grad, indices], { paddingIdx, numEmbeddings });
}

// ---- maskedFill / oneHot ---------------------------------------------------------------------------------------------

function checkMask(op: string, x: Tensor, mask: Tensor): void {
  assertTensor(x, op);
  assertTensor(mask, op);
  if (mask.dtype !== 'bool') throw new Error(`${op}: mask must be a bool tensor, got ${describe(mask)}`);
  const shape = broadcastShapes(op, x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new Error(`${op}: mask ${describe(mask)} must broadcast to the input's shape ${fmtShape(x.shape)}`);
  }
}

/** x with `value` where mask is true (torch.masked_fill); mask broadcasts to x. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  checkMask('maskedFill', x, mask);
  if (value instanceof Tensor && value.ndim !== 0) throw new Error(`maskedFill: value must be a number or a 0-dim tensor, got ${describe(value)}`);
  const out = where(mask, value, x);
  return out.dtype === x.dtype ? out : releaseUnlessSaved(out.cast(x.dtype), out);
}

/** In-place maskedFill (allowed on tensors that do not require grad). */
export function maskedFill_(x: Tensor, mask: Tensor, value: number): Tensor {
  checkMask('maskedFill_', x, mask);
  return elementwise(WHERE, [mask, value, x], [], { out: x });
}

/**
 * One-hot i32 encoding with a new last dim of numClasses (inferred from the largest index on the cpu only: on
 * webgpu the output shape would need a readback, which ops never do). As in torch, a 1 is scattered into zeros at
 * each index, so an out-of-range index on webgpu is reported by the scatter kernel at the next readback.
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  assertTensor(indices, 'oneHot');
  checkIndexDtype('oneHot', indices);
  let classes = numClasses;
  if (classes === -1) {
    if (indices.device !== 'cpu') {
      throw new Error('oneHot: numClasses must be given for webgpu tensors (inferring it from the largest index would ' +
        'need a readback inside the op; pass numClasses, or call oneHot on a cpu tensor)');
    }
    const values = indices.storage.cpu!;
    classes = 0;
    for (const o of stridedOffsets(indices.shape, indices.strides, indices.offset)) classes = Math.max(classes, values[o] + 1);
  }
  if (!Number.isInteger(classes) || classes < 0) throw new Error(`oneHot: numClasses must be a non-negative integer or -1, got ${numClasses}`);
  checkIndexRange('oneHot', indices, classes, 'numClasses');
  const out = zeros([...indices.shape, classes], { dtype: 'i32', device: indices.device });
  if (out.numel === 0) return out;
  const at = indices.unsqueeze(-1);
  const one = full([], 1, { dtype: 'i32', device: indices.device });
  const ones = one.expand(at.shape);
  runScatterAdd(out, ones, at, {
    shape: at.shape, dim: indices.ndim, dimSize: classes, target: out, index: at, src: ones,
    check: { op: 'oneHot', what: 'numClasses' },
  });
  for (const t of [at, one, ones]) t.dispose();
  return out;
}
