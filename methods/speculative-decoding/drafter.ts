// What every drafter offers the decoding loop. A drafter sees the emitted tokens (the last one is the root of the
// next tree) and one target feature per verified position (every emitted token but the root), and returns the
// log-probabilities of the token after each of a batch of draft paths. Drafting never affects what is emitted:
// verification keeps the output equal to the target's greedy decoding whatever a drafter proposes.
import { tensor, type DeviceName, type Tensor } from '../../index.js';
import type { FeatureFn } from './target.js';

export interface DraftContext {
  /** prompt + generated tokens; the last is the root of the next draft tree */
  tokens: readonly number[];
  /** target features of positions 0 .. tokens.length - 2 (empty rows for a drafter without features) */
  features: readonly Float32Array[];
}

export interface Drafter {
  readonly name: string;
  /** runs on the target side for every verified position (EAGLE: the final state h; MoA: LSA over layer K/V) */
  readonly featureFn: FeatureFn | null;
  /** log-probabilities [V] of the next token after root + path, for paths of equal length */
  nextLogProbs(ctx: DraftContext, paths: readonly (readonly number[])[]): Promise<Float32Array[]>;
}

/** The drafter's input for a batch of equal-length paths: the emitted tokens then each path, as [paths, T] i32. */
export function pathTokens(ctx: DraftContext, paths: readonly (readonly number[])[], device: DeviceName): Tensor {
  const T = ctx.tokens.length + paths[0].length;
  return tensor(Int32Array.from(paths.flatMap((p) => [...ctx.tokens, ...p])), {
    shape: [paths.length, T],
    dtype: 'i32',
    device,
  });
}

/** The rows of a [paths, V] tensor of log-probabilities, one Float32Array per path; frees the tensor. */
export async function takeRows(lp: Tensor): Promise<Float32Array[]> {
  try {
    const data = await lp.data();
    const V = lp.shape[1];
    return Array.from({ length: lp.shape[0] }, (_, i) => Float32Array.from(data.subarray(i * V, (i + 1) * V)));
  } finally {
    lp.dispose();
  }
}

/** The k largest entries of `values` as [index, value], best first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): [number, number][] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order.slice(0, k).map((i) => [i, values[i]]);
}
