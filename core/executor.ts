// Deferred submission. Each op records a dispatch into an open compute pass; the queue is submitted when a batch
// fills, before a readback, or on flush(). Uniforms of a batch are packed into one staging array (256-byte slots,
// the uniform offset alignment) and uploaded with one writeBuffer just before the submit.
import { gpu, gpuReady, waitGpu } from './device.js';
import { recycleAfterSubmit } from './pool.js';
import { storageOf, type Submit } from './storage.js';
import { indexErrorsToCheck, takeIndexError, resetIndexErrors } from './index-errors.js';

const SLOT = 256;
export let maxBatch = 128; // dispatches per submit; tuned in bench/
export function setMaxBatch(n: number): void { flush(); maxBatch = n; }

let encoder: GPUCommandEncoder | null = null;
let pass: GPUComputePassEncoder | null = null;
let recorded = 0;
let uniformData = new Uint8Array(maxBatch * SLOT);
let uniformBuffer: GPUBuffer | null = null;
let uniformUsed = 0;
let submits = 0;
let dispatches = 0;
let copies = 0;
/** dispatches per kernel key while countDispatches (core/stats.ts) runs; null otherwise (no cost) */
let byKernel: Map<string, number> | null = null;

let open: Submit = { error: null, deps: new Set() };
let unsettled: Submit[] = [];

function openEncoder(): GPUCommandEncoder {
  encoder ??= gpu().device.createCommandEncoder();
  return encoder;
}

// Which bindings of a pipeline it writes (its read_write storage buffers); the pipeline cache declares them.
const writtenBindings = new WeakMap<GPUComputePipeline, ReadonlySet<number>>();
export function declareWrites(pipeline: GPUComputePipeline, bindings: Iterable<number>): void {
  writtenBindings.set(pipeline, new Set(bindings));
}

/** Records that the open submit reads `buffer` (and writes it when `writes`): the lineage readback checks. */
function track(buffer: GPUBuffer, writes: boolean): void {
  const s = storageOf(buffer);
  if (!s) return;
  const p = s.producer;
  if (p && p !== open && (p.deps !== null || p.error !== null)) open.deps!.add(p);
  if (writes) s.producer = open;
}

let passPipeline: GPUComputePipeline | null = null; // the pipeline set in the open pass

function openPass(): GPUComputePassEncoder {
  pass ??= openEncoder().beginComputePass();
  return pass;
}

function closePass(): void {
  pass?.end();
  pass = null;
  passPipeline = null;
}

// Bind groups: the uniform block is bound with a dynamic offset (pipelines.ts gives every kernel an explicit layout),
// so one uniform buffer serves a whole batch. A bind group is made per dispatch and not kept: a cache keyed by the
// storage buffers hit ~3% of dispatches in a GPT training loop (pooled buffers change from step to step), and the
// bind groups it held crashed lavapipe (SIGSEGV after ~200k dispatches) where fresh ones released by the GC do not.
const layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
const kernelKeys = new WeakMap<GPUComputePipeline, string>();
export function declareLayout(pipeline: GPUComputePipeline, layout: GPUBindGroupLayout, key: string): void {
  layouts.set(pipeline, layout);
  kernelKeys.set(pipeline, key);
}

function bindGroupFor(device: GPUDevice, pipeline: GPUComputePipeline, buffers: GPUBuffer[], uniforms: GPUBuffer): GPUBindGroup {
  const layout = layouts.get(pipeline);
  if (!layout) throw new Error('internal: a pipeline made outside shaders/pipelines.ts has no declared layout');
  const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
  entries.push({ binding: buffers.length, resource: { buffer: uniforms, offset: 0, size: SLOT } });
  return device.createBindGroup({ layout, entries });
}

