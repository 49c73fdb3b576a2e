// Element types. Every dtype has a host array type, a byte size, and (except f64) a WGSL storage type.
// bool is stored as u32 on the GPU (WGSL bool is not host-shareable) and as Uint8Array on the cpu.
// f16 and bf16 take 16 bits on the GPU (f16 native where the adapter has `shader-f16`, else packed two per u32, as
// bf16 always is: see shaders/kernel.ts); the cpu keeps them in a Float32Array whose values are rounded to their
// precision after every op, so both backends see the same numbers.
import { f16round } from '@petamoriken/float16';
import { bf16round, floatToBf16, floatToHalf } from './half.js';

export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'u32' | 'bool' | 'f64';
export const DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'i32', 'u32', 'bool', 'f64'];

/** Raises for a dtype string tessera does not know (torch spellings such as 'float32' included). */
export function checkDtype(op: string, dtype: unknown): DType {
  if (!DTYPES.includes(dtype as DType)) {
    throw new Error(`${op}: unknown dtype '${String(dtype)}' (valid: ${DTYPES.join(', ')})`);
  }
  return dtype as DType;
}

export type HostArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

export const isFloat = (d: DType): boolean => d === 'f32' || d === 'f16' || d === 'bf16' || d === 'f64';
/** The 16-bit floats (stored in halves of 32-bit words on the GPU, computed in f32). */
export const isHalf = (d: DType): boolean => d === 'f16' || d === 'bf16';
export const isInt = (d: DType): boolean => d === 'i32' || d === 'u32';

/** Bytes per element on the device that stores it (bool is a u32 on the GPU). */
export function gpuByteSize(d: DType): number {
  if (isHalf(d)) return 2;
  if (d === 'f64') throw new Error('dtype f64 exists on the cpu backend only; use f32 on webgpu');
  return 4;
}

export function cpuArray(d: DType, n: number): HostArray {
  switch (d) {
    case 'f64': return new Float64Array(n);
    case 'f32': case 'f16': case 'bf16': return new Float32Array(n);
    case 'i32': return new Int32Array(n);
    case 'u32': return new Uint32Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

/** The host array a webgpu buffer of dtype `d` is uploaded from: 16-bit floats as their bits, bool as u32. */
export function uploadArray(d: DType, values: HostArray): HostArray | Uint16Array {
  if (d === 'f16') return floatToHalf(values);
  if (d === 'bf16') return floatToBf16(values);
  if (d === 'bool') return Uint32Array.from(values);
  return values;
}

/** Rounds a JS number to what a `d` element can hold (the cpu backend stores through this). */
export function castScalar(d: DType, v: number): number {
  return CASTS[d](v);
}

/** The rounding function of each dtype, for loops that cast many values to one dtype. */
const CASTS: Record<DType, (v: number) => number> = {
  f64: (v) => v,
  f32: Math.fround,
  f16: f16round,
  bf16: bf16round,
  i32: (v) => (Number.isFinite(v) ? Math.trunc(v) | 0 : 0),
  u32: (v) => (Number.isFinite(v) ? Math.trunc(v) >>> 0 : 0),
  bool: (v) => (v !== 0 ? 1 : 0), // NaN is true, as in torch
};
export const castFn = (d: DType): ((v: number) => number) => CASTS[d];

/**
 * An f32 converted to an integer dtype as WGSL converts it: toward zero, saturating at the largest values an f32
 * can hold in that type (2^31 - 128 and 2^32 - 256), NaN to 0. castScalar wraps instead, as integer arithmetic does.
 */
export function floatToInt(d: 'i32' | 'u32', v: number): number {
  if (Number.isNaN(v)) return 0;
  const [lo, hi] = d === 'i32' ? [-2147483648, 2147483520] : [0, 4294967040];
  return Math.trunc(Math.min(Math.max(v, lo), hi));
}

/** PyTorch-style promotion for two tensor operands: bool < u32 < i32 < f16, bf16 < f32 < f64; f16 with bf16 is f32. */
const RANK: Record<DType, number> = { bool: 0, u32: 1, i32: 2, f16: 3, bf16: 3, f32: 4, f64: 5 };
export function promote(a: DType, b: DType): DType {
  if (RANK[a] === RANK[b] && a !== b) return 'f32';
  return RANK[a] >= RANK[b] ? a : b;
}

/** Promotion of a tensor with a JS number: the tensor's dtype wins unless the number needs a float. */
export function promoteScalar(a: DType, v: number): DType {
  if (!isFloat(a) && !Number.isInteger(v)) return 'f32';
  if (a === 'bool' && v !== 0 && v !== 1) return 'i32';
  return a;
}
