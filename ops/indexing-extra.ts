// scatter and scatterReduce (one kernel, shaders/scatter-reduce.ts), and the index ops torch users reach for, built
// from it and the existing gather and scatter-add: take, indexFill, indexAdd, indexCopy, indexPut. The backward
// rules follow torch's (derivatives.yaml, scatter_reduce_backward) and are written with tensor ops.
import { Tensor, assertTensor } from '../core/tensor.js';
import { isFloat, type HostArray } from '../core/dtype.js';
import { broadcastShapes, fmtShape, normDim, numel, type Shape } from '../core/shape.js';
import { indexErrorBuffer, indexReport, outOfRangeMessage, reportSubmit } from '../core/index-errors.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import {
  SCATTER_MAX_RANK,
  SCATTER_MODES,
  SCATTER_WG,
  scatterReduceKernel,
  scatterReduceKey,
  scatterReduceSource,
  type ScatterMode,
} from '../shaders/scatter-reduce.js';
import { where } from './binary.js';
import { full } from './creation.js';
import { checkIndexDtype, checkIndexRange, gather, scatterAdd } from './indexing.js';
import { pad } from './shape-ops.js';
import { apply, describe, stridedOffsets, type Grads, type OpSpec } from './op.js';

interface ScatterParams {
  dim: number;
  mode: ScatterMode;
  includeSelf: boolean;
}

const SCATTER_REDUCE: OpSpec<ScatterParams> = {
  name: 'scatterReduce',
  infer([x, index, src], { dim, mode }) {
    const op = mode === 'assign' ? 'scatter' : 'scatterReduce';
    checkIndexDtype(op, index);
    if (src.dtype !== x.dtype)
      throw new Error(`${op}: src ${describe(src)} must have the dtype of the input ${describe(x)}`);
    if (x.dtype === 'bool' && mode !== 'assign')
      throw new Error(`${op}: reduce '${mode}' is not defined for ${describe(x)}`);
    if (mode === 'mean' && !isFloat(x.dtype)) {
      throw new Error(`${op}: reduce 'mean' needs a float tensor here, got ${describe(x)} (cast it with .float())`);
    }
    if (
      index.ndim !== x.ndim ||
      src.ndim !== x.ndim ||
      index.shape.some((s, d) => s > src.shape[d] || (d !== dim && s > x.shape[d]))
    ) {
      throw new Error(
        `${op}: index ${describe(index)}, src ${describe(src)} and input ${describe(x)} do not fit along dim ${dim} ` +
          "(all need the same number of dims; index sizes must not exceed src's, nor the input's outside dim)",
      );
    }
    checkIndexRange(op, index, x.shape[dim] ?? 1, `dim ${dim}`);
    return { shape: x.shape, dtype: x.dtype };
  },
  cpu(out, [x, index, src], { dim, mode, includeSelf }) {
    const dst = out.storage.cpu!;
    const xv = x.storage.cpu!;
    const xo = stridedOffsets(x.shape, x.strides, x.offset);
    for (let i = 0; i < xo.length; i++) dst[i] = xv[xo[i]];
    if (index.numel === 0) return;
    // the kernel's fold, in the order of the index walk (so a plain scatter keeps the last src that names a position)
    const hits = new Float64Array(out.numel);
    const acc = Float64Array.from(dst as ArrayLike<number>);
    const outStrides = out.strides;
    const io = stridedOffsets(index.shape, index.strides, index.offset);
    const so = stridedOffsets(index.shape, src.strides, src.offset);
    const iv = index.storage.cpu! as HostArray;
    const sv = src.storage.cpu!;
    const coords = new Array<number>(index.ndim).fill(0);
    for (let p = 0; p < io.length; p++) {
      let rem = p;
      for (let d = index.ndim - 1; d >= 0; d--) {
        coords[d] = rem % index.shape[d];
        rem = Math.floor(rem / index.shape[d]);
      }
      const at = coords.reduce((o, c, d) => o + (d === dim ? iv[io[p]] : c) * outStrides[d], 0);
      const v = sv[so[p]];
      acc[at] = hits[at] === 0 && !includeSelf ? v : foldCpu(mode, acc[at], v);
      hits[at]++;
    }
    for (let i = 0; i < acc.length; i++) {
      dst[i] = mode === 'mean' && hits[i] > 0 ? acc[i] / (hits[i] + Number(includeSelf)) : acc[i];
    }
  },
  webgpu(out, [x, index, src], { dim, mode, includeSelf }) {
    const op = mode === 'assign' ? 'scatter' : 'scatterReduce';
    if (x.ndim > SCATTER_MAX_RANK)
      throw new Error(`${op}: tensors of rank > ${SCATTER_MAX_RANK} are not supported on webgpu`);
    const report = indexReport({ op, what: `dim ${dim}`, size: x.shape[dim] ?? 1, signed: index.dtype === 'i32' });
    const kernel = scatterReduceKernel(x.dtype, index.dtype);
    const column = (strides: readonly number[]) => strides.map((s, d) => (d === dim ? 0 : s));
    const meta = kernel
      .meta()
      .u32('n', out.numel)
      .u32('length', index.shape[dim] ?? 1)
      .u32('mode', SCATTER_MODES.indexOf(mode))
      .u32('includeSelf', Number(includeSelf))
      .u32('report', report)
      .u32('dimPos', Math.max(0, x.ndim - 1 - dim))
      .u32('indexDimStride', index.strides[dim] ?? 0)
      .u32('srcDimStride', src.strides[dim] ?? 0)
      .list('indexShape', index.shape.map((s, d) => (d === dim ? x.shape[d] : s)).reverse())
      .space('out', x.shape)
      .view('x', x.offset, x.strides)
      .view('index', index.offset, column(index.strides))
      .view('src', src.offset, column(src.strides));
    // with an empty index every thread only copies x; its column loop reads nothing
    const pipe = pipeline(scatterReduceKey(x.dtype, index.dtype), () => scatterReduceSource(x.dtype, index.dtype));
    const buffers = {
      inp: x.storage.buffer!,
      index: index.storage.buffer!,
      src: src.storage.buffer!,
      out: out.storage.buffer!,
      err: indexErrorBuffer(),
    };
    reportSubmit(report, kernel.dispatch(pipe, buffers, meta, grid(Math.ceil(out.numel / SCATTER_WG))));
  },
  backward: scatterReduceBackward,
  packedHalf: true,
};

