// Shape ops that copy: cat, stack, pad, flip, repeat, tril, triu; and split/chunk, which are views.
// The copies reuse the elementwise copy kernel (cast) writing into a strided view of the output, so each input
// costs one dispatch and needs no kernel of its own; tril/triu are one elementwise kernel reading the index.
import { Tensor, assertTensor } from '../core/tensor.js';
import { promote } from '../core/dtype.js';
import { normDim, normDims, shapeFromArgs, type Shape, type ShapeArgs } from '../core/shape.js';
import { apply, describe, type OpSpec } from './op.js';
import { elementwise, type ElementwiseDef } from './elementwise.js';
import { UNARY } from './unary.js';
import { clone } from './views.js';

/** A view of `out` (same storage) narrowed to [start, start + length) along dim; internal, never escapes. */
function window(out: Tensor, dim: number, start: number, shape: Shape): Tensor {
  return new Tensor(out.storage.retain(), shape, out.strides, out.offset + start * out.strides[dim]);
}

/** Copies `src` into `target` (a view of a fresh output) with the elementwise cast kernel. */
function copyInto(target: Tensor, src: Tensor): void {
  elementwise(UNARY.cast, [src], [], { out: target });
}

// ---- cat / stack ---------------------------------------------------------------------------------------------------

const CAT: OpSpec<{ dim: number }> = {
  name: 'cat',
  infer(inputs, { dim }) {
    const first = inputs[0];
    for (const t of inputs) {
      if (t.ndim !== first.ndim || t.shape.some((s, d) => d !== dim && s !== first.shape[d])) {
        throw new Error(`cat: tensors must have the same shape except in dim ${dim}, got ${inputs.map(describe).join(', ')}`);
      }
    }
    const shape = [...first.shape];
    shape[dim] = inputs.reduce((n, t) => n + t.shape[dim], 0);
    return { shape, dtype: inputs.map((t) => t.dtype).reduce(promote) };
  },
  cpu: catForward,
  webgpu: catForward,
  packedHalf: true,
  backward: (g, { inputs, params: { dim } }) => {
    let start = 0;
    return inputs.map((t) => {
      const part = g.narrow(dim, start, t.shape[dim]);
      start += t.shape[dim];
      return part;
    });
  },
  saves: () => [],
};

function catForward(out: Tensor, inputs: Tensor[], { dim }: { dim: number }): void {
  let start = 0;
  for (const t of inputs) {
    if (t.numel > 0) {
      const target = window(out, dim, start, t.shape);
      copyInto(target, t);
      target.dispose();
    }
    start += t.shape[dim];
  }
}

/** Joins tensors along an existing dim (torch.cat); dtypes promote. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!tensors?.length) throw new Error('cat: expected a non-empty list of tensors');
  for (const t of tensors) {
    if (!(t instanceof Tensor)) throw new Error(`cat: expected tensors, got ${typeof t}`);
    assertTensor(t, 'cat');
  }
  if (tensors[0].ndim === 0) throw new Error('cat: zero-dimensional tensors cannot be concatenated; use stack');
  return apply(CAT, [...tensors], { dim: normDim('cat', dim, tensors[0].ndim) });
}

/** Joins tensors of one shape along a new dim (torch.stack). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!tensors?.length) throw new Error('stack: expected a non-empty list of tensors');
  const first = tensors[0];
  for (const t of tensors) {
    assertTensor(t, 'stack');
    if (t.ndim !== first.ndim || t.shape.some((s, d) => s !== first.shape[d])) {
      throw new Error(`stack: all tensors must have the same shape, got ${tensors.map(describe).join(', ')}`);
    }
  }
  const d = normDim('stack', dim, first.ndim + 1);
  const lifted = tensors.map((t) => t.unsqueeze(d));
  const out = apply(CAT, lifted, { dim: d });
  for (const t of lifted) t.dispose(); // cat's backward saves nothing; the views' nodes need only shapes
  return out;
}

// ---- split / chunk (views) -------------------------------------------------------------------------------------------

/** Views of x along dim: pieces of `sizes` (a list summing to the dim's size) or of `size` each, the last smaller. */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  assertTensor(x, 'split');
  const d = normDim('split', dim, x.ndim);
  const n = x.shape[d];
  let list: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new Error(`split: size must be a positive integer, got ${sizes}`);
    list = [];
    for (let s = 0; s < n; s += sizes) list.push(Math.min(sizes, n - s));
    if (n === 0) list.push(0);
  } else {
    list = [...sizes];
    if (list.some((s) => !Number.isInteger(s) || s < 0) || list.reduce((a, b) => a + b, 0) !== n) {
      throw new Error(`split: sizes [${list}] must be non-negative integers summing to ${n}, the size of dim ${dim} of ${describe(x)}`);
    }
  }
  let start = 0;
  return list.map((s) => {
    const part = x.narrow(d, start, s);
    start += s;
    return part;
  });
}

