// What a piece of code costs the executor: the compute dispatches and buffer copies it records, the queue submits,
// and the GPU buffers it takes from the pool (and of those, the ones the driver had to create). The counters are
// plain integers the executor and the pool keep anyway; the per-kernel breakdown is kept only while a count runs.
import { executorStats, setKernelCounter } from './executor.js';
import { poolStats } from './pool.js';

export interface DispatchCount<T> {
  /** what `fn` returned */
  value: T;
  /** compute dispatches recorded */
  dispatches: number;
  /** buffer-to-buffer copies recorded (readback staging, copy_) */
  copies: number;
  /** queue submits made (a batch fills every setMaxBatch dispatches) */
  submits: number;
  /** GPU buffers taken from the pool: one per webgpu tensor storage allocated */
  buffers: number;
  /** of those, buffers the pool did not have and created from the driver */
  created: number;
  /** dispatches per kernel key (pipeline cache key), most first */
  byKernel: [string, number][];
}

/**
 * Runs `fn` (synchronous, like tidy) and counts what it recorded on webgpu. Counts nest: an inner count sees only
 * its own work, the outer one everything.
 */
export function countDispatches<T>(fn: () => T): DispatchCount<T> {
  const e0 = executorStats();
  const p0 = poolStats();
  const byKernel = new Map<string, number>();
  const outer = setKernelCounter(byKernel);
  let value: T;
  try {
    value = fn();
    if (value instanceof Promise)
      throw new Error('countDispatches: the function returned a Promise; counts are synchronous');
  } finally {
    setKernelCounter(outer);
    if (outer) for (const [k, n] of byKernel) outer.set(k, (outer.get(k) ?? 0) + n);
  }
  const e1 = executorStats();
  const p1 = poolStats();
  return {
    value,
    dispatches: e1.dispatches - e0.dispatches,
    copies: e1.copies - e0.copies,
    submits: e1.submits - e0.submits,
    buffers: p1.acquired - p0.acquired,
    created: p1.created - p0.created,
    byKernel: [...byKernel].sort((a, b) => b[1] - a[1]),
  };
}