function foldCpu(mode: ScatterMode, acc: number, v: number): number {
  switch (mode) {
    case 'assign':
      return v;
    case 'prod':
      return acc * v;
    case 'amax':
      return Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.max(acc, v);
    case 'amin':
      return Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.min(acc, v);
    default:
      return acc + v;
  }
}

/** src's gradient is read at the index positions; src entries beyond the index's extent were not used. */
function toSrcShape(picked: Tensor, index: Tensor, src: Tensor): Tensor {
  const beyond = [...src.shape.keys()].reverse().flatMap((d) => [0, src.shape[d] - index.shape[d]]);
  return beyond.some((n) => n > 0) ? pad(picked, beyond) : picked;
}

/** The leading part of src with the index's shape: the src elements the op reads (the rest are unused). */
const usedPart = (src: Tensor, index: Tensor): Tensor =>
  index.shape.reduce((t, size, d) => (size === t.shape[d] ? t : t.narrow(d, 0, size)), src);

/** torch's scatter_reduce_backward (and scatter's: x keeps g where nothing landed, src reads g back). */
function scatterReduceBackward(g: Tensor, ctx: { inputs: Tensor[]; out: Tensor; params: ScatterParams }): Grads {
  const [x, index, src] = ctx.inputs;
  const { dim, mode, includeSelf } = ctx.params;
  const out = ctx.out;
  const used = usedPart(src, index);
  const landed = (t: Tensor) => scatter(t, dim, index, 0); // t with 0 at the positions src landed on
  const ones = (shape: Shape, v: number) => full([], v, { dtype: g.dtype, device: g.device }).expand(shape);
  let gx: Tensor;
  let gsrc: Tensor;
  if (mode === 'assign' || mode === 'sum') {
    gx = mode === 'assign' || !includeSelf ? landed(g) : g;
    gsrc = gather(g, dim, index);
  } else if (mode === 'mean') {
    const counts = scatterAdd(ones(g.shape, includeSelf ? 1 : 0), dim, index, ones(index.shape, 1));
    const share = g.div(where(counts.eq(0), 1, counts));
    gx = includeSelf ? share : landed(share);
    gsrc = gather(share, dim, index);
  } else if (mode === 'prod') {
    // x's share: the product of everything else at its position, recomputed where x itself is 0
    const maskedX = where(x.eq(0), 1, x);
    gx = g.mul(scatterReduce(maskedX, dim, index, src, 'prod', { includeSelf })).div(maskedX);
    if (!includeSelf) gx = landed(gx);
    // src's share: out / src, recomputed where src is the only zero landing on its position
    const srcZero = used.eq(0);
    const zerosThere = scatterAdd(ones(x.shape, 0), dim, index, srcZero.cast(g.dtype));
    const singleZero = srcZero.logicalAnd(gather(zerosThere, dim, index).eq(1));
    const withoutZero = scatterReduce(x, dim, index, where(singleZero, 1, used), 'prod', { includeSelf });
    gsrc = where(
      singleZero,
      gather(g.mul(withoutZero), dim, index),
      gather(g.mul(out), dim, index).div(where(srcZero, 1, used)),
    );
  } else {
    // amax / amin: the gradient is shared equally among the elements equal to the result, as torch does
    const value = gather(out, dim, index);
    const selfHits = includeSelf ? x.eq(out) : landed(x.eq(out).cast(g.dtype)).ne(0);
    const srcHits = used.eq(value);
    const shares = scatterAdd(selfHits.cast(g.dtype), dim, index, srcHits.cast(g.dtype));
    const share = g.div(where(shares.eq(0), 1, shares));
    gx = where(selfHits, share, 0);
    gsrc = where(srcHits, gather(share, dim, index), 0);
  }
  return [gx, null, toSrcShape(gsrc, index, src)];
}