/** `chunks` views of x along dim, each ceil(size / chunks) long (the last may be shorter; fewer if too few). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  assertTensor(x, 'chunk');
  const n = x.shape[normDim('chunk', dim, x.ndim)];
  return split(x, Math.max(1, Math.ceil(n / chunks)), dim);
}

// ---- pad -----------------------------------------------------------------------------------------------------------------

interface PadParams { before: number[]; after: number[]; value: number }

const PAD: OpSpec<PadParams> = {
  name: 'pad',
  infer: ([x], { before, after }) => ({ shape: x.shape.map((s, d) => s + before[d] + after[d]), dtype: x.dtype }),
  cpu: padForward,
  webgpu: padForward,
  packedHalf: true,
  backward: (g, { inputs: [x], params: { before } }) => [
    before.reduce((t, b, d) => (b || t.shape[d] !== x.shape[d] ? t.narrow(d, b, x.shape[d]) : t), g),
  ],
  saves: () => [],
};

function padForward(out: Tensor, [x]: Tensor[], { before, value }: PadParams): void {
  elementwise(UNARY.cast, [value], [], { out });
  if (x.numel === 0) return;
  const offset = out.offset + before.reduce((o, b, d) => o + b * out.strides[d], 0);
  const interior = new Tensor(out.storage.retain(), x.shape, out.strides, offset);
  copyInto(interior, x);
  interior.dispose();
}

/**
 * Constant padding as torch.nn.functional.pad: `pad` lists (before, after) pairs starting from the LAST dim,
 * e.g. [1, 2] pads the last dim by 1 in front and 2 behind, [1, 1, 2, 2] also the dim before it. Negative
 * amounts crop.
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  assertTensor(x, 'pad');
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim || padding.some((p) => !Number.isInteger(p))) {
    throw new Error(`pad: padding [${padding}] must hold integer (before, after) pairs for at most ${x.ndim} dims of ${describe(x)}`);
  }
  const before = new Array<number>(x.ndim).fill(0);
  const after = new Array<number>(x.ndim).fill(0);
  for (let k = 0; k < padding.length / 2; k++) {
    before[x.ndim - 1 - k] = padding[2 * k];
    after[x.ndim - 1 - k] = padding[2 * k + 1];
  }
  // crop first (negative amounts are a narrowing view), then pad what remains
  let src = x;
  for (let d = 0; d < x.ndim; d++) {
    const lo = Math.max(0, -before[d]);
    const hi = Math.max(0, -after[d]);
    if (lo + hi > src.shape[d]) {
      throw new Error(`pad: padding [${padding}] crops dim ${d} of ${describe(x)} below zero size`);
    }
    if (lo || hi) src = src.narrow(d, lo, src.shape[d] - lo - hi);
  }
  return apply(PAD, [src], { before: before.map((b) => Math.max(b, 0)), after: after.map((a) => Math.max(a, 0)), value });
}

// ---- flip -------------------------------------------------------------------------------------------------------------

const FLIP: OpSpec<{ dims: number[] }> = {
  name: 'flip',
  infer: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  cpu: flipForward,
  webgpu: flipForward,
  packedHalf: true,
  backward: (g, { params: { dims } }) => [flip(g, dims)],
  saves: () => [],
};

/**
 * Reads x through a reversed view: along each flipped dim the view starts at the last element and steps by a
 * negative stride. Kernels add strides as u32, where the wrap-around makes the negative step exact.
 */
