// Inclusive scan (cumsum, cumprod, the running max/min under cummax/cummin, logcumsumexp) along one dim, in two variants:
//  - 'thread' (rows of at most SHORT_ROW elements): one thread walks one whole row; many short rows stay cheap.
//  - 'workgroup' (longer rows): one workgroup of 256 threads per row, any row length. Each thread owns a contiguous chunk of ceil(L / 256) elements: it folds its chunk, the workgroup scans the 256
// partial results (Hillis & Steele 1986, log2(256) = 8 steps), and each thread re-walks its chunk starting from the
// result of the threads before it, writing the running value. `reverse` scans from the end of the row.
//
// The other dims form the index space `outer`; the input and output are views of it (shaders/kernel.ts).
import type { DType } from '../core/dtype.js';
import { Kernel, valueType } from './kernel.js';

export const SCAN_WG = 256;
export const SHORT_ROW = 256;
export const SCAN_MAX_OUTER_RANK = 8;

export type ScanKind = 'sum' | 'prod' | 'max' | 'min' | 'logaddexp';
export type ScanVariant = 'thread' | 'workgroup';

export const scanKey = (kind: ScanKind, variant: ScanVariant, input: DType, out: DType): string =>
  `scan|${kind}|${variant}|${input}|${out}`;

export const scanKernel = (input: DType, out: DType): Kernel =>
  new Kernel({
    name: 'scan',
    buffers: { inp: { dtype: input }, out: { dtype: out, write: true } },
    uniforms: { rows: 1, length: 1, dimStride: 1, outDimStride: 1, reverse: 1 },
    spaces: { outer: SCAN_MAX_OUTER_RANK },
    views: { inp: 'outer', out: 'outer' },
  });

export function scanSource(kind: ScanKind, variant: ScanVariant, input: DType, out: DType): string {
  const T = valueType(out);
  const identity = scanIdentity(kind, T);
  return `${scanKernel(input, out).header()}
fn combine(a: ${T}, b: ${T}) -> ${T} { ${scanCombine(kind, T)} }

${variant === 'thread' ? threadMain(T, identity) : workgroupMain(T, identity)}`;
}

function scanIdentity(kind: ScanKind, T: string): string {
  if (kind === 'sum') return `${T}(0)`;
  if (kind === 'prod') return `${T}(1)`;
  const low = kind !== 'min';
  if (T === 'f32') return low ? '-inf_f32()' : 'inf_f32()';
  if (T === 'i32') return low ? 'i32(-2147483647 - 1)' : '2147483647i';
  return low ? '0u' : '0xffffffffu';
}

/** The body of combine(a, b): NaN propagates through max and min (as torch's cummax), and logaddexp is stable. */
function scanCombine(kind: ScanKind, T: string): string {
  if (kind === 'sum') return 'return a + b;';
  if (kind === 'prod') return 'return a * b;';
  if (kind === 'logaddexp') {
    // equal operands (both -inf or both +inf included) give a + log 2; otherwise max + log(1 + exp(-|a - b|))
    return `if (is_nan(a) || is_nan(b)) { return a + b; }
  if (a == b) { return a + 0.6931471805599453; }
  return max(a, b) + log(1.0 + exp(-abs(a - b)));`;
  }
  const pick = kind === 'max' ? 'max(a, b)' : 'min(a, b)';
  return T === 'f32' ? `if (is_nan(a)) { return a; } if (is_nan(b)) { return b; } return ${pick};` : `return ${pick};`;
}

function threadMain(T: string, identity: string): string {
  return `@compute @workgroup_size(${SCAN_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flat_id(wid, nwg, lid, ${SCAN_WG}u);
  if (row >= uw(W_rows)) { return; }
  let L = uw(W_length);
  let in_base = offset_inp(row);
  let out_base = offset_out(row);
  let reverse = uw(W_reverse) == 1u;
  var acc = ${identity};
  for (var i = 0u; i < L; i++) {
    let p = select(i, L - 1u - i, reverse);
    acc = combine(acc, ${T}(load_inp(in_base + p * uw(W_dimStride))));
    store_out(out_base + p * uw(W_outDimStride), acc);
  }
}
`;
}

function workgroupMain(T: string, identity: string): string {
  return `var<workgroup> part: array<${T}, ${SCAN_WG}>;

@compute @workgroup_size(${SCAN_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= uw(W_rows)) { return; }
  let L = uw(W_length);
  let in_base = offset_inp(row);
  let out_base = offset_out(row);
  let reverse = uw(W_reverse) == 1u;
  let chunk = (L + ${SCAN_WG - 1}u) / ${SCAN_WG}u;
  let start = min(lid * chunk, L);
  let end = min(start + chunk, L);
  var acc = ${identity};
  for (var i = start; i < end; i++) {
    let p = select(i, L - 1u - i, reverse);
    acc = combine(acc, ${T}(load_inp(in_base + p * uw(W_dimStride))));
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = 1u; s < ${SCAN_WG}u; s = s << 1u) {
    let earlier = select(${identity}, part[select(0u, lid - s, lid >= s)], lid >= s);
    workgroupBarrier();
    part[lid] = combine(earlier, part[lid]);
    workgroupBarrier();
  }
  acc = select(${identity}, part[select(0u, lid - 1u, lid > 0u)], lid > 0u);
  for (var i = start; i < end; i++) {
    let p = select(i, L - 1u - i, reverse);
    acc = combine(acc, ${T}(load_inp(in_base + p * uw(W_dimStride))));
    store_out(out_base + p * uw(W_outDimStride), acc);
  }
}
`;
}
