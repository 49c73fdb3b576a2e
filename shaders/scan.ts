// Inclusive scan (cumsum, cumprod) along one dim, in two variants:
//  - 'thread' (rows of at most SHORT_ROW elements): one thread walks one whole row; many short rows stay cheap.
//  - 'workgroup' (longer rows): one workgroup of 256 threads per row, any row length. Each thread owns a contiguous chunk of ceil(L / 256) elements: it folds its chunk, the workgroup scans the 256
// partial results (Hillis & Steele 1986, log2(256) = 8 steps), and each thread re-walks its chunk starting from the
// result of the threads before it, writing the running value. `reverse` scans from the end of the row.
//
// Uniform words: 0 rows, 1 L, 2 input offset, 3 input stride along the dim, 4 output stride along the dim,
// 5 reverse, 6 rank of the other dims, 8..15 their shape, 16..23 their input strides, 24..31 their output strides.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { valueType as computeType } from './kernel.js';

export const CW = {
  rows: 0, length: 1, offset: 2, dimStride: 3, outDimStride: 4, reverse: 5, outerRank: 6,
  outerShape: 8, outerStrides: 16, outerOutStrides: 24,
} as const;
export const SCAN_WG = 256;
export const SHORT_ROW = 256;
export const SCAN_MAX_OUTER_RANK = 8;

export type ScanKind = 'sum' | 'prod';
export type ScanVariant = 'thread' | 'workgroup';

export const scanKey = (kind: ScanKind, variant: ScanVariant, input: DType, out: DType): string =>
  `scan|${kind}|${variant}|${input}|${out}`;

export function scanSource(kind: ScanKind, variant: ScanVariant, input: DType, out: DType): string {
  const T = computeType(out);
  const identity = kind === 'sum' ? `${T}(0)` : `${T}(1)`;
  const combine = kind === 'sum' ? 'a + b' : 'a * b';
  return `${preamble({ f16: input === 'f16' || out === 'f16', uniformBinding: 2 })}
@group(0) @binding(0) var<storage, read> inp: array<${storageType(input)}>;
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(out)}>;
fn combine(a: ${T}, b: ${T}) -> ${T} { return ${combine}; }
fn outer_offset(row: u32, strides_at: u32) -> u32 {
  var rem = row; var off = 0u;
  for (var d = i32(uw(${CW.outerRank})) - 1; d >= 0; d--) {
    let ud = u32(d); let size = uw(${CW.outerShape}u + ud);
    off += (rem % size) * uw(strides_at + ud); rem = rem / size;
  }
  return off;
}

${variant === 'thread' ? threadMain(T, identity, storageType(out)) : workgroupMain(T, identity, storageType(out))}`;
}

function threadMain(T: string, identity: string, S: string): string {
  return `@compute @workgroup_size(${SCAN_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flat_id(wid, nwg, lid, ${SCAN_WG}u);
  if (row >= uw(${CW.rows})) { return; }
  let L = uw(${CW.length});
  let in_base = uw(${CW.offset}) + outer_offset(row, ${CW.outerStrides}u);
  let out_base = outer_offset(row, ${CW.outerOutStrides}u);
  let reverse = uw(${CW.reverse}) == 1u;
  var acc = ${identity};
  for (var i = 0u; i < L; i++) {
    let p = select(i, L - 1u - i, reverse);
    acc = combine(acc, ${T}(inp[in_base + p * uw(${CW.dimStride})]));
    out[out_base + p * uw(${CW.outDimStride})] = ${S}(acc);
  }
}
`;
}

function workgroupMain(T: string, identity: string, S: string): string {
  return `var<workgroup> part: array<${T}, ${SCAN_WG}>;

@compute @workgroup_size(${SCAN_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= uw(${CW.rows})) { return; }
  let L = uw(${CW.length});
  let in_base = uw(${CW.offset}) + outer_offset(row, ${CW.outerStrides}u);
  let out_base = outer_offset(row, ${CW.outerOutStrides}u);
  let reverse = uw(${CW.reverse}) == 1u;
  let chunk = (L + ${SCAN_WG - 1}u) / ${SCAN_WG}u;
  let start = min(lid * chunk, L);
  let end = min(start + chunk, L);
  var acc = ${identity};
  for (var i = start; i < end; i++) {
    let p = select(i, L - 1u - i, reverse);
    acc = combine(acc, ${T}(inp[in_base + p * uw(${CW.dimStride})]));
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
    acc = combine(acc, ${T}(inp[in_base + p * uw(${CW.dimStride})]));
    out[out_base + p * uw(${CW.outDimStride})] = ${S}(acc);
  }
}
`;
}
