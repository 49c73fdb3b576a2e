// The fused in-place update: one elementwise pass that rewrites a parameter and its optimiser state from its
// gradient. An update is a WGSL body and its JS twin side by side (the cpu reference); the optimisers' updates are
// defined in nn/optim/fused.ts, and this runner applies one on whichever backend holds the parameter.
import type { Tensor } from '../core/tensor.js';
import { castScalar } from '../core/dtype.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { gpu } from '../core/device.js';
import type { Storage } from '../core/storage.js';
import { MAX_HYPER, OPTIM_WG, optimKernel, optimMultiKernel, optimMultiSource, optimSource } from '../shaders/optim.js';

export interface UpdateSpec {
  name: string;
  /** how many state tensors (shaped like the parameter) the update reads and writes */
  stateSlots: number;
  /** WGSL statements over p, g, s0.. and hyperparameters h0..; assign the new p and s* */
  wgsl: string;
  /** the same update for one element: returns the new [p, ...state] */
  cpu(p: number, g: number, s: number[], h: readonly number[]): number[];
}

/**
 * Applies `spec` to `param` in place with gradient `grad` and the state tensors (all contiguous, same device,
 * same element count). f32 on webgpu; any float dtype on the cpu, where each value is rounded to its dtype.
 */
export function runUpdate(
  spec: UpdateSpec,
  param: Tensor,
  grad: Tensor,
  state: Tensor[],
  hyper: readonly number[],
): void {
  const all = [param, grad, ...state];
  if (state.length !== spec.stateSlots)
    throw new Error(`internal: ${spec.name} takes ${spec.stateSlots} state tensors`);
  if (hyper.length > MAX_HYPER) throw new Error(`internal: ${spec.name} has more than ${MAX_HYPER} hyperparameters`);
  for (const t of all) {
    t.assertAlive(spec.name);
    if (t.numel !== param.numel || !t.isContiguous() || t.device !== param.device) {
      throw new Error(
        `${spec.name}: parameter, gradient and state must be contiguous, on one device and of one size; ` +
          `got ${all.map((x) => `[${x.shape}] on ${x.device}`).join(', ')}`,
      );
    }
  }
  if (param.numel === 0) return;
  if (param.device === 'cpu') runCpu(spec, param, grad, state, hyper);
  else if (queued) {
    for (const t of [param, grad, ...state])
      if (t.dtype !== 'f32') throw new Error(`${spec.name}: the fused webgpu update needs f32 tensors, got ${t.dtype}`);
    // the storages are held until the dispatch is recorded: the caller may free a gradient copy right away
    queued.push({ spec, param, grad, state, hyper: [...hyper], held: all.map((t) => t.storage.retain()) });
  } else runGpu(spec, param, grad, state, hyper);
  for (const t of [param, ...state]) t.storage.version++;
}

interface Queued {
  spec: UpdateSpec;
  param: Tensor;
  grad: Tensor;
  state: Tensor[];
  hyper: number[];
  held: Storage[];
}
let queued: Queued[] | null = null;

/**
 * Runs `fn` (an optimiser's step) with its webgpu updates gathered, then records them several parameters to a
 * dispatch: consecutive updates of one kind with the same hyperparameters share one, as many as the adapter's
 * storage-buffer limit allows (up to 8).
 */
export function batchedUpdates(fn: () => void): void {
  if (queued) return fn();
  queued = [];
  try {
    fn();
  } finally {
    const items = queued;
    queued = null;
    recordQueued(items);
  }
}

const sameHyper = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, j) => v === b[j]);

function recordQueued(items: Queued[]): void {
  let chunk: Queued[] = [];
  const record = () => {
    if (chunk.length === 1) {
      const [{ spec, param, grad, state, hyper }] = chunk;
      runGpu(spec, param, grad, state, hyper);
    } else if (chunk.length > 1) runGpuMulti(chunk);
    for (const item of chunk) item.held.forEach((st) => st.release());
    chunk = [];
  };
  for (const item of items) {
    const first = chunk[0];
    const fits =
      first && first.spec === item.spec && sameHyper(first.hyper, item.hyper) && chunk.length < perDispatch(item.spec);
    if (!fits) record();
    chunk.push(item);
  }
  record();
}

/** Parameters one dispatch can update: every parameter binds itself, its gradient and its state tensors. */
const perDispatch = (spec: UpdateSpec): number =>
  Math.max(1, Math.min(8, Math.floor(gpu().info.limits.maxStorageBuffersPerShaderStage / (2 + spec.stateSlots))));

function runGpuMulti(chunk: Queued[]): void {
  const { spec } = chunk[0];
  const count = chunk.length;
  const kernel = optimMultiKernel(spec.stateSlots, count);
  const m = kernel.meta();
  const buffers: Record<string, GPUBuffer> = {};
  let end = 0;
  chunk.forEach(({ param, grad, state }, k) => {
    end += param.numel;
    m.u32('ends', end, k).u32('paramOffset', param.offset, k).u32('gradOffset', grad.offset, k);
    buffers[`P${k}`] = param.storage.buffer!;
    buffers[`G${k}`] = grad.storage.buffer!;
    state.forEach((st, j) => {
      m.u32(`state${j}Offset`, st.offset, k);
      buffers[`S${k}_${j}`] = st.storage.buffer!;
    });
  });
  chunk[0].hyper.forEach((h, j) => m.f32('hyper', h, j));
  const pipe = pipeline(`optim|${spec.name}|x${count}`, () => optimMultiSource(spec.wgsl, spec.stateSlots, count));
  kernel.dispatch(pipe, buffers, m, grid(Math.ceil(end / OPTIM_WG)));
}

function runCpu(spec: UpdateSpec, param: Tensor, grad: Tensor, state: Tensor[], hyper: readonly number[]): void {
  const P = param.storage.cpu!;
  const G = grad.storage.cpu!;
  const S = state.map((s) => s.storage.cpu!);
  const s = new Array<number>(state.length);
  for (let i = 0; i < param.numel; i++) {
    for (let k = 0; k < state.length; k++) s[k] = S[k][state[k].offset + i];
    const [p, ...next] = spec.cpu(P[param.offset + i], G[grad.offset + i], s, hyper);
    P[param.offset + i] = castScalar(param.dtype, p);
    for (let k = 0; k < state.length; k++) S[k][state[k].offset + i] = castScalar(state[k].dtype, next[k]);
  }
}

function runGpu(spec: UpdateSpec, param: Tensor, grad: Tensor, state: Tensor[], hyper: readonly number[]): void {
  for (const t of [param, grad, ...state]) {
    if (t.dtype !== 'f32') throw new Error(`${spec.name}: the fused webgpu update needs f32 tensors, got ${t.dtype}`);
  }
  const kernel = optimKernel(spec.stateSlots);
  const m = kernel.meta().u32('n', param.numel).u32('paramOffset', param.offset).u32('gradOffset', grad.offset);
  state.forEach((s, k) => m.u32(`state${k}Offset`, s.offset));
  hyper.forEach((h, j) => m.f32('hyper', h, j));
  const pipe = pipeline(`optim|${spec.name}`, () => optimSource(spec.wgsl, spec.stateSlots));
  const buffers = {
    P: param.storage.buffer!,
    G: grad.storage.buffer!,
    ...Object.fromEntries(state.map((s, k) => [`S${k}`, s.storage.buffer!])),
  };
  kernel.dispatch(pipe, buffers, m, grid(Math.ceil(param.numel / OPTIM_WG)));
}
