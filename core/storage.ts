// Reference-counted storage shared by a tensor and all its views: a typed array on the cpu, a pooled GPUBuffer on
// webgpu. `version` counts in-place writes, so autograd can refuse a backward through a tensor changed after it
// was saved.
import { cpuArray, gpuByteSize, type DType, type HostArray } from './dtype.js';
import { gpu } from './device.js';
import { acquireBuffer, releaseBuffer } from './pool.js';

export type DeviceName = 'cpu' | 'webgpu';

/** Raises for a device name other than 'cpu' and 'webgpu'. */
export function checkDevice(op: string, device: unknown): DeviceName {
  if (device !== 'cpu' && device !== 'webgpu') {
    throw new Error(`${op}: unknown device '${String(device)}' (valid: 'cpu', 'webgpu')`);
  }
  return device;
}

/**
 * One queue submit, as far as correctness goes: its own validation error once checked, and until then the earlier
 * submits whose results it read. A submit that fails validation runs none of its commands, so every storage it
 * was to write holds stale bytes; the executor settles `error` (own, or inherited from a dep) and readback raises it.
 */
export interface Submit { error: string | null; deps: Set<Submit> | null }

/** The storage that currently owns each pooled GPU buffer (the executor maps bound buffers back to storages). */
const owners = new WeakMap<GPUBuffer, Storage>();
export const storageOf = (buffer: GPUBuffer): Storage | undefined => owners.get(buffer);

let liveBytes = 0;
let liveStorages = 0;

export class Storage {
  refs = 1;
  version = 0;
  /** the submit that last wrote this storage on webgpu (null: written from the host, or never) */
  producer: Submit | null = null;
  readonly cpu: HostArray | null;
  readonly buffer: GPUBuffer | null;

  private constructor(
    readonly device: DeviceName,
    readonly dtype: DType,
    readonly length: number,
    readonly byteSize: number,
    cpu: HostArray | null,
    buffer: GPUBuffer | null,
  ) {
    this.cpu = cpu;
    this.buffer = buffer;
    liveBytes += byteSize;
    liveStorages++;
  }

  static alloc(device: DeviceName, dtype: DType, length: number): Storage {
    if (device === 'cpu') {
      const arr = cpuArray(dtype, length);
      return new Storage('cpu', dtype, length, arr.byteLength, arr, null);
    }
    const bytes = Math.ceil((length * gpuByteSize(dtype)) / 4) * 4;
    const limit = gpu().info.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new Error(`webgpu: a ${dtype} tensor of ${length} elements needs ${bytes} bytes, more than this ` +
        `adapter's maxStorageBufferBindingSize (${limit}); split it or use the cpu backend`);
    }
    const s = new Storage('webgpu', dtype, length, bytes, null, acquireBuffer(Math.max(bytes, 4)));
    owners.set(s.buffer!, s);
    return s;
  }

  /** Wraps host data; on webgpu it is uploaded into a fresh buffer. */
  static fromHost(device: DeviceName, dtype: DType, data: HostArray | Uint16Array): Storage {
    if (device === 'cpu') {
      const arr = cpuArray(dtype, data.length);
      arr.set(data as ArrayLike<number>);
      return new Storage('cpu', dtype, data.length, arr.byteLength, arr, null);
    }
    const s = Storage.alloc('webgpu', dtype, data.length);
    if (data.byteLength > 0) {
      const padded = data.byteLength % 4 === 0 ? data : (() => {
        const p = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
        p.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return p;
      })();
      gpu().device.queue.writeBuffer(s.buffer!, 0, padded.buffer, padded.byteOffset, padded.byteLength);
    }
    return s;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs > 0) return;
    liveBytes -= this.byteSize;
    liveStorages--;
    if (this.buffer) releaseBuffer(this.buffer);
  }
}

export const storageStats = () => ({ liveBytes, liveStorages });
