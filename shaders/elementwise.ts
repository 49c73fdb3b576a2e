// The elementwise kernel template. One thread per output element; each operand is a strided tensor (broadcast
// dims have stride 0) or a scalar held in the uniforms. A "contiguous" variant skips the index arithmetic when
// every tensor operand and the output are dense and of the output's shape; its "vec4" form (offsets divisible by
// 4) has each thread load and store vec4s and evaluate the expression once per lane. Fewer, wider loads pay on
// lavapipe, where every storage load at a run-time offset is a bounds-checked loop, and coalesce well on real GPUs.
//
// Uniforms and bindings are declared in `elementwiseKernel` (shaders/kernel.ts generates the rest): every tensor
// operand and the output are views of one index space, scalar operands and op parameters are words of the
// compute type.
import type { DType } from '../core/dtype.js';
import { storageType } from './preamble.js';
import { Kernel, storageLayout, valueType, type BufferDecl } from './kernel.js';

export const MAX_RANK = 8;
export const MAX_OPERANDS = 3;
/** parameter words; p0..p3 are the first four as values of the compute type */
export const MAX_PARAMS = 8;
export const WG = 256;

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
  /** contiguous, the output packed from an even offset: two elements (one whole u32 of the output) per thread */
  pairs?: boolean;
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
  return `ew|${k.expr}|${ops}|${k.compute}|${k.out}|${k.vec4 ? 'v' : k.pairs ? 'p' : k.contiguous ? 'c' : 's'}`;
}

/** vec4s per thread of the vec4 form: 4 measured 1.5x faster than 1 on lavapipe (fewer invocations per load). */
const VPT = 4;

/** Threads a dispatch of `n` elements needs. */
export const elementwiseThreads = (k: ElementwiseKernel, n: number) =>
  k.vec4 ? Math.ceil(n / (4 * VPT)) : k.pairs ? Math.ceil(n / 2) : n;

/** The declaration of a kernel: a buffer per bound tensor operand and the output, a view per tensor operand. */
export function elementwiseKernel(k: ElementwiseKernel): Kernel {
  const tensors = tensorOperands(k);
  const buffers: Record<string, BufferDecl> = {};
  // WebGPU forbids binding one buffer both read-only and writable in a dispatch: an operand that is the output
  // view itself (in-place ops) gets no binding of its own and is read from `out`.
  for (const { dtype, i, fromOut } of tensors) {
    if (!fromOut) buffers[`in${i}`] = k.vec4 ? { type: `vec4<${storageType(dtype)}>` } : { dtype };
  }
  buffers.out = k.vec4 ? { type: `vec4<${storageType(k.out)}>`, write: true } : { dtype: k.out, write: true, pairs: k.pairs };
  const views: Record<string, string> = { out: 'idx' };
  for (const { i } of tensors) views[`in${i}`] = 'idx';
  return new Kernel({
    name: 'elementwise', buffers, uniforms: { n: 1, scalars: MAX_OPERANDS, params: MAX_PARAMS }, spaces: { idx: MAX_RANK }, views,
  });
}

const tensorOperands = (k: ElementwiseKernel) =>
  k.operands.flatMap((o, i) => (o === 'scalar' ? [] : [{ dtype: o.dtype, i, fromOut: !!o.fromOut }]));

/** True when the vec4 form can serve: no operand is stored packed (a vec4 of u32 words is not four elements). */
export const vec4Storable = (dtypes: DType[]): boolean => dtypes.every((d) => storageLayout(d) === 'native');

const NAMES = ['a', 'b', 'c'];
const paramLets = (T: string) => [0, 1, 2, 3].map((j) => `let p${j} = bitcast<${T}>(uw(W_params + ${j}u));`);

