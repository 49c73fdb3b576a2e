// The WGSL preamble every kernel starts with: the uniform block (64 words read through `uw`; word 63 stays 0), the 2-D grid index
// (dispatches past 65535 workgroups fold into y), and NaN/Inf helpers that test bits, since WGSL's float compares
// may be optimised on the assumption that no NaN exists.
import type { DType } from '../core/dtype.js';

/** WGSL type that stores a dtype in a buffer. */
export function storageType(d: DType): string {
  switch (d) {
    case 'f32': return 'f32';
    case 'f16': return 'f16';
    case 'i32': return 'i32';
    case 'u32': case 'bool': return 'u32';
    case 'bf16': throw new Error('bf16 is stored packed two per u32: only kernels declared on shaders/kernel.ts read it');
    default: throw new Error(`dtype ${d} has no WGSL storage type (f64 is cpu-only)`);
  }
}

export const META_WORDS = 64;

export function preamble(opts: { f16?: boolean; uniformBinding: number }): string {
  return `${opts.f16 ? 'enable f16;\n' : ''}
struct Meta { w: array<vec4<u32>, ${META_WORDS / 4}> }
@group(0) @binding(${opts.uniformBinding}) var<uniform> U: Meta;
fn uw(i: u32) -> u32 { return U.w[i >> 2u][i & 3u]; }
fn uwf(i: u32) -> f32 { return bitcast<f32>(uw(i)); }
fn uwi(i: u32) -> i32 { return bitcast<i32>(uw(i)); }
fn flat_id(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, size: u32) -> u32 { return (wid.y * nwg.x + wid.x) * size + lid; }
// Kernels with a logical 2-D or 3-D grid of workgroups (tiles x rows x batches) are dispatched as grid(total), folded
// like any other; this gives the logical (x, rest) of a workgroup from its x extent gx. Spare workgroups get a rest
// past the logical extent and return at once (a workgroup-uniform branch, so barriers after it stay valid).
fn unfold_wid(wid: vec3<u32>, nwg: vec3<u32>, gx: u32) -> vec2<u32> { let l = wid.y * nwg.x + wid.x; return vec2<u32>(l % gx, l / gx); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// bf16 bits of x (its upper half), rounded to nearest even; NaN stays a (quiet) NaN
fn bf16_bits(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  if (is_nan(x)) { return (b >> 16u) | 0x40u; }
  return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
// NaN and Inf cannot be WGSL constants; uniform word 63 is always 0, which makes these run-time values.
fn nan_f32() -> f32 { return bitcast<f32>(0x7fc00000u | uw(63u)); }
fn inf_f32() -> f32 { return bitcast<f32>(0x7f800000u | uw(63u)); }
`;
}

/** Workgroup grid for `count` workgroups: x up to 65535, the rest folded into y (see flat_id). */
export function grid(count: number, maxPerDim = 65535): [number, number] {
  if (count <= maxPerDim) return [Math.max(count, 1), 1];
  const y = Math.ceil(count / maxPerDim);
  if (y > maxPerDim) throw new Error(`dispatch of ${count} workgroups exceeds the ${maxPerDim}^2 grid; split the tensor`);
  return [Math.ceil(count / y), y];
}

/** Packs 32-bit uniform words: unsigned, signed and float values side by side. */
export class MetaWriter {
  readonly words = new Uint32Array(META_WORDS);
  private readonly f = new Float32Array(this.words.buffer);
  private readonly i = new Int32Array(this.words.buffer);
  u32(at: number, v: number): this { this.words[at] = v; return this; }
  i32(at: number, v: number): this { this.i[at] = v; return this; }
  f32(at: number, v: number): this { this.f[at] = v; return this; }
  list(at: number, vs: readonly number[]): this { vs.forEach((v, k) => (this.words[at + k] = v)); return this; }
}
