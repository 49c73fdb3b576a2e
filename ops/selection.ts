// Ops whose output length depends on the data: nonzero, maskedSelect, unique. Each marks the elements it keeps,
// numbers them with a running sum (cumsum), reads back one number (how many were kept: the output's length), and
// then scatters each kept element to its number with the scatter-add kernel (every kept slot receives exactly one
// element; the elements not kept go to one spare slot past the end, which is cut off). The readback makes them
// async on every device, as every readback in tessera is: `await x.nonzero()`, `await maskedSelect(x, mask)`.
import { Tensor, assertTensor } from '../core/tensor.js';
import { broadcastShapes, numel } from '../core/shape.js';
import { tidy } from '../core/scope.js';
import { isGradEnabled } from '../core/autograd.js';
import { where } from './binary.js';
import { arange, full, zeros } from './creation.js';
import { scatterAdd } from './indexing.js';
import { cumsum } from './scan.js';
import { sort } from './sort.js';
import { cat, stack } from './shape-ops.js';
import { describe } from './op.js';

/**
 * Marks and numbers the kept elements: `makeKeep` gives a 1-D bool tensor, `running` its running count (so kept
 * element i goes to slot running[i] - 1), and `count` the number kept, read back. The caller disposes keep/running.
 */
async function numberKept(makeKeep: () => Tensor): Promise<{ keep: Tensor; running: Tensor; count: number }> {
  const [keep, running] = tidy(() => {
    const k = makeKeep();
    return [k, cumsum(k, 0)];
  });
  const n = keep.shape[0];
  if (n === 0) return { keep, running, count: 0 };
  const last = running.narrow(0, n - 1, 1);
  try {
    return { keep, running, count: await last.item() };
  } finally {
    last.dispose();
  }
}

/**
 * Runs the part after the readback and frees the marks. Its intermediates are freed too (no caller's tidy scope
 * can span an await) unless it builds a graph, whose saved tensors they are, as any op's are outside tidy.
 */
function afterCount<T extends Tensor | Tensor[]>(
  marks: { keep: Tensor; running: Tensor },
  graph: boolean,
  fn: () => T,
): T {
  try {
    return graph ? fn() : tidy(fn);
  } finally {
    marks.keep.dispose();
    marks.running.dispose();
  }
}

/** out[slot[i]] = values[i] for the kept i (slot running - 1), in a tensor of `count` elements; bool through i32. */
function compact(values: Tensor, marks: { keep: Tensor; running: Tensor }, count: number): Tensor {
  const asBool = values.dtype === 'bool';
  const v = asBool ? values.cast('i32') : values;
  const slot = where(marks.keep, marks.running.sub(1), count); // not kept: the spare slot `count`, cut off below
  const out = scatterAdd(zeros([count + 1], { dtype: v.dtype, device: v.device }), 0, slot, v).narrow(0, 0, count);
  return asBool ? out.cast('bool') : out;
}

/**
 * The coordinates of the nonzero elements of x in row-major order (torch.nonzero): an [N, ndim] i32 tensor, or
 * with asTuple one 1-D tensor per dim. Async: N is read back.
 */
export function nonzero(x: Tensor, opts?: { asTuple?: false }): Promise<Tensor>;
export function nonzero(x: Tensor, opts: { asTuple: true }): Promise<Tensor[]>;
export async function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Promise<Tensor | Tensor[]> {
  assertTensor(x, 'nonzero');
  const marks = await numberKept(() => x.ne(0).reshape([-1]));
  return afterCount(marks, false, () => {
    const { count } = marks;
    const positions = compact(arange(marks.keep.numel, undefined, 1, { device: x.device }), marks, count);
    if (x.ndim === 0)
      return opts.asTuple
        ? [zeros([count], { dtype: 'i32', device: x.device })]
        : zeros([count, 0], { dtype: 'i32', device: x.device });
    // row-major coordinates: (position / stride_d) % size_d
    const coords = x.shape.map((size, d) =>
      positions.floorDivide(numel(x.shape.slice(d + 1))).remainder(Math.max(size, 1)),
    );
    return opts.asTuple ? coords : stack(coords, 1);
  });
}

/**
 * The elements of x where mask is true, as a 1-D tensor in row-major order (torch.masked_select); x and mask
 * broadcast together. Differentiable: the gradient goes back to the selected elements. Async: the count is read back.
 */
export async function maskedSelect(x: Tensor, mask: Tensor): Promise<Tensor> {
  assertTensor(x, 'maskedSelect');
  assertTensor(mask, 'maskedSelect');
  if (mask.dtype !== 'bool') throw new Error(`maskedSelect: mask must be a bool tensor, got ${describe(mask)}`);
  const shape = broadcastShapes('maskedSelect', x.shape, mask.shape);
  const marks = await numberKept(() => mask.expand(shape).reshape([-1]));
  return afterCount(marks, x.requiresGrad && isGradEnabled(), () =>
    compact(x.expand(shape).reshape([-1]), marks, marks.count),
  );
}

export interface UniqueOptions {
  /** accepted for torch's signature; the unique values always come back sorted (torch allows that) */
  sorted?: boolean;
  /** also return, for each element of x, the position of its value in the output (shaped like x) */
  returnInverse?: boolean;
  /** also return how often each unique value occurs */
  returnCounts?: boolean;
  /** unique slices along a dim: not supported */
  dim?: number | null;
}

/**
 * The distinct values of x in ascending order (torch.unique with dim=None); with returnInverse and returnCounts,
 * [values, inverse?, counts?] in torch's order. NaNs are all distinct (NaN != NaN). Async: the count is read back.
 */
export function unique(
  x: Tensor,
  opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false },
): Promise<Tensor>;
export function unique(x: Tensor, opts: UniqueOptions): Promise<Tensor | Tensor[]>;
export async function unique(x: Tensor, opts: UniqueOptions = {}): Promise<Tensor | Tensor[]> {
  assertTensor(x, 'unique');
  if (opts.dim != null)
    throw new Error('unique: dim is not supported (unique slices along a dim); flatten, or use dim null');
  const n = x.numel;
  const sorted = tidy(() => sort((x.dtype === 'bool' ? x.cast('i32') : x).detach().reshape([-1]), 0));
  // a value starts a group where it differs from the one before it; the groups are numbered by a running count
  const marks = await numberKept(() => {
    if (n === 0) return zeros([0], { dtype: 'bool', device: x.device });
    const s = sorted.values;
    return cat([full([1], 1, { dtype: 'bool', device: x.device }), s.narrow(0, 1, n - 1).ne(s.narrow(0, 0, n - 1))]);
  });
  try {
    return afterCount(marks, false, () => {
      const { count } = marks;
      const values = compact(sorted.values, marks, count);
      const results = [x.dtype === 'bool' ? values.cast('bool') : values];
      if (!opts.returnInverse && !opts.returnCounts) return results[0];
      const group = marks.running.sub(1);
      if (opts.returnInverse) {
        results.push(
          scatterAdd(zeros([n], { dtype: 'i32', device: x.device }), 0, sorted.indices, group).reshape(x.shape),
        );
      }
      if (opts.returnCounts) {
        const one = full([], 1, { dtype: 'i32', device: x.device }).expand([n]);
        results.push(scatterAdd(zeros([count], { dtype: 'i32', device: x.device }), 0, group, one));
      }
      return results;
    });
  } finally {
    sorted.values.dispose();
    sorted.indices.dispose();
  }
}
