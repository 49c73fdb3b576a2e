// Reading tensors back to the host. `readTensors` reads several tensors with one submit and one wait (a round trip
// to the GPU costs far more than the bytes), which is what Tensor.data() uses for one.
import type { Tensor } from './tensor.js';
import { assertValidResult, readBuffers } from './executor.js';
import { hooks } from './hooks.js';
import { bf16ToFloat, halfToFloat } from './half.js';
import { gpuByteSize, type HostArray } from './dtype.js';

/** The elements of each tensor in logical (row-major) order, as typed arrays of their dtype (bool as 0/1 bytes). */
export async function readTensors(tensors: readonly Tensor[]): Promise<HostArray[]> {
  for (const t of tensors) t.assertAlive('data');
  // Non-contiguous views are copied into dense temporaries first (on the device that holds them).
  const dense = tensors.map((t) => (t.isContiguous() ? t : hooks.contiguous(t)));
  try {
    const results: HostArray[] = new Array(tensors.length);
    const gpuAt: number[] = [];
    dense.forEach((t, i) => {
      if (t.device === 'cpu') results[i] = t.storage.cpu!.slice(t.offset, t.offset + t.numel) as HostArray;
      else gpuAt.push(i);
    });
    const raws = gpuAt.length === 0 ? [] : await readBuffers(gpuAt.map((i) => {
      const bytesPer = gpuByteSize(dense[i].dtype);
      return { buffer: dense[i].storage.buffer!, offset: dense[i].offset * bytesPer, bytes: dense[i].numel * bytesPer };
    }));
    for (const i of gpuAt) assertValidResult('data', dense[i].storage.producer);
    gpuAt.forEach((i, k) => (results[i] = decode(raws[k], dense[i].dtype)));
    return results;
  } finally {
    dense.forEach((t, i) => t !== tensors[i] && t.dispose());
  }
}

function decode(raw: ArrayBuffer, dtype: Tensor['dtype']): HostArray {
  switch (dtype) {
    case 'f32': return new Float32Array(raw);
    case 'i32': return new Int32Array(raw);
    case 'u32': return new Uint32Array(raw);
    case 'bool': return Uint8Array.from(new Uint32Array(raw), (v) => (v ? 1 : 0));
    case 'f16': return halfToFloat(new Uint16Array(raw));
    case 'bf16': return bf16ToFloat(new Uint16Array(raw));
    default: throw new Error(`data: unexpected dtype ${dtype} on webgpu`);
  }
}
