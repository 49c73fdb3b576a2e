// IEEE half-precision bits <-> numbers, for f16 uploads and readbacks (the GPU stores f16 as 16-bit halves).
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
