// The pipeline cache: one compute pipeline per kernel key, built on first use (or ahead of time with warmup()).
// Shapes travel as uniforms, so one pipeline serves every shape of its key.
import { f16Unsupported, gpu, packsHalf } from '../core/device.js';
import { flags } from '../core/flags.js';
import { declareWrites } from '../core/executor.js';

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
  p = gpu().device.createComputePipeline({ layout: 'auto', compute: { module: moduleFor(key, code), entryPoint: 'main' }, label: key });
  declareWrites(p, writtenBindings(code));
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
      b = device.createComputePipelineAsync({ layout: 'auto', compute: { module: moduleFor(key, code), entryPoint: 'main' }, label: key })
        .then((p) => { declareWrites(p, writtenBindings(code)); cache.set(key, p); building.delete(key); compiles++; return p; });
      building.set(key, b);
    }
    return b;
  }));
}

export const pipelineStats = () => ({ pipelines: cache.size, compiles, compileMs });
export function resetPipelines(): void { cache.clear(); building.clear(); }