function flipForward(out: Tensor, [x]: Tensor[], { dims }: { dims: number[] }): void {
  const strides = x.strides.map((s, d) => (dims.includes(d) ? -s : s));
  const offset = dims.reduce((o, d) => o + (x.shape[d] - 1) * x.strides[d], x.offset);
  const reversed = new Tensor(x.storage.retain(), x.shape, strides, offset);
  copyInto(out, reversed);
  reversed.dispose();
}

/** A copy of x with the order of elements reversed along each of `dims`, a list or the dims as arguments (torch.flip). */
export function flip(x: Tensor, ...dims: [number | readonly number[]] | number[]): Tensor {
  assertTensor(x, 'flip');
  if (dims.length === 0) throw new Error('flip: expected the dims to flip, as a list ([0, 1]) or as arguments (0, 1)');
  return apply(FLIP, [x], { dims: normDims('flip', dims.length === 1 ? dims[0] : (dims as number[]), x.ndim) });
}

// ---- repeat -------------------------------------------------------------------------------------------------------------

/**
 * Tiles x `repeats[d]` times along each dim (torch.Tensor.repeat; extra leading repeats add dims). Written as a
 * broadcast: x viewed as [1, s0, 1, s1, ...], expanded to [r0, s0, r1, s1, ...] and copied once by reshape; the
 * gradient sums over the copies through expand's backward.
 */
export function repeat(x: Tensor, ...counts: ShapeArgs): Tensor {
  assertTensor(x, 'repeat');
  const repeats = shapeFromArgs('repeat', counts);
  if (repeats.length < x.ndim || repeats.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new Error(`repeat: repeats [${repeats}] must be non-negative integers, at least one per dim of ${describe(x)}`);
  }
  const shape = [...new Array<number>(repeats.length - x.ndim).fill(1), ...x.shape];
  const interleaved = shape.flatMap((s) => [1, s]);
  const tiled = shape.flatMap((s, d) => [repeats[d], s]);
  const out = x.reshape(interleaved).expand(tiled).reshape(shape.map((s, d) => s * repeats[d]));
  return out.storage === x.storage ? clone(out) : out; // reshape found a view (nothing repeated): still copy
}

// ---- tril / triu ------------------------------------------------------------------------------------------------------

// Row and column of the flat output index of the last two dims: words 52 = columns, 53 = rows, 54 = diagonal.
const ROW_COL = 'i32(idx % uw(W_params)) - i32((idx / uw(W_params)) % uw(W_params + 1u))';
const triangle = (name: string, keep: '<=' | '>='): ElementwiseDef => ({
  name, arity: 1, kind: 'any', rawParams: true,
  wgsl: (T) => `select(${T}(0), a, ${ROW_COL} ${keep} bitcast<i32>(uw(W_params + 2u)))`,
  cpu: (a, _b, _c, [cols, rows, diagonal], idx) => {
    const colMinusRow = (idx % cols) - (Math.floor(idx / cols) % rows);
    return (keep === '<=' ? colMinusRow <= diagonal : colMinusRow >= diagonal) ? a : 0;
  },
  backward: (g, _x, _out, [, , diagonal]) => [triangleOf(name as 'tril' | 'triu', g, diagonal | 0)],
});
const TRIL = triangle('tril', '<=');
const TRIU = triangle('triu', '>=');

function triangleOf(op: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  assertTensor(x, op);
  if (x.ndim < 2) throw new Error(`${op}: input must have at least 2 dims, got ${describe(x)}`);
  if (!Number.isInteger(diagonal)) throw new Error(`${op}: diagonal must be an integer, got ${diagonal}`);
  const [rows, cols] = x.shape.slice(-2);
  return elementwise(op === 'tril' ? TRIL : TRIU, [x], [Math.max(cols, 1), Math.max(rows, 1), diagonal], { dtype: x.dtype });
}

/** The lower triangle of the last two dims: elements with column - row <= diagonal; the rest are 0. */
export const tril = (x: Tensor, diagonal = 0): Tensor => triangleOf('tril', x, diagonal);
/** The upper triangle of the last two dims: elements with column - row >= diagonal; the rest are 0. */
export const triu = (x: Tensor, diagonal = 0): Tensor => triangleOf('triu', x, diagonal);
