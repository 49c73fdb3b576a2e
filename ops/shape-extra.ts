// More shape ops, each a view or a composition of existing ops (so their gradients come from those ops): roll,
// diagonal/diag/trace, movedim/swapaxes, t, tile, repeatInterleave, meshgrid, unbind. The one kernel-level piece
// is diagonal's inverse (a zero tensor with values written on a diagonal), which serves diag of a vector and the
// gradient of diagonal; it reuses the elementwise copy kernel writing into a diagonal view, as pad does.
import { Tensor, assertTensor } from '../core/tensor.js';
import { normDim, shapeFromArgs, type Shape, type ShapeArgs } from '../core/shape.js';
import { apply, describe, type OpSpec } from './op.js';
import { elementwise } from './elementwise.js';
import { UNARY } from './unary.js';
import { view } from './views.js';
import { cat } from './shape-ops.js';
import { indexSelect } from './indexing.js';
import { tensor } from './creation.js';

// ---- diagonal ------------------------------------------------------------------------------------------------------

interface DiagonalGeometry {
  offset: number;
  dim1: number;
  dim2: number;
}

/** The diagonal's shape, strides and storage offset as a view of a tensor of `shape`/`strides` (torch's layout). */
function diagonalLayout(shape: Shape, strides: Shape, start: number, { offset, dim1, dim2 }: DiagonalGeometry) {
  const length = Math.max(
    0,
    offset >= 0 ? Math.min(shape[dim1], shape[dim2] - offset) : Math.min(shape[dim1] + offset, shape[dim2]),
  );
  const others = shape.map((_, d) => d).filter((d) => d !== dim1 && d !== dim2);
  const first = length === 0 ? 0 : offset >= 0 ? offset * strides[dim2] : -offset * strides[dim1];
  return {
    shape: [...others.map((d) => shape[d]), length],
    strides: [...others.map((d) => strides[d]), strides[dim1] + strides[dim2]],
    offset: start + first,
  };
}

/** A tensor of `shape`, zero except its diagonal, which holds the input (diagonal's inverse; torch.diag_embed). */
const DIAGONAL_EMBED: OpSpec<DiagonalGeometry & { shape: Shape }> = {
  name: 'diagonalEmbed',
  infer: ([g], { shape }) => ({ shape, dtype: g.dtype }),
  cpu: embedForward,
  webgpu: embedForward,
  backward: (gg, { params }) => [diagonal(gg, params.offset, params.dim1, params.dim2)],
  saves: () => [],
};

function embedForward(out: Tensor, [g]: Tensor[], geometry: DiagonalGeometry): void {
  elementwise(UNARY.cast, [0], [], { out });
  const d = diagonalLayout(out.shape, out.strides, out.offset, geometry);
  const target = new Tensor(out.storage.retain(), d.shape, d.strides, d.offset);
  if (target.numel > 0) elementwise(UNARY.cast, [g], [], { out: target });
  target.dispose();
}

/**
 * The diagonal of the (dim1, dim2) planes as a view, moved to the last dim (torch.diagonal); offset > 0 takes a
 * diagonal above the main one, offset < 0 below.
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  assertTensor(x, 'diagonal');
  if (x.ndim < 2) throw new Error(`diagonal: input must have at least 2 dims, got ${describe(x)}`);
  if (!Number.isInteger(offset)) throw new Error(`diagonal: offset must be an integer, got ${offset}`);
  const geometry = { offset, dim1: normDim('diagonal', dim1, x.ndim), dim2: normDim('diagonal', dim2, x.ndim) };
  if (geometry.dim1 === geometry.dim2) throw new Error(`diagonal: dim1 and dim2 must differ, both are ${dim1}`);
  const d = diagonalLayout(x.shape, x.strides, x.offset, geometry);
  return view('diagonal', x, d.shape, d.strides, d.offset, (g) =>
    apply(DIAGONAL_EMBED, [g], { ...geometry, shape: x.shape }),
  );
}

/**
 * diag(vector, k): the square matrix with the vector on its k-th diagonal; diag(matrix, k): the k-th diagonal
 * (torch.diag).
 */
export function diag(x: Tensor, k = 0): Tensor {
  assertTensor(x, 'diag');
  if (!Number.isInteger(k)) throw new Error(`diag: diagonal must be an integer, got ${k}`);
  if (x.ndim === 2) return diagonal(x, k);
  if (x.ndim !== 1) throw new Error(`diag: input must be 1-D (a vector) or 2-D (a matrix), got ${describe(x)}`);
  const n = x.shape[0] + Math.abs(k);
  return apply(DIAGONAL_EMBED, [x], { offset: k, dim1: 0, dim2: 1, shape: [n, n] });
}

