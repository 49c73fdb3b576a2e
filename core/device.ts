// The WebGPU device: Dawn's node bindings in Node, navigator.gpu in a browser.
// Two Dawn-in-Node traps are handled here:
//  - the GPU object returned by Dawn's create() must stay referenced for the device's whole life, or the process
//    crashes natively after a few submits: we keep it in module state until shutdown();
//  - while a mapAsync is pending, dawn.node polls its event queue through setImmediate, which spins a core that
//    lavapipe's worker threads need: `waitGpu` throttles that polling to timers while it waits.

import { flags } from './flags.js';

export interface GpuInfo {
  adapter: string;
  vendor: string;
  architecture: string;
  driver: string;
  features: string[];
  limits: Record<string, number>;
  /** true when the adapter is a CPU-emulated one (lavapipe, SwiftShader). */
  software: boolean;
}

export interface GpuContext {
  device: GPUDevice;
  info: GpuInfo;
  hasF16: boolean;
  hasSubgroups: boolean;
  hasTimestamps: boolean;
  /** the subgroup size when the adapter has exactly one (kernels specialised to it need this), else null */
  subgroupSize: number | null;
  /** the smallest subgroup the adapter may use (WebGPU guarantees at least 4); aligned blocks of this many lanes share a subgroup */
  subgroupMinSize: number;
}

let keepAlive: unknown = null; // Dawn's GPU object; see the note above.
let context: GpuContext | null = null;
let pending: Promise<GpuContext> | null = null;
let lostMessage: string | null = null;

const WANTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

const NO_ADAPTER_FIX =
  'No WebGPU adapter was found. On a machine without a GPU, tessera runs on Mesa\'s lavapipe software Vulkan ' +
  'driver, which must be Mesa >= 25 (Debian bookworm: `apt-get install -t bookworm-backports mesa-vulkan-drivers ' +
  'libvulkan1`, which `npm run setup` does as root), and XDG_RUNTIME_DIR must name a writable directory. ' +
  'Or use the cpu backend: setDefaultDevice(\'cpu\').';

const NO_BROWSER_WEBGPU =
  'This browser has no WebGPU (navigator.gpu is missing): use Chrome/Edge 113+ or another browser with WebGPU ' +
  'enabled, served over https or localhost. Or use the cpu backend: setDefaultDevice(\'cpu\').';

/** Node's `process` when running under Node, else undefined (a browser). */
const nodeProcess = () =>
  (globalThis as { process?: { env: Record<string, string | undefined>; getuid?: () => number; versions?: { node?: string } } })
    .process;

// Module names held in variables, so that bundlers building 'tessera' for a browser leave these Node-only imports
// alone (they are reached only under Node, after navigator.gpu was found missing).
const DAWN = 'webgpu';
const NODE_FS = 'node:fs';

async function acquireGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) { keepAlive = nav.gpu; return nav.gpu; } // a browser, or a Dawn GPU the bench shares with its peers
  const proc = nodeProcess();
  if (!proc?.versions?.node) throw new Error(NO_BROWSER_WEBGPU);
  if (!proc.env.XDG_RUNTIME_DIR) {
    const dir = `/tmp/tessera-xdg-${proc.getuid?.() ?? 0}`;
    const fs = (await import(/* @vite-ignore */ NODE_FS)) as typeof import('node:fs');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    proc.env.XDG_RUNTIME_DIR = dir;
  }
  const dawn = (await import(/* @vite-ignore */ DAWN)) as typeof import('webgpu');
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  keepAlive = gpu;
  return gpu as unknown as GPU;
}

async function init(): Promise<GpuContext> {
  const gpu = await acquireGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error(NO_ADAPTER_FIX);
  const features = WANTED_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const limits: Record<string, number> = {};
  for (const name of [
    'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension',
    'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage', 'maxUniformBufferBindingSize',
  ]) {
    limits[name] = (adapter.limits as unknown as Record<string, number>)[name];
  }
  const device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits: limits });
  // `lost` resolves once and never rejects; shutdown() destroys the device on purpose, so only a loss of the
  // device in use is an error for later ops.
  void device.lost.then((l) => {
    if (context?.device === device) lostMessage = `WebGPU device lost (${l.reason}): ${l.message}`;
  });
  device.addEventListener?.('uncapturederror', (e) => {
    console.error(`tessera: uncaptured WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`);
  });
  const ai = adapter.info;
  const name = `${ai?.description || ai?.device || ai?.vendor || 'unknown adapter'}`;
  const info: GpuInfo = {
    adapter: name,
    vendor: ai?.vendor ?? '',
    architecture: ai?.architecture ?? '',
    driver: ai?.description ?? '',
    features: [...adapter.features],
    limits,
    software: /llvmpipe|lavapipe|swiftshader/i.test(`${name} ${ai?.vendor} ${ai?.architecture}`),
  };
  return {
    device, info,
    hasF16: features.includes('shader-f16' as GPUFeatureName),
    hasSubgroups: features.includes('subgroups' as GPUFeatureName),
    hasTimestamps: features.includes('timestamp-query' as GPUFeatureName),
    subgroupSize: fixedSubgroupSize(ai),
    subgroupMinSize: (ai as { subgroupMinSize?: number } | undefined)?.subgroupMinSize || 4,
  };
}

