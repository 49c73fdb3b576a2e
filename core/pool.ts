// GPU buffer pool. Buffers are bucketed by rounded size so a training loop re-uses the same few buffers.
// A buffer released while commands that use it are still being recorded goes to `pendingFree` and joins the pool
// only after that batch is submitted: writeBuffer uploads run ahead of unsubmitted commands, so a buffer must
// not be handed out for an upload while an unsubmitted command still reads it.
import { gpu } from './device.js';

const USAGE_STORAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST

/** Rounds up to the next of 2^k or 1.5*2^k (at least 256 bytes): at most 33% waste, few distinct sizes. */
export function bucketSize(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.ceil(Math.log2(bytes));
  return bytes <= p * 0.75 ? p * 0.75 : p;
}

const free = new Map<number, GPUBuffer[]>();
let pendingFree: GPUBuffer[] = [];
let pooledBytes = 0;
let allocatedBytes = 0;
let created = 0;
let acquired = 0;

export function acquireBuffer(bytes: number): GPUBuffer {
  const size = bucketSize(bytes);
  acquired++;
  const list = free.get(size);
  const reused = list?.pop();
  if (reused) {
    pooledBytes -= size;
    return reused;
  }
  allocatedBytes += size;
  created++;
  return gpu().device.createBuffer({ size, usage: USAGE_STORAGE });
}

export function releaseBuffer(buffer: GPUBuffer): void {
  pendingFree.push(buffer);
}

/** Called by the executor right after a submit: released buffers become reusable. */
export function recycleAfterSubmit(): void {
  for (const b of pendingFree) {
    const list = free.get(b.size) ?? [];
    list.push(b);
    free.set(b.size, list);
    pooledBytes += b.size;
  }
  pendingFree = [];
}

/** Destroys every pooled buffer, returning the memory to the driver. */
export function trim(): void {
  for (const list of free.values()) for (const b of list) { b.destroy(); allocatedBytes -= b.size; }
  free.clear();
  pooledBytes = 0;
}

/** Bytes pooled and allocated now; counts since the process started of buffers created and of acquires. */
export const poolStats = () => ({ pooledBytes, allocatedBytes, created, acquired });

/** Forgets all buffers (the device is gone). */
export function resetPool(): void {
  free.clear();
  pendingFree = [];
  pooledBytes = 0;
  allocatedBytes = 0;
}
