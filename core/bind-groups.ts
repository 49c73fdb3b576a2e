// Bind group cache. createBindGroup is the largest per-dispatch cost on lavapipe (40-100 us, against about 5 us
// for recording the dispatch itself), and a training loop repeats the same dispatches step after step: the same
// pipeline, the same pooled buffers, the same uniform slot (each step's readback starts a new batch at slot 0).
// So bind groups are cached by (pipeline, buffers, uniform offset). Buffers are keyed by identity; a destroyed
// buffer's entries are never hit again (ids are not reused) and go when the cache is cleared at its size cap.

const MAX_ENTRIES = 4096;
const cache = new Map<string, GPUBindGroup>();
const layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
const ids = new WeakMap<object, number>();
let nextId = 1;
let enabled = true;
let hits = 0;
let misses = 0;

function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

/** The layout of group 0 of a pipeline, asked of Dawn once per pipeline. */
function layoutOf(pipeline: GPUComputePipeline): GPUBindGroupLayout {
  let layout = layouts.get(pipeline);
  if (!layout) layouts.set(pipeline, (layout = pipeline.getBindGroupLayout(0)));
  return layout;
}

/** A bind group of `buffers` (bindings 0..k-1) and a 256-byte uniform slot (binding k). */
export function bindGroup(device: GPUDevice, pipeline: GPUComputePipeline, buffers: GPUBuffer[], uniforms: GPUBuffer, offset: number, size: number): GPUBindGroup {
  let key = `${idOf(pipeline)}:${idOf(uniforms)}:${offset}`;
  for (const b of buffers) key += `:${idOf(b)}`;
  let group = enabled ? cache.get(key) : undefined;
  if (group) { hits++; return group; }
  misses++;
  const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
  entries.push({ binding: buffers.length, resource: { buffer: uniforms, offset, size } });
  group = device.createBindGroup({ layout: layoutOf(pipeline), entries });
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, group);
  return group;
}

/** Turns the cache off or on (the bench measures both). */
export function setBindGroupCache(on: boolean): void { enabled = on; cache.clear(); }

export const bindGroupStats = () => ({ entries: cache.size, hits, misses });

/** Forgets every bind group (the device is gone). */
export function resetBindGroups(): void { cache.clear(); }
