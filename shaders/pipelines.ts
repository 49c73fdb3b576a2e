// The pipeline cache: one compute pipeline per kernel key, built on first use (or ahead of time with warmup()).
// Shapes travel as uniforms, so one pipeline serves every shape of its key.
import { f16Unsupported, gpu, packsHalf } from '../core/device.js';
import { flags } from '../core/flags.js';
import { declareLayout, declareWrites } from '../core/executor.js';

const cache = new Map<string, GPUComputePipeline>();
const building = new Map<string, Promise<GPUComputePipeline>>();
let compiles = 0;
let compileMs = 0;

function moduleFor(key: string, source: string): GPUShaderModule {
  const { device } = gpu();
  if (flags.printWgsl) console.log(`// ---- kernel ${key}\n${source}`);
  const module = device.createShaderModule({ code: source, label: key });
  void module.getCompilationInfo?.().then((info) => { // a report only: pipeline creation raises its own errors
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      console.error(`tessera: WGSL of kernel ${key} failed to compile:\n` +
        errors.map((m) => `  line ${m.lineNum}: ${m.message}`).join('\n') + `\n${source}`);
    }
  });
  return module;
}

// Kernels that declare `enable f16;`: they cannot run where the adapter lacks 'shader-f16' (ops check that first,
// naming themselves; this is the safety net for kernels recorded outside an op).
const needsF16 = new Set<string>();
const usesF16 = (source: string): boolean => /^\s*enable f16;/m.test(source);

/** Remembers whether kernel `key` needs f16 and raises, naming `what`, where the adapter lacks it. */
function checkF16(key: string, source: string, what: string): void {
  if (!usesF16(source)) return;
  needsF16.add(key);
  if (!gpu().hasF16) throw new Error(f16Unsupported(what));
}

/** The binding indices a kernel writes: its read_write storage buffers. */
const writtenBindings = (source: string): number[] =>
  [...source.matchAll(/@binding\((\d+)\)\s*var<storage,\s*read_write>/g)].map((m) => Number(m[1]));

/** A kernel key with the f16 storage in force (a kernel built for packed f16 differs from the native one). */
const storageKey = (key: string): string => (packsHalf() ? `${key}|f16x2` : key);

/**
 * The bind group layout of a kernel, read from its declarations: each storage buffer as declared (read_write or
 * read-only), the uniform block with a dynamic offset, since the executor packs the uniforms of a batch into one
 * buffer. With the offset out of the bind group, a bind group depends only on the storage buffers and can be reused.
 */
function layoutFor(code: string): GPUBindGroupLayout {
  const entries: GPUBindGroupLayoutEntry[] = [...code.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<\s*(uniform|storage)\s*(?:,\s*(read_write|read))?\s*>/g)]
    .map((m) => ({
      binding: Number(m[1]),
      visibility: 0x4, // GPUShaderStage.COMPUTE
      buffer: m[2] === 'uniform' ? { type: 'uniform', hasDynamicOffset: true } : { type: m[3] === 'read_write' ? 'storage' : 'read-only-storage' },
    }));
  return gpu().device.createBindGroupLayout({ entries });
}

/** The pipeline descriptor of a kernel, with its explicit layout. */
function describePipeline(key: string, code: string): { descriptor: GPUComputePipelineDescriptor; group: GPUBindGroupLayout } {
  const group = layoutFor(code);
  const layout = gpu().device.createPipelineLayout({ bindGroupLayouts: [group] });
  return { descriptor: { layout, compute: { module: moduleFor(key, code), entryPoint: 'main' }, label: key }, group };
}

/** Tells the executor what it needs of a new pipeline: the bindings it writes and its bind group layout. */
function declare(p: GPUComputePipeline, key: string, code: string, group: GPUBindGroupLayout): void {
  declareWrites(p, writtenBindings(code));
  declareLayout(p, group, key);
}

/** The pipeline for `key`, compiling `source()` the first time. */
export function pipeline(kernelKey: string, source: () => string): GPUComputePipeline {
  const key = storageKey(kernelKey);
  let p = cache.get(key);
  if (p) {
    if (!gpu().hasF16 && needsF16.has(key)) throw new Error(f16Unsupported(`kernel ${key}`));
    return p;
  }
  const t0 = performance.now();
  const code = source();
  checkF16(key, code, `kernel ${key}`);
  const { descriptor, group } = describePipeline(key, code);
  p = gpu().device.createComputePipeline(descriptor);
  declare(p, key, code, group);
  compileMs += performance.now() - t0;
  compiles++;
  cache.set(key, p);
  return p;
}

/** Compiles pipelines ahead of use, in parallel where the driver allows; resolves when all are ready. */
export async function warmup(kernels: { key: string; source: () => string }[]): Promise<void> {
  const { device } = gpu();
  await Promise.all(kernels.map(({ key: kernelKey, source }) => {
    const key = storageKey(kernelKey);
    if (cache.has(key)) return cache.get(key);
    let b = building.get(key);
    if (!b) {
      const code = source();
      checkF16(key, code, `warmup of kernel ${key}`);
      const { descriptor, group } = describePipeline(key, code);
      b = device.createComputePipelineAsync(descriptor)
        .then((p) => { declare(p, key, code, group); cache.set(key, p); building.delete(key); compiles++; return p; });
      building.set(key, b);
    }
    return b;
  }));
}

export const pipelineStats = () => ({ pipelines: cache.size, compiles, compileMs });
export function resetPipelines(): void { cache.clear(); building.clear(); }