/** src as a tensor: a number (torch's scatter value form) becomes a 0-d tensor broadcast over the index. */
function srcTensor(op: string, x: Tensor, index: Tensor, src: Tensor | number): Tensor {
  if (src instanceof Tensor) return src;
  if (typeof src !== 'number') throw new Error(`${op}: src must be a Tensor or a number, got ${typeof src}`);
  return full([], src, { dtype: x.dtype, device: x.device }).expand(index.shape);
}

/**
 * A copy of x with src (or a number) written at the positions index names along dim (torch.scatter): for dim 1,
 * out[i][index[i][j]] = src[i][j]. A position named twice keeps the later src element on both backends (torch
 * leaves it unspecified). torch's deprecated reduce argument is not supported: use scatterReduce or scatterAdd.
 */
export function scatter(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | number,
  opts?: { reduce?: string },
): Tensor {
  assertTensor(x, 'scatter');
  assertTensor(index, 'scatter');
  if (opts?.reduce !== undefined) {
    throw new Error(
      `scatter: the reduce argument ('${opts.reduce}') is not supported; use scatterReduce(dim, index, src, reduce) or scatterAdd`,
    );
  }
  const d = normDim('scatter', dim, x.ndim);
  return apply(SCATTER_REDUCE, [x, index, srcTensor('scatter', x, index, src)], {
    dim: d,
    mode: 'assign',
    includeSelf: true,
  });
}

export type ScatterReduction = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

/**
 * x with the src elements folded into the positions index names along dim by `reduce` (torch.scatter_reduce);
 * includeSelf false leaves x's value out of the fold at positions that receive any src element.
 */
export function scatterReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduction,
  opts: { includeSelf?: boolean } = {},
): Tensor {
  assertTensor(x, 'scatterReduce');
  assertTensor(index, 'scatterReduce');
  assertTensor(src, 'scatterReduce');
  if (!['sum', 'prod', 'mean', 'amax', 'amin'].includes(reduce)) {
    throw new Error(`scatterReduce: reduce must be one of sum, prod, mean, amax, amin, got '${String(reduce)}'`);
  }
  const d = normDim('scatterReduce', dim, x.ndim);
  return apply(SCATTER_REDUCE, [x, index, src], { dim: d, mode: reduce, includeSelf: opts.includeSelf ?? true });
}

// ---- index ops along one dim, and take / indexPut ---------------------------------------------------------------

/** A 1-D index checked for its op, laid along dim and broadcast (stride 0) to `shape`. */
function spreadIndex(op: string, index: Tensor, d: number, shape: Shape, size: number): Tensor {
  assertTensor(index, op);
  checkIndexDtype(op, index);
  if (index.ndim > 1) throw new Error(`${op}: index must be 1-D, got ${describe(index)}`);
  checkIndexRange(op, index, size, `dim ${d}`);
  return index.reshape(shape.map((_, i) => (i === d ? index.numel : 1))).expand(shape);
}

/** The shape of the slices an index op writes: x's, with `n` along dim. */
const slicesShape = (x: Tensor, d: number, n: number): Shape => x.shape.map((s, i) => (i === d ? n : s));

function checkSource(op: string, x: Tensor, d: number, index: Tensor, source: Tensor): void {
  assertTensor(source, op);
  const want = slicesShape(x, d, index.numel);
  if (source.ndim !== x.ndim || source.shape.some((s, i) => s !== want[i])) {
    throw new Error(
      `${op}: source ${describe(source)} must have shape ${fmtShape(want)} (the input's, with the index's length along dim ${d})`,
    );
  }
}

