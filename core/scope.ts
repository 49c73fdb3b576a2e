// Memory scopes. Every tensor is registered in the innermost open `tidy` scope; when the scope's function returns,
// every tensor it created is disposed except those it returns (which move to the enclosing scope) and those passed
// to `keep`. Garbage collection is never the freeing path.
import type { Tensor } from './tensor.js';
import { storageStats } from './storage.js';
import { poolStats } from './pool.js';

const scopes: Set<Tensor>[] = [];
let liveTensors = 0;

export function track(t: Tensor): void {
  liveTensors++;
  scopes[scopes.length - 1]?.add(t);
}

export function untrackDisposed(t: Tensor): void {
  liveTensors--;
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].delete(t)) return;
}

/** Whether `t` was made inside the innermost open scope (and not kept): that scope alone would free it. */
export function inInnermostScope(t: Tensor): boolean {
  return scopes[scopes.length - 1]?.has(t) ?? false;
}

/** Removes `t` from every open scope, so no `tidy` disposes it; it is then the caller's to dispose. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

type Tensors = Tensor | Tensor[] | { [k: string]: Tensors } | void | number | string | boolean | null | undefined;

function collect(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(value)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, out, isTensor);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, isTensor);
  }
}

let isTensorFn: (v: unknown) => v is Tensor = (_v): _v is Tensor => false;
export function setTensorCheck(f: (v: unknown) => v is Tensor): void { isTensorFn = f; }

/**
 * Runs `fn` synchronously and disposes every tensor it created, except the tensors in its result (a tensor, or
 * arrays / plain objects of them) and those passed to `keep`. Async functions are refused: the scope would close
 * before their tensors exist.
 */
export function tidy<T extends Tensors>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    for (const t of scope) t.dispose(); // a failed step frees what it made, as a returning one does
    throw e;
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) throw new Error('tidy: the function returned a Promise; tidy scopes are synchronous');
  const survivors = new Set<Tensor>();
  collect(result, survivors, isTensorFn);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

export interface MemoryInfo {
  /** tensors created and not yet disposed */
  tensors: number;
  /** storages still referenced (views share one) */
  storages: number;
  /** bytes held by live storages, cpu and webgpu */
  bytes: number;
  /** bytes of GPU buffers waiting in the pool for re-use */
  pooledBytes: number;
  /** bytes of GPU buffers allocated from the driver, pooled or in use */
  gpuAllocatedBytes: number;
}

export function memory(): MemoryInfo {
  const s = storageStats();
  const p = poolStats();
  return { tensors: liveTensors, storages: s.liveStorages, bytes: s.liveBytes, pooledBytes: p.pooledBytes, gpuAllocatedBytes: p.allocatedBytes };
}
