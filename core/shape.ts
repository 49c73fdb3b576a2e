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