/** x with `value` in the slices along dim that index names (torch.index_fill). */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number | Tensor): Tensor {
  assertTensor(x, 'indexFill');
  const d = normDim('indexFill', dim, x.ndim);
  if (value instanceof Tensor && value.ndim !== 0)
    throw new Error(`indexFill: value must be a number or a 0-d tensor, got ${describe(value)}`);
  const at = spreadIndex('indexFill', index, d, slicesShape(x, d, index.numel), x.shape[d] ?? 1);
  return scatter(x, d, at, value instanceof Tensor ? value.cast(x.dtype).expand(at.shape) : value);
}

/** x with the slices of source added along dim at the positions index names, times alpha (torch.index_add). */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  assertTensor(x, 'indexAdd');
  const d = normDim('indexAdd', dim, x.ndim);
  checkSource('indexAdd', x, d, index, source);
  const at = spreadIndex('indexAdd', index, d, source.shape, x.shape[d] ?? 1);
  const alpha = opts.alpha ?? 1;
  return scatterAdd(x, d, at, alpha === 1 ? source : source.mul(alpha).cast(x.dtype));
}

/** x with the slices along dim that index names replaced by source's (torch.index_copy). */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  assertTensor(x, 'indexCopy');
  const d = normDim('indexCopy', dim, x.ndim);
  checkSource('indexCopy', x, d, index, source);
  return scatter(x, d, spreadIndex('indexCopy', index, d, source.shape, x.shape[d] ?? 1), source);
}

/** Negative positions counted from the end (-1 is the last), as Python indexing does. */
const wrapNegative = (index: Tensor, size: number): Tensor => where(index.lt(0), index.add(size), index);

/** The elements of x, read as 1-D, at the positions of index; the result has index's shape (torch.take). */
export function take(x: Tensor, index: Tensor): Tensor {
  assertTensor(x, 'take');
  assertTensor(index, 'take');
  checkIndexDtype('take', index);
  const n = x.numel;
  if (index.device === 'cpu') {
    const values = index.storage.cpu!;
    for (const o of stridedOffsets(index.shape, index.strides, index.offset)) {
      if (values[o] < -n || values[o] >= n)
        throw new Error(outOfRangeMessage('take', values[o], 'the input read as 1-D', n));
    }
  }
  const flat = wrapNegative(index, n).reshape([-1]);
  return gather(x.reshape([-1]), 0, flat.cast('i32')).reshape(index.shape);
}

/**
 * x with values written at x[indices] (torch.index_put): indices holds one integer tensor per leading dim of x
 * (broadcast together; negative positions count from the end), values broadcast to the selected shape. With
 * accumulate the values add up, repeated positions included; without, a position named twice keeps the last value.
 */
export function indexPut(x: Tensor, indices: readonly Tensor[], values: Tensor | number, accumulate = false): Tensor {
  assertTensor(x, 'indexPut');
  if (!Array.isArray(indices) || indices.length === 0 || indices.length > x.ndim) {
    throw new Error(
      `indexPut: indices must be a list of 1 to ${x.ndim} index tensors (one per leading dim of ${describe(x)})`,
    );
  }
  for (const t of indices) {
    assertTensor(t, 'indexPut');
    if (t.dtype === 'bool') throw new Error('indexPut: bool mask indices are not supported; use maskedFill or where');
    checkIndexDtype('indexPut', t);
  }
  const k = indices.length;
  const lead = x.shape.slice(0, k);
  const rest = x.shape.slice(k);
  const selected = broadcastShapes('indexPut', ...indices.map((t) => t.shape));
  // the flat position in the leading dims: sum of index_d * (product of the leading sizes after d)
  let flat: Tensor | null = null;
  for (const [d, t] of indices.entries()) {
    if (t.device === 'cpu') {
      const vs = t.storage.cpu!;
      for (const o of stridedOffsets(t.shape, t.strides, t.offset)) {
        if (vs[o] < -lead[d] || vs[o] >= lead[d])
          throw new Error(outOfRangeMessage('indexPut', vs[o], `dim ${d}`, lead[d]));
      }
    }
    const term = wrapNegative(t, lead[d]).mul(numel(lead.slice(d + 1)));
    flat = flat ? flat.add(term) : term;
  }
  const m = numel(selected);
  const at = flat!.expand(selected).reshape([m]).cast('i32');
  const shaped = x.reshape([numel(lead), ...rest]);
  const v = values instanceof Tensor ? values : full([], values, { dtype: x.dtype, device: x.device });
  const src = v
    .cast(x.dtype)
    .expand([...selected, ...rest])
    .reshape([m, ...rest]);
  const out = accumulate ? indexAdd(shaped, 0, at, src) : indexCopy(shaped, 0, at, src);
  return out.reshape(x.shape);
}
