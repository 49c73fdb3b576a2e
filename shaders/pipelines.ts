// The pipeline cache: one compute pipeline per kernel key, built on first use (or ahead of time with warmup()).
// Shapes travel as uniforms, so one pipeline serves every shape of its key.
import { gpu } from '../core/device.js';
import { flags } from '../core/flags.js';

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

/** The pipeline for `key`, compiling `source()` the first time. */
export function pipeline(key: string, source: () => string): GPUComputePipeline {
  let p = cache.get(key);
  if (p) return p;
  const t0 = performance.now();
  p = gpu().device.createComputePipeline({ layout: 'auto', compute: { module: moduleFor(key, source()), entryPoint: 'main' }, label: key });
  compileMs += performance.now() - t0;
  compiles++;
  cache.set(key, p);
  return p;
}

/** Compiles pipelines ahead of use, in parallel where the driver allows; resolves when all are ready. */
export async function warmup(kernels: { key: string; source: () => string }[]): Promise<void> {
  const { device } = gpu();
  await Promise.all(kernels.map(({ key, source }) => {
    if (cache.has(key)) return cache.get(key);
    let b = building.get(key);
    if (!b) {
      b = device.createComputePipelineAsync({ layout: 'auto', compute: { module: moduleFor(key, source()), entryPoint: 'main' }, label: key })
        .then((p) => { cache.set(key, p); building.delete(key); compiles++; return p; });
      building.set(key, b);
    }
    return b;
  }));
}

export const pipelineStats = () => ({ pipelines: cache.size, compiles, compileMs });
export function resetPipelines(): void { cache.clear(); building.clear(); }