/** The sum of a matrix's main diagonal (torch.trace; 2-D input only). */
export function trace(x: Tensor): Tensor {
  assertTensor(x, 'trace');
  if (x.ndim !== 2) throw new Error(`trace: expected a matrix (2-D), got ${describe(x)}`);
  return diagonal(x).sum();
}

// ---- moving and swapping dims (views) ------------------------------------------------------------------------------

/** Moves dims `source` to positions `destination`, the others keeping their order (torch.movedim). */
export function movedim(
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  assertTensor(x, 'movedim');
  const src = (typeof source === 'number' ? [source] : [...source]).map((d) => normDim('movedim', d, x.ndim));
  const dst = (typeof destination === 'number' ? [destination] : [...destination]).map((d) =>
    normDim('movedim', d, x.ndim),
  );
  if (src.length !== dst.length) {
    throw new Error(`movedim: source [${src}] and destination [${dst}] must have the same number of dims`);
  }
  if (new Set(src).size !== src.length || new Set(dst).size !== dst.length) {
    throw new Error(`movedim: repeated dim in source [${src}] or destination [${dst}]`);
  }
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]] = s));
  const rest = [...x.shape.keys()].filter((d) => !src.includes(d));
  for (let pos = 0, k = 0; pos < x.ndim; pos++) if (order[pos] === -1) order[pos] = rest[k++];
  return x.permute(order);
}

/** dims dim0 and dim1 exchanged (torch.swapaxes, an alias of transpose). */
export const swapaxes = (x: Tensor, dim0: number, dim1: number): Tensor => x.transpose(dim0, dim1);

/** The transpose of a matrix; vectors and scalars are returned as they are (torch.Tensor.t: 2-D at most). */
export function matrixT(x: Tensor): Tensor {
  assertTensor(x, 't');
  if (x.ndim > 2)
    throw new Error(`t: expects a tensor with at most 2 dims, got ${describe(x)}; use mT or transpose(-2, -1)`);
  return x.transpose(0, x.ndim === 2 ? 1 : 0);
}

/** The transpose of the last two dims (torch's .mT, for batches of matrices). */
export function mT(x: Tensor): Tensor {
  assertTensor(x, 'mT');
  if (x.ndim < 2) throw new Error(`mT: input must have at least 2 dims, got ${describe(x)}`);
  return x.transpose(-2, -1);
}

// ---- copies built from other ops -----------------------------------------------------------------------------------

/**
 * Elements shifted by `shifts` along `dims`, wrapping around (torch.roll); without dims, over the flattened tensor.
 * Each shifted dim is two narrowed views concatenated, so the gradient is cat's.
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  assertTensor(x, 'roll');
  const shiftList = typeof shifts === 'number' ? [shifts] : [...shifts];
  if (shiftList.some((s) => !Number.isInteger(s))) throw new Error(`roll: shifts must be integers, got [${shiftList}]`);
  if (dims === undefined) {
    if (shiftList.length !== 1) throw new Error(`roll: without dims, shifts must be one number, got [${shiftList}]`);
    return roll(x.flatten(), shiftList[0], 0).reshape(x.shape);
  }
  const dimList = (typeof dims === 'number' ? [dims] : [...dims]).map((d) => normDim('roll', d, x.ndim));
  if (dimList.length !== shiftList.length) {
    throw new Error(`roll: shifts [${shiftList}] and dims [${dimList}] must have the same length`);
  }
  let out = x;
  dimList.forEach((d, i) => {
    const n = out.shape[d];
    const s = n === 0 ? 0 : ((shiftList[i] % n) + n) % n;
    if (s !== 0) out = cat([out.narrow(d, n - s, s), out.narrow(d, 0, n - s)], d);
  });
  return out === x ? x.clone() : out;
}

/** x repeated along each dim; `dims` shorter than x's rank is padded with leading 1s (torch.tile). */
export function tile(x: Tensor, ...reps: ShapeArgs): Tensor {
  assertTensor(x, 'tile');
  const dims = shapeFromArgs('tile', reps);
  const padded = [...new Array<number>(Math.max(0, x.ndim - dims.length)).fill(1), ...dims];
  return x.repeat(padded);
}

