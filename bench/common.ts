// What every suite shares: the result rows, the checks that run before any timing, deterministic inputs.
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../index.js';
import { sync } from '../core/executor.js';
import { elapsedS, measure, measureQueued, OutOfTime, type Timing } from './harness.js';
import type { Jax, Tf } from './peers.js';

export interface Row extends Timing {
  suite: string;
  case: string;
  impl: string;
  /** throughput in `unit` from the median time (GFLOP/s, GB/s), or the median itself for latencies */
  value: number;
  unit: string;
  /** for the roofline: FLOPs and bytes moved by one run (0 when not meaningful) */
  flops: number;
  bytes: number;
}

export const rows: Row[] = [];

/** The work one call does, for the throughput columns: FLOPs, bytes moved, or neither (the row is a time). */
export interface Work { flops?: number; bytes?: number; unit?: 'GFLOP/s' | 'GB/s' | 'ms' }

export function record(suite: string, kase: string, impl: string, t: Timing, work: Work = {}): Row {
  const unit = work.unit ?? (work.flops ? 'GFLOP/s' : work.bytes ? 'GB/s' : 'ms');
  const value = unit === 'GFLOP/s' ? work.flops! / t.medianMs / 1e6 : unit === 'GB/s' ? work.bytes! / t.medianMs / 1e6 : t.medianMs;
  const row = { suite, case: kase, impl, ...t, value, unit, flops: work.flops ?? 0, bytes: work.bytes ?? 0 };
  rows.push(row);
  console.log(`${stamp()} ${suite.padEnd(12)} ${kase.padEnd(30)} ${impl.padEnd(24)} ${t.mode.padEnd(10)} ${t.medianMs.toFixed(3).padStart(10)} ms ` +
    `[${t.minMs.toFixed(3)}..${t.maxMs.toFixed(3)}]${unit === 'ms' ? '' : `  ${value.toFixed(2)} ${unit}`}`);
  return row;
}

/** Prints that a benchmark is skipped, and why: skipped rows are never faked. */
export const skip = (suite: string, kase: string, why: string) => console.log(`${stamp()} ${suite.padEnd(12)} ${kase.padEnd(30)} skipped: ${why}`);

/** What failed during the run (printed as it happens; run.ts exits non-zero when any did). */
export const failures: string[] = [];

/**
 * Runs one case's work; a failure (other than the time budget running out) is printed and noted, and the run goes
 * on, so that one broken kernel on a lent GPU does not cost the other rows of its one call.
 */
export async function attempt(suite: string, kase: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof OutOfTime) throw e;
    const msg = (e as Error).message.split('\n').slice(0, 3).join(' | ');
    failures.push(`${suite} ${kase}: ${msg}`);
    console.log(`${stamp()} ${suite.padEnd(12)} ${kase.padEnd(30)} FAILED: ${msg}`);
  }
}

/** The progress stamp of every printed line: seconds since the run started. */
export const stamp = () => `[${elapsedS().toFixed(0).padStart(4)} s]`;

/**
 * A file shipped beside the bench (bench/NAME from the sources; .gpu/NAME in the bundle bench/gpu.sh packs, which
 * copies it there): this module sits at the top of bench/, and the bundle's code at the top of .gpu/.
 */
export const benchFile = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** Deterministic values in [lo, hi) (a 32-bit LCG), the same for every implementation. */
export function values(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = lo + (hi - lo) * (s / 2 ** 32); }
  return out;
}

/** Throws unless `got` matches the reference within atol + rtol |ref|: nothing is timed before it agrees. */
export function check(what: string, got: ArrayLike<number>, ref: ArrayLike<number>, tol = { atol: 1e-4, rtol: 1e-3 }): void {
  if (got.length !== ref.length) throw new Error(`${what}: ${got.length} values, reference has ${ref.length}`);
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= tol.atol + tol.rtol * Math.abs(ref[i]))) throw new Error(`${what}: value ${i} is ${got[i]}, the cpu reference says ${ref[i]}`);
  }
}

/** Records a tessera op both ways: latency (one call, then sync) and queued throughput (`calls` calls, one sync). */
export async function recordBoth(suite: string, kase: string, impl: string, run: () => Tensor, calls: number, work: Work = {}): Promise<void> {
  await attempt(suite, `${kase} (${impl})`, async () => {
    record(suite, kase, impl, await measure(async () => { const o = run(); await sync(); o.dispose(); }), work);
    record(suite, kase, impl, await measureQueued(() => run().dispose(), sync, calls), work);
  });
}

type TfTensor = ReturnType<Tf['tensor']>;

/** The same two rows for a TensorFlow.js op; the queued mode's one wait reads one float of the last result. */
export async function recordBothTf(suite: string, kase: string, impl: string, tf: Tf, run: () => TfTensor, calls: number, work: Work = {}): Promise<void> {
  let last: TfTensor | null = null;
  await attempt(suite, `${kase} (${impl})`, async () => {
    record(suite, kase, impl, await measure(async () => { const c = run(); await c.data(); c.dispose(); }), work);
    record(suite, kase, impl, await measureQueued(() => { last?.dispose(); last = run(); }, async () => {
      const one = tf.tidy(() => last!.reshape([-1]).slice(0, 1));
      await one.data();
      one.dispose();
    }, calls), work);
  });
  (last as TfTensor | null)?.dispose();
}

type JaxArray = InstanceType<Jax['Array']>;

/** The same two rows for a jax-js op (`run` must consume no inputs: pass `.ref`s); the wait is blockUntilReady. */
export async function recordBothJax(suite: string, kase: string, impl: string, run: () => JaxArray, calls: number, work: Work = {}): Promise<void> {
  let last: JaxArray | null = null;
  await attempt(suite, `${kase} (${impl})`, async () => {
    record(suite, kase, impl, await measure(async () => { const c = run(); await c.blockUntilReady(); c.dispose(); }), work);
    record(suite, kase, impl, await measureQueued(() => { last?.dispose(); last = run(); }, () => last!.blockUntilReady(), calls), work);
  });
  (last as JaxArray | null)?.dispose();
}
