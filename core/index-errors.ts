// The error-flag buffer of kernels that can fail on their data: bad indices (gather, scatter-add and the ops built
// on them) and singular matrices (solve). A GPU thread cannot throw, so a kernel that meets an index outside
// [0, size) writes, with one atomic compare-exchange, the report id of its dispatch into word 0 of this buffer and
// the bad index (or, for solve, the singular matrix's batch index) into word 1; the first report wins. Every readback
// reads the buffer in the same round trip and raises the message the cpu backend would have raised for that
// dispatch, so webgpu never silently gathers zeros, drops writes or returns NaN for a singular system.
import { gpu } from './device.js';
import type { Submit } from './storage.js';

/** What a dispatch's report says: the op, what the index addresses, its size, and how to read the index bits. */
export interface IndexReport {
  op: string;
  what: string;
  size: number;
  signed: boolean;
}

// the message a dispatch raises from its reported word, and the submit it was recorded into (set once recorded)
const reports = new Map<number, { message: (word: number) => string; submit: Submit | null }>();

let buffer: GPUBuffer | null = null;
let nextId = 1;

/** The 2-word flag buffer (created zeroed on first use). */
export function indexErrorBuffer(): GPUBuffer {
  buffer ??= gpu().device.createBuffer({ size: 8, usage: 0x80 | 0x4 | 0x8 }); // STORAGE | COPY_SRC | COPY_DST
  return buffer;
}

/** Registers what one dispatch would report from its word; the id goes into the kernel's uniforms. */
export function kernelReport(message: (word: number) => string): number {
  const id = nextId++;
  if (nextId > 0x7fffffff) nextId = 1;
  reports.set(id, { message, submit: null });
  return id;
}

/** Registers an index kernel's dispatch: its word is the first bad index. */
export function indexReport(report: IndexReport): number {
  return kernelReport((bits) =>
    outOfRangeMessage(report.op, report.signed ? bits | 0 : bits >>> 0, report.what, report.size),
  );
}

/** Notes the submit a reporting dispatch went into: a bad index fails that submit like a validation error. */
export function reportSubmit(id: number, submit: Submit): void {
  const r = reports.get(id);
  if (r) r.submit = submit;
}

/** The message the cpu backend raises for an out-of-range index (ops/indexing.ts uses it too). */
export function outOfRangeMessage(op: string, index: number, what: string, size: number): string {
  return `${op}: index ${index} is out of range for ${what} of size ${size} (valid: 0..${size - 1})`;
}

/** The buffer to read with the next readback, or null when no dispatch could have reported since the last one. */
export function indexErrorsToCheck(): { buffer: GPUBuffer; upTo: number } | null {
  return buffer && reports.size > 0 ? { buffer, upTo: nextId } : null;
}

/**
 * The message of the reported bad index, or null (`words` are the buffer's two words as read back). The submit of
 * the reporting dispatch is marked failed with it, so its results raise on readback as a failed submit's do.
 * Forgets the reports of dispatches recorded before the read (ids below `upTo`), whose outcome is now known.
 */
export function takeIndexError(words: Uint32Array, upTo: number): string | null {
  const [id, bits] = words;
  const entry = reports.get(id);
  for (const k of reports.keys()) if (k < upTo) reports.delete(k);
  if (id === 0) return null;
  gpu().device.queue.writeBuffer(indexErrorBuffer(), 0, new Uint32Array(2)); // re-arm for the next failure
  if (!entry) return `webgpu: a kernel reported a failure (word ${bits}; report ${id} is unknown)`;
  const { submit } = entry;
  const message = entry.message(bits);
  if (submit) submit.error ??= message;
  return message;
}

export function resetIndexErrors(): void {
  buffer = null;
  reports.clear();
  nextId = 1;
}
