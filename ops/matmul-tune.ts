// Picks the matmul kernel per shape class by measurement on the running adapter. For each problem the tuner
// (1) validates every candidate variant against the cpu reference on a small problem of the same class (same
// dtypes, same load modes, odd edges), dropping any that disagree, then (2) times the survivors at the real size
// (median of `reps` batches of queued calls; one batch for a variant already 3x slower than the best so far) and
// records the fastest for the class. Choices are kept for the process and written to a small JSON file per
// adapter (ops/matmul-cache.ts), so a later process starts tuned.
import { Tensor } from '../core/tensor.js';
import { sync } from '../core/executor.js';
import { isHalf, type DType } from '../core/dtype.js';
import { tensor } from './creation.js';
import { candidates, matmulChoices, selectVariant, setChoice, shapeClass, withVariant, type MatmulProblem } from './matmul-select.js';
import { storeChoices } from './matmul-cache.js';

export interface MatmulCase {
  M: number; N: number; K: number;
  /** batch size (default 1: plain 2-D matmul) */
  batch?: number;
  /** the first operand is a transposed view ([K, M] storage), the second likewise ([N, K]) */
  transA?: boolean; transB?: boolean;
  dtype?: DType;
}

export interface VariantTiming { variant: string; ok: boolean; maxError: number; medianMs: number | null }
export interface TuneResult { shapeClass: string; choice: string; timings: VariantTiming[] }

/** Deterministic operand values in [-1, 1): tuning must not depend on the library's own RNG. */
function operand(rows: number, cols: number, batch: number, transposed: boolean, dtype: DType, seed: number): Tensor {
  const n = rows * cols * batch;
  const values = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; values[i] = s / 2 ** 31 - 1; }
  const stored = transposed ? [batch, cols, rows] : [batch, rows, cols];
  const t = tensor(values, { shape: stored, dtype, device: 'webgpu' });
  const m = transposed ? t.transpose(-1, -2) : t;
  return batch === 1 ? m.squeeze(0) : m;
}

function operands(c: MatmulCase): [Tensor, Tensor] {
  const batch = c.batch ?? 1;
  const dtype = c.dtype ?? 'f32';
  return [operand(c.M, c.K, batch, !!c.transA, dtype, 7), operand(c.K, c.N, batch, !!c.transB, dtype, 11)];
}

function problemOf(a: Tensor, b: Tensor, c: MatmulCase): MatmulProblem {
  const batch = c.batch ?? 1;
  const bs = (t: Tensor) => (batch === 1 ? [] : [t.strides[0]]);
  return { M: c.M, N: c.N, K: c.K, a, b, out: a, aBatch: bs(a), bBatch: bs(b) };
}

/** A small case of the same class: the same residues mod 4 (so the same load modes) and ragged tile edges. */
function smallCase(c: MatmulCase): MatmulCase {
  const shrink = (n: number) => (n > 72 ? 64 + (n % 4) + 4 : n);
  return { ...c, M: c.M > 72 ? 45 : c.M, N: shrink(c.N), K: shrink(c.K), batch: Math.min(c.batch ?? 1, 2) };
}

async function maxError(c: MatmulCase, variant: string): Promise<number> {
  const [a, b] = operands(c);
  const [ac, bc] = [await a.to('cpu'), await b.to('cpu')];
  const ref = await ac.matmul(bc).data();
  const out = withVariant(variant, () => a.matmul(b));
  const got = await out.data();
  for (const t of [a, b, ac, bc, out]) t.dispose();
  let err = 0;
  for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(got[i] - ref[i]) / (1 + Math.abs(ref[i])));
  return Number.isNaN(err) || got.length !== ref.length ? Infinity : err;
}

/**
 * Median time per call over `reps` batches. A batch queues enough calls to take about 20 ms and then waits once,
 * so the wait for the GPU (about 1.3 ms on the H200, more than a 2048^3 matmul) does not swamp small problems. A
 * variant whose first batch is over 3x `bestMs` (the fastest median so far) cannot win and is not run again (on
 * lavapipe a losing kernel at n = 1024 costs seconds per run).
 */
async function medianMs(a: Tensor, b: Tensor, variant: string, reps: number, bestMs: number): Promise<number> {
  const run = () => withVariant(variant, () => a.matmul(b)).dispose();
  run(); // compile and first run outside the timing
  await sync();
  let t0 = performance.now();
  run();
  await sync();
  const calls = Math.max(1, Math.min(32, Math.round(20 / (performance.now() - t0))));
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    for (let c = 0; c < calls; c++) run();
    await sync();
    times.push((performance.now() - t0) / calls);
    if (times[0] > 3 * bestMs) return times[0];
  }
  return times.sort((x, y) => x - y)[Math.floor(reps / 2)];
}

/** Tunes the matmul kernel choice for each case's shape class; returns what was measured. */
export async function tuneMatmul(cases: MatmulCase[], opts: { reps?: number } = {}): Promise<TuneResult[]> {
  const results: TuneResult[] = [];
  for (const c of cases) {
    const [a, b] = operands(c);
    const p = problemOf(a, b, c);
    const timings: VariantTiming[] = [];
    let bestMs = Infinity;
    // the class's current choice first: a fast first time lets slow variants stop after one run
    const current = selectVariant(p).name;
    const list = candidates(p).sort((x, y) => Number(y.name === current) - Number(x.name === current));
    for (const v of list) {
      const err = await maxError(smallCase(c), v.name);
      const ok = err <= (isHalf(c.dtype ?? 'f32') ? 2e-2 : 1e-4);
      const ms = ok ? await medianMs(a, b, v.name, opts.reps ?? 3, bestMs) : null;
      if (ms !== null) bestMs = Math.min(bestMs, ms);
      timings.push({ variant: v.name, ok, maxError: err, medianMs: ms });
    }
    const best = timings.filter((t) => t.ok).sort((x, y) => x.medianMs! - y.medianMs!)[0];
    if (!best) throw new Error(`matmul tuning: no kernel variant matched the cpu reference for ${shapeClass(p)}`);
    setChoice(shapeClass(p), best.variant);
    results.push({ shapeClass: shapeClass(p), choice: best.variant, timings });
    a.dispose();
    b.dispose();
  }
  storeChoices(matmulChoices());
  return results;
}