export function elementwiseSource(k: ElementwiseKernel): string {
  const kernel = elementwiseKernel(k);
  if (k.vec4) return vec4Source(k, kernel);
  if (k.pairs) return pairsSource(k, kernel);
  const T = valueType(k.compute);
  const tensors = tensorOperands(k);
  const offsets = k.contiguous
    ? [`let o_out = uw(W_out_offset) + idx;`, ...tensors.map(({ i }) => `let o${i} = uw(W_in${i}_offset) + idx;`)]
    : [
        'let offs = offsets_idx(idx);',
        ...kernel.viewsOf('idx').map((v, k) => `let ${v === 'out' ? 'o_out' : `o${v.slice(2)}`} = offs[${k}];`),
      ];
  const loads = k.operands.map((o, i) =>
    o === 'scalar' ? `let ${NAMES[i]} = bitcast<${T}>(uw(W_scalars + ${i}u));`
      : `let ${NAMES[i]} = ${T}(load_${o.fromOut ? 'out' : `in${i}`}(o${i}));`);
  return `${kernel.header()}
${k.helpers ?? ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = flat_id(wid, nwg, lid, ${WG}u);
  if (idx >= uw(W_n)) { return; }
  ${offsets.join('\n  ')}
  ${loads.join('\n  ')}
  ${paramLets(T).join('\n  ')}
  let r = ${k.expr};
  store_out(o_out, ${storeOf(k, T, valueType(k.out))});
}
`;
}

/**
 * The pairs form: thread t computes elements 2t and 2t + 1 and stores them as one u32 of the packed output. Past n,
 * the second half keeps its old value (no other thread of the dispatch writes it).
 */
function pairsSource(k: ElementwiseKernel, kernel: Kernel): string {
  const T = valueType(k.compute);
  const lane = (j: number) => [
    `let idx = base + ${j}u;`,
    `if (idx < n) {`,
    ...k.operands.map((o, i) =>
      o === 'scalar' ? `  let ${NAMES[i]} = bitcast<${T}>(uw(W_scalars + ${i}u));`
        : `  let ${NAMES[i]} = ${T}(load_${o.fromOut ? 'out' : `in${i}`}(uw(W_in${i}_offset) + idx));`),
    ...paramLets(T).map((l) => `  ${l}`),
    `  let r = ${k.expr};`,
    `  r2[${j}] = ${storeOf(k, T, 'f32')};`,
    `} else { r2[${j}] = load_out(o_out + ${j}u); }`,
  ];
  return `${kernel.header()}
${k.helpers ?? ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let base = 2u * flat_id(wid, nwg, lid, ${WG}u);
  let n = uw(W_n);
  if (base >= n) { return; }
  let o_out = uw(W_out_offset) + base;
  var r2: vec2<f32>;
  ${[0, 1].map((j) => `{\n    ${lane(j).join('\n    ')}\n  }`).join('\n  ')}
  store2_out(o_out, r2);
}
`;
}

/**
 * The vec4 form of the contiguous kernel: vec4 number v holds elements 4v..4v+3. The expression is scalar WGSL, so it
 * runs once per lane on scalars taken from the loaded vectors. When n is not a multiple of 4 the last thread
 * writes back the old values of the lanes past n (the output may be a view inside a larger buffer).
 */
function vec4Source(k: ElementwiseKernel, kernel: Kernel): string {
  const T = valueType(k.compute);
  const S = storageType(k.out);
  const loads = k.operands.map((o, i) =>
    o === 'scalar' ? `let ${NAMES[i]}4 = vec4<${T}>(bitcast<${T}>(uw(W_scalars + ${i}u)));`
      : `let ${NAMES[i]}4 = vec4<${T}>(${o.fromOut ? 'out' : `in${i}`}[(uw(W_in${i}_offset) >> 2u) + v]);`);
  const lane = (j: number) => [
    ...k.operands.map((_, i) => `let ${NAMES[i]} = ${NAMES[i]}4[${j}];`),
    `let idx = base + ${j}u;`,
    `let r = ${k.expr};`,
    `r4[${j}] = ${storeOf(k, T, S)};`,
  ];
  return `${kernel.header()}
${k.helpers ?? ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = uw(W_n);
  ${paramLets(T).join('\n  ')}
  // a workgroup covers ${VPT} consecutive blocks of ${WG} vec4s (coalesced on real GPUs)
  let first = (wid.y * nwg.x + wid.x) * ${VPT}u;
  for (var u = 0u; u < ${VPT}u; u++) {
    let v = (first + u) * ${WG}u + lid;
    let base = 4u * v;
    if (base >= n) { return; }
    let o_out = (uw(W_out_offset) >> 2u) + v;
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
