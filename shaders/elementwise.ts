// The elementwise kernel template. One thread per output element; each operand is a strided tensor (broadcast
// dims have stride 0) or a scalar held in the uniforms. A "contiguous" variant skips the index arithmetic when
// every tensor operand and the output are dense and of the output's shape; its "vec4" form (offsets divisible by
// 4) has each thread load and store vec4s and evaluate the expression once per lane. Fewer, wider loads pay on
// lavapipe, where every storage load at a run-time offset is a bounds-checked loop, and coalesce well on real GPUs.
//
// Uniform words: 0 n, 1 rank, 2 out offset, 3.. operand offsets, 8..15 shape, 16..23 out strides,
// 24.. operand strides (8 words each), 48.. scalar operands, 52.. op parameters (scalars and parameters as values of
// the compute type). Shape and strides are stored innermost dim first.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const MAX_RANK = 8;
export const MAX_OPERANDS = 3;
export const W = { n: 0, rank: 1, outOffset: 2, offsets: 3, shape: 8, outStrides: 16, strides: 24, scalars: 48, params: 52 } as const;
export const WG = 256;

/** WGSL type used for arithmetic on a dtype: f16 computes in f32, bool as u32 0/1. */
export function computeType(d: DType): string {
  return d === 'f32' || d === 'f16' ? 'f32' : d === 'i32' ? 'i32' : 'u32';
}

export interface ElementwiseKernel {
  /** WGSL expression of the result; operands are a, b, c, parameters p0..p3, the flat index idx */
  expr: string;
  /** 'bool' when expr is a WGSL bool (comparisons, predicates) */
  resultIsBool: boolean;
  /** tensor operands (`fromOut`: the very view being written, read through the output binding) or uniforms */
  operands: ({ dtype: DType; fromOut?: boolean } | 'scalar')[];
  /** compute type the operands are converted to */
  compute: DType;
  out: DType;
  contiguous: boolean;
  /** contiguous, with every tensor offset divisible by 4: one vec4 per thread */
  vec4?: boolean;
  /** extra WGSL helper functions the expression calls */
  helpers?: string;
}

/** WGSL test that `x` (of compute type T) counts as true: non-zero, and NaN too (as in torch); NaN-safe compares. */
export function truthy(T: string, x: string): string {
  return T === 'f32' ? `(${x} != 0.0 || is_nan(${x}))` : `(${x} != ${T}(0))`;
}

/**
 * WGSL converting the result r to the output's storage type S. A float goes to an integer type saturated (WGSL's
 * conversion) with NaN as 0, which is what the cpu backend's floatToInt does (drivers disagree on NaN otherwise).
 */
function storeOf(k: ElementwiseKernel, T: string, S: string): string {
  if (k.resultIsBool) return k.out === 'bool' ? 'select(0u, 1u, r)' : `select(${S}(0), ${S}(1), r)`;
  if (k.out === 'bool') return `select(0u, 1u, ${truthy(T, 'r')})`;
  return T === 'f32' && (S === 'i32' || S === 'u32') ? `${S}(select(r, 0.0, is_nan(r)))` : `${S}(r)`;
}

export function elementwiseKey(k: ElementwiseKernel): string {
  const ops = k.operands.map((o) => (o === 'scalar' ? 's' : o.fromOut ? 'out' : o.dtype)).join(',');
  return `ew|${k.expr}|${ops}|${k.compute}|${k.out}|${k.vec4 ? 'v' : k.contiguous ? 'c' : 's'}`;
}

/** vec4s per thread of the vec4 form: 4 measured 1.5x faster than 1 on lavapipe (fewer invocations per load). */
const VPT = 4;

/** Threads a dispatch of `n` elements needs. */
export const elementwiseThreads = (k: ElementwiseKernel, n: number) => (k.vec4 ? Math.ceil(n / (4 * VPT)) : n);

