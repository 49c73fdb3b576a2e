// IEEE half-precision and bfloat16 bits <-> numbers, for uploads and readbacks (the GPU stores both as 16-bit halves).
// bf16 is the upper half of an f32: same exponent range, 8 significant bits.
import { f16round } from '@petamoriken/float16';

/** Converts IEEE half bits to floats. */
export function halfToFloat(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** Converts floats to IEEE half bits (round to nearest even, via f16round). */
export function floatToHalf(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = f16round(values[i]);
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
    else if (exp > 112) out[i] = sign | ((exp - 112) << 10) | (mant >>> 13);
    else if (exp >= 103) out[i] = sign | ((mant | 0x800000) >>> (126 - exp));
    else out[i] = sign;
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bf16 bits of v: the upper half of its f32, rounded to nearest even (NaN stays NaN). */
function bf16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if (Number.isNaN(v)) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Rounds a number to the nearest bfloat16 (ties to even), as the GPU stores it. */
export function bf16round(v: number): number {
  u32[0] = bf16Bits(v) << 16;
  return f32[0];
}

/** Converts floats to bfloat16 bits. */
export function floatToBf16(values: ArrayLike<number>): Uint16Array {
  return Uint16Array.from({ length: values.length }, (_, i) => bf16Bits(values[i]));
}

/** Converts bfloat16 bits to floats. */
export function bf16ToFloat(bits: Uint16Array): Float32Array {
  return new Float32Array(Uint32Array.from(bits, (b) => b << 16).buffer);
}