/** Records one compute dispatch (`uniforms`: 32-bit words, at most 64); returns the submit it went into. */
export function dispatch(
  pipeline: GPUComputePipeline,
  buffers: GPUBuffer[],
  uniforms: Uint32Array,
  workgroups: readonly [number, number?, number?],
): Submit {
  const { device } = gpu();
  if (recorded >= maxBatch) flush();
  if (uniforms.byteLength > SLOT) throw new Error(`internal: ${uniforms.byteLength} bytes of uniforms exceed one slot`);
  const needed = (recorded + 1) * SLOT;
  if (needed > uniformData.byteLength) {
    const grown = new Uint8Array(uniformData.byteLength * 2);
    grown.set(uniformData);
    uniformData = grown;
  }
  if (!uniformBuffer || uniformBuffer.size < uniformData.byteLength) {
    // The batch that used the old buffer has not been submitted yet: submit it before swapping.
    if (uniformBuffer && recorded > 0) { flush(); return dispatch(pipeline, buffers, uniforms, workgroups); }
    uniformBuffer?.destroy();
    uniformBuffer = device.createBuffer({ size: uniformData.byteLength, usage: 0x40 | 0x8 }); // UNIFORM | COPY_DST
  }
  const offset = recorded * SLOT;
  uniformData.set(new Uint8Array(uniforms.buffer, uniforms.byteOffset, uniforms.byteLength), offset);
  uniformUsed = offset + SLOT;
  const writes = writtenBindings.get(pipeline);
  buffers.forEach((b, i) => track(b, !writes || writes.has(i)));
  const p = openPass();
  if (pipeline !== passPipeline) { p.setPipeline(pipeline); passPipeline = pipeline; }
  p.setBindGroup(0, bindGroupFor(device, pipeline, buffers, uniformBuffer), [offset]);
  p.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
  recorded++;
  dispatches++;
  if (byKernel) {
    const key = kernelKeys.get(pipeline) ?? '?';
    byKernel.set(key, (byKernel.get(key) ?? 0) + 1);
  }
  return open;
}

/** Records a buffer-to-buffer copy (ends the open compute pass). */
export function copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
  closePass();
  track(src, false);
  track(dst, true);
  openEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  recorded++;
  copies++;
  if (byKernel) byKernel.set('copyBufferToBuffer', (byKernel.get('copyBufferToBuffer') ?? 0) + 1);
}

/** Submits everything recorded so far. */
export function flush(): void {
  if (!encoder) return;
  const { device } = gpu();
  closePass();
  // Encoding errors (an invalid pipeline, a bad binding) surface when the encoder finishes: they are caught here and
  // raised by the next readback, so a broken kernel fails loudly instead of leaving zeros behind.
  device.pushErrorScope('validation');
  if (uniformUsed > 0 && uniformBuffer) device.queue.writeBuffer(uniformBuffer, 0, uniformData, 0, uniformUsed);
  device.queue.submit([encoder.finish()]);
  const submitted = open;
  errorChecks.push(device.popErrorScope().then((e) => {
    if (e) { gpuErrors.push(e.message); submitted.error = e.message; }
  }));
  unsettled.push(submitted);
  open = { error: null, deps: new Set() };
  encoder = null;
  recorded = 0;
  uniformUsed = 0;
  submits++;
  recycleAfterSubmit();
}

export interface ReadRequest { buffer: GPUBuffer; offset: number; bytes: number }

let errorChecks: Promise<void>[] = [];
const gpuErrors: string[] = [];

/** Throws the validation errors of submitted batches, once; every readback calls it. */
export async function raiseGpuErrors(): Promise<void> {
  const checks = errorChecks;
  const submitted = unsettled;
  errorChecks = [];
  unsettled = [];
  await Promise.all(checks);
  // In submit order, so every dep is settled before the submits that read it.
  for (const s of submitted) {
    for (const d of s.deps!) if (d.error !== null) { s.error ??= d.error; break; }
    s.deps = null;
  }
  if (gpuErrors.length) {
    const messages = gpuErrors.splice(0);
    throw new Error(`webgpu: ${messages.length} submitted batch(es) failed validation; results are invalid. First error:\n${messages[0]}`);
  }
}

// Staging buffers of small readbacks are kept for re-use (creating one is a noticeable part of a round trip).
const STAGING_KEEP = 4096;
const staging = new Map<number, GPUBuffer[]>();

/**
 * Copies byte ranges of GPU buffers into host memory with one submit and one wait, flushing pending work first.
 * Buffer copies need 4-byte aligned offsets and sizes, so each range is widened to them and trimmed afterwards
 * (an f16 view may start at any even byte).
 */
