// tessera: the public API. `import { tensor, matmul, nn, optim } from 'tessera'`.
export * from './core/index.js';
export * from './ops/index.js';
export * as nn from './nn/index.js';
export * as optim from './nn/optim/index.js';
import { initGpu, shutdownGpu, type GpuInfo } from './core/device.js';
import { flush, resetExecutor } from './core/executor.js';
import { resetPool, trim } from './core/pool.js';
import { resetPipelines } from './shaders/pipelines.js';
export { warmup, pipelineStats } from './shaders/pipelines.js';

/** Initialises WebGPU and returns what the adapter is. */
export async function ready(): Promise<GpuInfo> {
  return (await initGpu()).info;
}

/** Submits pending work and releases the GPU so a Node process can exit. */
export function shutdown(): void {
  try { flush(); } catch { /* device may already be gone */ }
  trim();
  resetPool();
  resetExecutor();
  resetPipelines();
  shutdownGpu();
}