function fixedSubgroupSize(ai: GPUAdapterInfo | undefined): number | null {
  const { subgroupMinSize: lo, subgroupMaxSize: hi } = (ai ?? {}) as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return lo && lo === hi ? lo : null;
}

/** Initialises WebGPU (once). Every webgpu op needs this to have resolved; `ready()` is its public name. */
export async function initGpu(): Promise<GpuContext> {
  if (context) return context;
  pending ??= init().then((c) => { lostMessage = null; return (context = c); }).catch((e) => { pending = null; throw e; });
  return pending;
}

/** The initialised context, or a clear error saying to await `ready()` first. */
export function gpu(): GpuContext {
  if (lostMessage) throw new Error(lostMessage);
  if (!context) {
    throw new Error('webgpu backend used before it was initialised: `await ready()` once at start-up ' +
      '(or use the cpu backend)');
  }
  return context;
}

export const gpuReady = (): boolean => context !== null;

/**
 * Makes the running adapter look as if it lacked 'shader-f16' (or restores what it has): tests use it to check the
 * path of adapters without the feature, such as NVIDIA GPUs through Dawn.
 */
export function simulateMissingF16(missing: boolean): void {
  const c = gpu();
  c.hasF16 = !missing && c.info.features.includes('shader-f16');
}

/** Forces f16 storage packed two per u32 (the path of adapters without 'shader-f16'), or restores the default. */
export function setPackedF16(on: boolean): void { forcePackedF16 = on; }
let forcePackedF16 = flags.packF16;

/** True when f16 tensors are stored packed two per u32 and computed in f32 (no 'shader-f16', or forced). */
export const packsHalf = (): boolean => forcePackedF16 || !gpu().hasF16;

/**
 * Makes the running adapter look as if it lacked 'subgroups' (or restores what it has): tests use it to run the
 * shared-memory fallbacks of the kernels that use subgroup operations where they can.
 */
export function simulateMissingSubgroups(missing: boolean): void {
  const c = gpu();
  c.hasSubgroups = !missing && c.info.features.includes('subgroups');
}

/** The sentence every f16 kernel raises on an adapter without 'shader-f16'. */
export function f16Unsupported(op: string): string {
  return `${op}: f16 tensors cannot be computed on this webgpu adapter (${gpu().info.adapter}): it lacks the ` +
    "'shader-f16' feature. Keep webgpu tensors in f32 (an f16 tensor can still be read back or moved: " +
    "(await x.to('cpu')).float()), or use the cpu backend";
}

/** The sentence an op raises for a 16-bit float tensor its kernels cannot read (see OpSpec.packedHalf). */
export function packedUnsupported(op: string, dtype: string): string {
  const why = dtype === 'bf16' ? 'as bf16 always is' : `this adapter (${gpu().info.adapter}) lacks the 'shader-f16' feature`;
  return `${op}: ${dtype} tensors are stored packed two per 32-bit word on webgpu (${why}), and ${op} has no ` +
    "kernel for packed storage yet. Cast to f32 first (x.float()), or use the cpu backend";
}

/** Releases the device so a Node process can exit. */
export function shutdownGpu(): void {
  const c = context;
  context = null;
  lostMessage = null;
  c?.device.destroy();
  pending = null;
  keepAlive = null;
}

/**
 * Awaits a promise that Dawn resolves (mapAsync, onSubmittedWorkDone) without letting dawn.node spin a core:
 * while it is pending, setImmediate callbacks are deferred to short timers.
 */
export async function waitGpu<T>(p: Promise<T>): Promise<T> {
  if (!throttleEnabled || typeof setImmediate === 'undefined' || keepAlive === null) return p;
  throttle++;
  if (throttle === 1) globalThis.setImmediate = throttledImmediate as unknown as typeof setImmediate;
  try {
    return await p;
  } finally {
    throttle--;
    if (throttle === 0) globalThis.setImmediate = realSetImmediate;
  }
}
let throttle = 0;
let throttleEnabled = true;
/** Turns the throttling off or on (the bench measures both; see BENCHMARKS.md). */
export function setWaitThrottle(on: boolean): void { throttleEnabled = on; }
const realSetImmediate = globalThis.setImmediate;
const throttledImmediate = (fn: (...a: unknown[]) => void, ...args: unknown[]) => setTimeout(fn, 0, ...args);
