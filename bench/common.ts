// What every suite shares: the result rows, the checks that run before any timing, deterministic inputs.
import type { Timing } from './harness.js';

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

export function record(suite: string, kase: string, impl: string, t: Timing, work: { flops?: number; bytes?: number; unit?: 'GFLOP/s' | 'GB/s' | 'ms' } = {}): Row {
  const unit = work.unit ?? (work.flops ? 'GFLOP/s' : work.bytes ? 'GB/s' : 'ms');
  const value = unit === 'GFLOP/s' ? work.flops! / t.medianMs / 1e6 : unit === 'GB/s' ? work.bytes! / t.medianMs / 1e6 : t.medianMs;
  const row = { suite, case: kase, impl, ...t, value, unit, flops: work.flops ?? 0, bytes: work.bytes ?? 0 };
  rows.push(row);
  console.log(`  ${suite.padEnd(12)} ${kase.padEnd(30)} ${impl.padEnd(24)} ${t.medianMs.toFixed(3).padStart(10)} ms ` +
    `[${t.minMs.toFixed(3)}..${t.maxMs.toFixed(3)}]${unit === 'ms' ? '' : `  ${value.toFixed(2)} ${unit}`}`);
  return row;
}

/** Prints that a benchmark is skipped, and why: skipped rows are never faked. */
export const skip = (suite: string, kase: string, why: string) => console.log(`  ${suite.padEnd(12)} ${kase.padEnd(30)} skipped: ${why}`);

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