export async function readBuffers(requests: readonly ReadRequest[]): Promise<ArrayBuffer[]> {
  const { device } = gpu();
  const flags = indexErrorsToCheck(); // read in the same round trip: index kernels' bad-index reports
  const all = flags ? [...requests, { buffer: flags.buffer, offset: 0, bytes: 8 }] : requests;
  const staged = all.map(({ buffer, offset, bytes }) => {
    const start = offset - (offset % 4);
    const skip = offset - start;
    const size = Math.max(4, Math.ceil((skip + bytes) / 4) * 4);
    const staging = takeStaging(device, size);
    copyBuffer(buffer, start, staging, 0, size);
    return { staging, skip, bytes };
  });
  flush();
  try {
    await waitGpu(Promise.all(staged.map(({ staging }) => staging.mapAsync(1 /* GPUMapMode.READ */))));
  } catch (e) {
    const why = gpuReady() ? (e as Error).message || 'no reason given' : 'shutdown() released the device while it was pending';
    throw new Error(`readback: the webgpu readback failed (${why})`);
  }
  const results = staged.map(({ staging, skip, bytes }) => {
    const out = staging.getMappedRange().slice(skip, skip + bytes);
    staging.unmap();
    giveStaging(staging);
    return out;
  });
  const indexError = flags ? takeIndexError(new Uint32Array(results.pop()!), flags.upTo) : null;
  await raiseGpuErrors();
  if (indexError) throw new Error(indexError);
  return results;
}

function takeStaging(device: GPUDevice, size: number): GPUBuffer {
  const b = size <= STAGING_KEEP ? staging.get(size)?.pop() : undefined;
  return b ?? device.createBuffer({ size, usage: 0x1 | 0x8 }); // MAP_READ | COPY_DST
}

function giveStaging(b: GPUBuffer): void {
  if (b.size > STAGING_KEEP) { b.destroy(); return; }
  const list = staging.get(b.size) ?? [];
  if (list.length < 8) { list.push(b); staging.set(b.size, list); } else b.destroy();
}

// sync() waits the way a readback does: it copies 4 bytes of this buffer into a staging buffer and maps it. The
// copy is submitted after all earlier work, so the map resolves once that work is done. (Dawn's
// onSubmittedWorkDone took about 1.3 ms on an H200 where a one-float readback took 0.2 ms.)
let syncSource: GPUBuffer | null = null;

/** Waits until the GPU has finished everything submitted so far. */
export async function sync(): Promise<void> {
  syncSource ??= gpu().device.createBuffer({ size: 4, usage: 0x4 }); // COPY_SRC
  await readBuffers([{ buffer: syncSource, offset: 0, bytes: 4 }]);
}

/** Counts since the process started: queue submits, compute dispatches, buffer copies; commands not yet submitted. */
export const executorStats = () => ({ submits, dispatches, copies, pending: recorded });

/** Counts dispatches per kernel key into `counter` from now on (null: stop); returns the counter it replaces. */
export function setKernelCounter(counter: Map<string, number> | null): Map<string, number> | null {
  const was = byKernel;
  byKernel = counter;
  return was;
}

/**
 * Raises when `producer` (a storage's last writer) failed validation, or read the result of a submit that did:
 * the storage holds stale bytes, never results. Call after raiseGpuErrors has settled the submits.
 */
export function assertValidResult(op: string, producer: Submit | null): void {
  if (producer?.error == null) return;
  throw new Error(`${op}: this tensor was computed by a webgpu submit that failed (validation, or a bad index), or ` +
    `from a tensor that was, so it holds no valid values. The submit's first error:\n${producer.error}`);
}

export function resetExecutor(): void {
  resetIndexErrors();
  errorChecks = [];
  unsettled = [];
  open = { error: null, deps: new Set() };
  gpuErrors.length = 0;
  encoder = null;
  pass = null;
  recorded = 0;
  uniformUsed = 0;
  uniformBuffer = null;
  passPipeline = null;
  syncSource = null;
  staging.clear();
}
