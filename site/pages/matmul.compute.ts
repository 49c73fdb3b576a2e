// The matmul walkthrough's measurement, shared by the page and the browser test: C = A B for square sizes, by the
// naive kernel (site/kernels/naive-matmul.ts) and by tessera's own variants forced with withMatmulVariant, each
// checked against a float64 reference on the host and timed (median of `reps` runs after a warm-up).
import { tensor, gpu, sync, withMatmulVariant } from '../../index.js';
import { naiveMatmul } from '../kernels/naive-matmul.js';

/** Deterministic operands in [-1, 1) from a linear congruential generator (no library RNG involved). */
export function operand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function reference(a: Float32Array, b: Float32Array, M: number, N: number, K: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) c[i * N + j] += a[i * K + k] * b[k * N + j];
  return c;
}

async function tessera(
  variant: string,
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  reps: number,
) {
  const A = tensor(a, { shape: [M, K], device: 'webgpu' });
  const B = tensor(b, { shape: [K, N], device: 'webgpu' });
  const once = () => withMatmulVariant(variant, () => A.matmul(B));
  const times: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const C = once();
    await sync();
    if (r > 0) times.push(performance.now() - t0); // run 0 is the warm-up (pipeline compilation)
    C.dispose();
  }
  const C = once();
  const c = (await C.data()) as Float32Array;
  for (const t of [A, B, C]) t.dispose();
  return { c, medianMs: times.sort((x, y) => x - y)[Math.floor(times.length / 2)] };
}

/** The variants worth comparing on this adapter: naive, tiled, and the subgroup kernel where subgroups exist. */
export function variants(): string[] {
  const { hasSubgroups, subgroupSize } = gpu();
  return [
    'naive',
    'tiled64',
    ...(hasSubgroups && subgroupSize !== null && subgroupSize <= 16 ? [`subgroup${subgroupSize}x8g1`] : []),
  ];
}

export interface MatmulRow {
  variant: string;
  gflops: number[];
  /** largest |C - reference| over all sizes */
  maxError: number;
}

export interface MatmulResult {
  sizes: number[];
  rows: MatmulRow[];
  /** the first 8 values of C at the smallest size, per variant (the browser test compares them with Node's) */
  samples: Record<string, number[]>;
}

/** Times every variant at every size n (C = A B with A, B n x n). */
export async function runMatmul(
  sizes: number[],
  reps: number,
  names = variants(),
  onRow?: (r: MatmulResult) => void,
): Promise<MatmulResult> {
  const result: MatmulResult = {
    sizes,
    rows: names.map((variant) => ({ variant, gflops: [], maxError: 0 })),
    samples: {},
  };
  for (const n of sizes) {
    const [a, b] = [operand(n * n, 1 + n), operand(n * n, 2 + n)];
    const want = reference(a, b, n, n, n);
    for (const row of result.rows) {
      const { c, medianMs } =
        row.variant === 'naive'
          ? await naiveMatmul(gpu().device, a, b, n, n, n, reps)
          : await tessera(row.variant, a, b, n, n, n, reps);
      row.gflops.push((2 * n * n * n) / (medianMs * 1e6));
      for (let i = 0; i < c.length; i++) row.maxError = Math.max(row.maxError, Math.abs(c[i] - want[i]));
      if (n === sizes[0]) result.samples[row.variant] = [...c.slice(0, 8)];
    }
    onRow?.(result);
  }
  return result;
}