export function elementwiseSource(k: ElementwiseKernel): string {
  if (k.vec4) return vec4Source(k);
  const T = computeType(k.compute);
  const f16 = k.out === 'f16' || k.operands.some((o) => o !== 'scalar' && o.dtype === 'f16');
  const tensors = k.operands.map((o, i) => ({ o, i })).filter(({ o }) => o !== 'scalar');
  // WebGPU forbids binding one buffer both read-only and writable in a dispatch: an operand that is the output
  // view itself (in-place ops) gets no binding of its own and is read from `out`.
  const bound = tensors.filter(({ o }) => !(o as { fromOut?: boolean }).fromOut);
  const bindings = bound.map(({ o, i }, b) =>
    `@group(0) @binding(${b}) var<storage, read> in${i}: array<${storageType((o as { dtype: DType }).dtype)}>;`);
  const outBinding = bound.length;
  const names = ['a', 'b', 'c'];
  const index = k.contiguous
    ? [`let o_out = uw(${W.outOffset}) + idx;`, ...tensors.map(({ i }) => `let o${i} = uw(${W.offsets + i}) + idx;`)]
    : [
        `var o_out = uw(${W.outOffset});`,
        ...tensors.map(({ i }) => `var o${i} = uw(${W.offsets + i});`),
        'var rem = idx;',
        `let rank = uw(${W.rank});`,
        // dims innermost first, unrolled: constant uniform indices (a run-time index is a loop on lavapipe)
        ...Array.from({ length: MAX_RANK }, (_, j) => [
          `if (rank > ${j}u) {`,
          `  let size = uw(${W.shape + j}u); let coord = rem % size; rem = rem / size;`,
          `  o_out += coord * uw(${W.outStrides + j}u);`,
          ...tensors.map(({ i }) => `  o${i} += coord * uw(${W.strides + 8 * i + j}u);`),
          '}',
        ]).flat(),
      ];
  const loads = k.operands.map((o, i) =>
    o === 'scalar' ? `let ${names[i]} = bitcast<${T}>(uw(${W.scalars + i}));`
      : `let ${names[i]} = ${T}(${o.fromOut ? 'out' : `in${i}`}[o${i}]);`);
  const params = [0, 1, 2, 3].map((j) => `let p${j} = bitcast<${T}>(uw(${W.params + j}));`);
  const S = storageType(k.out);
  const store = storeOf(k, T, S);
  return `${preamble({ f16, uniformBinding: outBinding + 1 })}
${bindings.join('\n')}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<${S}>;
${k.helpers ?? ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${WG}u);
  if (idx >= uw(${W.n})) { return; }
  ${index.join('\n  ')}
  ${loads.join('\n  ')}
  ${params.join('\n  ')}
  let r = ${k.expr};
  out[o_out] = ${store};
}
`;
}

/**
 * The vec4 form of the contiguous kernel: vec4 number v holds elements 4v..4v+3. The expression is scalar WGSL, so it
 * runs once per lane on scalars taken from the loaded vectors. When n is not a multiple of 4 the last thread
 * writes back the old values of the lanes past n (the output may be a view inside a larger buffer).
 */
function vec4Source(k: ElementwiseKernel): string {
  const T = computeType(k.compute);
  const f16 = k.out === 'f16' || k.operands.some((o) => o !== 'scalar' && o.dtype === 'f16');
  const tensors = k.operands.map((o, i) => ({ o, i })).filter(({ o }) => o !== 'scalar');
  const bound = tensors.filter(({ o }) => !(o as { fromOut?: boolean }).fromOut);
  const bindings = bound.map(({ o, i }, b) =>
    `@group(0) @binding(${b}) var<storage, read> in${i}: array<vec4<${storageType((o as { dtype: DType }).dtype)}>>;`);
  const outBinding = bound.length;
  const names = ['a', 'b', 'c'];
  const S = storageType(k.out);
  const loads = k.operands.map((o, i) =>
    o === 'scalar' ? `let ${names[i]}4 = vec4<${T}>(bitcast<${T}>(uw(${W.scalars + i})));`
      : `let ${names[i]}4 = vec4<${T}>(${o.fromOut ? 'out' : `in${i}`}[(uw(${W.offsets + i}) >> 2u) + v]);`);
  const lane = (j: number) => [
    ...k.operands.map((_, i) => `let ${names[i]} = ${names[i]}4[${j}];`),
    `let idx = base + ${j}u;`,
    `let r = ${k.expr};`,
    `r4[${j}] = ${storeOf(k, T, S)};`,
  ];
  const params = [0, 1, 2, 3].map((j) => `let p${j} = bitcast<${T}>(uw(${W.params + j}));`);
  return `${preamble({ f16, uniformBinding: outBinding + 1 })}
${bindings.join('\n')}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<vec4<${S}>>;
${k.helpers ?? ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = uw(${W.n});
  ${params.join('\n  ')}
  // a workgroup covers ${VPT} consecutive blocks of ${WG} vec4s (coalesced on real GPUs)
  let first = (wid.y * nwg.x + wid.x) * ${VPT}u;
  for (var u = 0u; u < ${VPT}u; u++) {
    let v = (first + u) * ${WG}u + lid;
    let base = 4u * v;
    if (base >= n) { return; }
    let o_out = (uw(${W.outOffset}) >> 2u) + v;
    ${loads.join('\n    ')}
    var r4: vec4<${S}>;
    ${[0, 1, 2, 3].map((j) => `{\n      ${lane(j).join('\n      ')}\n    }`).join('\n    ')}
    if (base + 4u > n) {
      let old = out[o_out];
      for (var j = n - base; j < 4u; j++) { r4[j] = old[j]; }
    }
    out[o_out] = r4;
  }
}
`;
}
