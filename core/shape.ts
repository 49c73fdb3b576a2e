// Shape arithmetic shared by every op: strides, broadcasting, dim normalisation.

export type Shape = readonly number[];

export const numel = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export const fmtShape = (s: Shape): string => `[${s.join(', ')}]`;

/** Raises unless `shape` is a list of non-negative integers; returns a copy. */
export function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

/** Broadcast shapes as NumPy/PyTorch do; `op` names the caller in the error. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i];
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new Error(
          `${op}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together ` +
            `(dim ${j - rank} has sizes ${out[j]} and ${d}; sizes must match or be 1)`,
        );
      }
    }
  }
  return out;
}

/** Normalises a possibly negative dim against `rank`; `op` names the caller in the error. */
export function normDim(op: string, dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new Error(`${op}: dim ${dim} is out of range for a tensor of rank ${rank} (valid: ${-r}..${r - 1})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** Normalises a dim argument that may be a number, a list or undefined (= all dims), sorted and unique. */
export function normDims(op: string, dims: number | readonly number[] | undefined, rank: number): number[] {
  if (dims === undefined) return [...Array(rank).keys()];
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const out = list.map((d) => normDim(op, d, rank));
  if (new Set(out).size !== out.length) throw new Error(`${op}: dim list [${list}] repeats a dim`);
  return out.sort((a, b) => a - b);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** torch's two spellings of a shape: one list (`reshape([3, 2])`) or the sizes as arguments (`reshape(3, 2)`). */
export type ShapeArgs = [readonly number[]] | number[];

/** The shape from either spelling; `op` names the caller in the error. */
export function shapeFromArgs(op: string, args: readonly unknown[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  if (args.every((a) => typeof a === 'number')) return [...(args as number[])];
  const got = args.map((a) => (Array.isArray(a) ? `[${a}]` : typeof a === 'number' ? a : typeof a)).join(', ');
  throw new Error(`${op}: expected a shape as one list ([2, 3]) or as sizes (2, 3), got (${got})`);
}

/** A creation op's arguments: a shape in either spelling, then an optional options object (`zeros(2, 3, { dtype })`). */
export type SizeArgs<O> = [readonly number[], O?] | [...number[], O] | number[];

export function sizeAndOptions<O extends object>(op: string, args: readonly unknown[]): { shape: number[]; opts: O } {
  if (args.length > 0 && args[args.length - 1] === undefined) args = args.slice(0, -1); // zeros(shape, undefined)
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last);
  return { shape: shapeFromArgs(op, hasOptions ? args.slice(0, -1) : args), opts: (hasOptions ? last : {}) as O };
}

/**
 * Strides that read a tensor of `shape`/`strides` broadcast to `target` (a broadcast dim, or a leading dim the tensor
 * lacks, gets stride 0).
 */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const j = target.length - shape.length + i;
    out[j] = shape[i] === 1 ? 0 : strides[i];
  }
  return out;
}

/**
 * Merges adjacent dims that every stride set walks contiguously and drops size-1 dims: the same elements in the
 * same order, in fewer dims (less index arithmetic in kernels; most elementwise calls end at rank 1 or 2).
 */
export function coalesce(
  shape: Shape,
  strideSets: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strideSets.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strideSets.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strideSets.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strideSets.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}