/**
 * Each element repeated `repeats` times along dim, copies adjacent (torch.repeat_interleave): a number repeats every
 * element alike (a broadcast and one copy); a list of integers (or a cpu tensor) gives each index its own count
 * (an index_select). Without dim the input is flattened first.
 */
export function repeatInterleave(x: Tensor, repeats: number | readonly number[] | Tensor, dim?: number): Tensor {
  assertTensor(x, 'repeatInterleave');
  if (dim === undefined) return repeatInterleave(x.flatten(), repeats, 0);
  const d = normDim('repeatInterleave', dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (typeof repeats === 'number') {
    if (!Number.isInteger(repeats) || repeats < 0) {
      throw new Error(`repeatInterleave: repeats must be a non-negative integer, got ${repeats}`);
    }
    const shape = [...x.shape.slice(0, d + 1), repeats, ...x.shape.slice(d + 1)];
    const outShape = x.shape.map((s, k) => (k === d ? s * repeats : s));
    const out = x
      .unsqueeze(d + 1)
      .expand(shape)
      .reshape(outShape);
    return out.storage === x.storage ? out.clone() : out; // repeats = 1 gave a view: still copy, as torch does
  }
  const counts = repeatCounts(repeats);
  if (counts.length === 1) return repeatInterleave(x, counts[0], d);
  if (counts.length !== n || counts.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new Error(
      `repeatInterleave: repeats must be ${n} non-negative integers (one per index of dim ${d} of ${describe(x)}), got [${counts}]`,
    );
  }
  const index = counts.flatMap((r, i) => new Array<number>(r).fill(i));
  const at = tensor(index, { dtype: 'i32', device: x.device, shape: [index.length] });
  const out = indexSelect(x, d, at);
  if (!out.requiresGrad) at.dispose(); // indexSelect's backward reads it; otherwise it is done with
  return out;
}

function repeatCounts(repeats: readonly number[] | Tensor): number[] {
  if (!(repeats instanceof Tensor)) {
    if (!Array.isArray(repeats))
      throw new Error(`repeatInterleave: repeats must be a number, a list of integers or a cpu tensor`);
    return [...repeats];
  }
  if (repeats.device !== 'cpu' || repeats.ndim > 1) {
    throw new Error(
      `repeatInterleave: repeats as a tensor must be a 0-D or 1-D cpu tensor (the output size depends on it), got ` +
        `${describe(repeats)} on ${repeats.device}; pass (await repeats.tolist()) instead`,
    );
  }
  const flat = repeats.contiguous();
  const values = Array.from(flat.storage.cpu!.subarray(flat.offset, flat.offset + flat.numel), Number);
  if (flat !== repeats) flat.dispose();
  return values;
}

/**
 * Coordinate grids from 1-D (or 0-D) tensors (torch.meshgrid): with indexing 'ij' output k varies along dim k;
 * with 'xy' (numpy/matlab's) the first two output dims are swapped. The outputs are broadcast views.
 */
export function meshgrid(...args: (Tensor | readonly Tensor[] | { indexing?: 'ij' | 'xy' })[]): Tensor[] {
  const last = args[args.length - 1];
  const opts =
    last !== undefined && !(last instanceof Tensor) && !Array.isArray(last)
      ? (args.pop() as { indexing?: string })
      : {};
  const tensors = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  const indexing = opts.indexing ?? 'ij';
  if (indexing !== 'ij' && indexing !== 'xy')
    throw new Error(`meshgrid: indexing must be 'ij' or 'xy', got '${indexing}'`);
  if (tensors.length === 0) throw new Error('meshgrid: expected at least one tensor');
  for (const t of tensors) {
    assertTensor(t, 'meshgrid');
    if (t.ndim > 1) throw new Error(`meshgrid: expected 0-D or 1-D tensors, got ${describe(t)}`);
  }
  const swap = indexing === 'xy' && tensors.length >= 2;
  const position = (k: number) => (swap && k < 2 ? 1 - k : k);
  const shape = new Array<number>(tensors.length);
  tensors.forEach((t, k) => (shape[position(k)] = t.numel));
  return tensors.map((t, k) => {
    const lifted = shape.map((s, d) => (d === position(k) ? s : 1));
    return t.reshape(lifted).expand(shape);
  });
}

/** The slices along dim, each with that dim removed (torch.unbind; views). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  assertTensor(x, 'unbind');
  const d = normDim('unbind', dim, x.ndim);
  return Array.from({ length: x.shape[d] }, (_, i) => x.select(d, i));
}
