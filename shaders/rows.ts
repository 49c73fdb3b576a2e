// Row geometry shared by the row-wise kernels (softmax, layer/RMS norm, cross-entropy). A row is one strided dim
// of a tensor, reduced by the threads of one workgroup (short rows: by a slice of one, see RowGrid); the other
// ("batch") dims are walked with their own strides, so a row along any dim of a non-contiguous view is read in
// place. Up to three strided tensors share the geometry; a tensor without the row dim (a per-row output, a
// class-index target) has row stride 0.
//
// Uniform words: 0 rows, 1 row length L, 2 batch rank, 4..6 tensor offsets, 8..10 tensor row strides,
// 16..23 batch shape, 24..47 batch strides (8 words per tensor), 48..62 kernel parameters.
import type { Shape } from '../core/shape.js';
import { gpu } from '../core/device.js';
import { grid, type MetaWriter } from './preamble.js';

export const ROW = { rows: 0, length: 1, batchRank: 2, offsets: 4, rowStrides: 8, batchShape: 16, batchStrides: 24, params: 48 } as const;
export const MAX_BATCH_RANK = 8;
export const MAX_ROW_TENSORS = 3;

export interface Strided { strides: readonly number[]; offset: number }

export interface RowLayout {
  rows: number;
  length: number;
  batchShape: number[];
  tensors: { offset: number; rowStride: number; batchStrides: number[] }[];
}

/**
 * The rows of tensors that all have `shape`, taken along `dim`. Batch dims of size 1 are dropped and adjacent
 * batch dims are merged where every tensor walks them as one, so most calls have a batch rank of 1 or 2.
 */
export function rowLayout(op: string, shape: Shape, dim: number, tensors: Strided[]): RowLayout {
  const batchShape: number[] = [];
  const batchStrides: number[][] = tensors.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (d === dim || shape[d] === 1) continue;
    const last = batchShape.length - 1;
    if (last >= 0 && tensors.every((t, k) => batchStrides[k][last] === t.strides[d] * shape[d])) {
      batchShape[last] *= shape[d];
      tensors.forEach((t, k) => (batchStrides[k][last] = t.strides[d]));
    } else {
      batchShape.push(shape[d]);
      tensors.forEach((t, k) => batchStrides[k].push(t.strides[d]));
    }
  }
  if (batchShape.length > MAX_BATCH_RANK) {
    throw new Error(`${op}: ${batchShape.length} batch dims remain after merging, more than the kernel's ` +
      `${MAX_BATCH_RANK}; make the input contiguous first`);
  }
  return {
    rows: batchShape.reduce((a, b) => a * b, 1),
    length: shape[dim],
    batchShape,
    tensors: tensors.map((t, k) => ({ offset: t.offset, rowStride: t.strides[dim], batchStrides: batchStrides[k] })),
  };
}

/**
 * Shape and strides of a view whose trailing `count` dims are merged into one row dim, or null when the strides
 * do not allow it (the caller then copies). Used by the norms, which normalise over trailing dims.
 */
export function mergeTrailing(shape: Shape, strides: readonly number[], count: number): { shape: number[]; strides: number[] } | null {
  const lead = shape.length - count;
  let length = 1;
  let stride = 1;
  let expected = -1;
  for (let d = shape.length - 1; d >= lead; d--) {
    if (shape[d] === 1) continue;
    if (expected >= 0 && strides[d] !== expected) return null;
    if (expected < 0) stride = strides[d];
    length *= shape[d];
    expected = strides[d] * shape[d];
  }
  return { shape: [...shape.slice(0, lead), length], strides: [...strides.slice(0, lead), stride] };
}

export function writeRowMeta(m: MetaWriter, layout: RowLayout): MetaWriter {
  m.u32(ROW.rows, layout.rows).u32(ROW.length, layout.length).u32(ROW.batchRank, layout.batchShape.length)
    .list(ROW.batchShape, layout.batchShape);
  layout.tensors.forEach((t, k) => {
    m.u32(ROW.offsets + k, t.offset).u32(ROW.rowStrides + k, t.rowStride).list(ROW.batchStrides + 8 * k, t.batchStrides);
  });
  return m;
}

/**
 * How a workgroup covers rows: `wg` threads in all, `tpr` threads per row (a power of two dividing wg), so one
 * workgroup handles wg / tpr rows. Long rows get a whole workgroup; short rows share one, since threads left
 * idle and tree steps over empty lanes are the cost of a short row. `sg`, when set, is the adapter's minimum
 * subgroup size: the row reductions then use subgroup shuffles within aligned blocks of sg lanes (which share a
 * subgroup) and workgroup memory only across blocks, instead of a barrier per tree level.
 */
export interface RowGrid { wg: number; tpr: number; vec?: boolean; sg?: number }

/** The part of a row kernel's pipeline key that its grid decides. */
export const rowGridKey = (g: RowGrid): string => `${g.wg}x${g.tpr}${g.vec ? 'v4' : ''}${g.sg ? `sg${g.sg}` : ''}`;

/** The `enable` directive a row kernel's source starts with (before the preamble) when its grid uses subgroups. */
export const rowEnable = (g: RowGrid): string => (g.sg ? 'enable subgroups;\n' : '');

/**
 * Threads per row. On a software adapter: about four elements per thread up to a full workgroup (64 threads, 256
 * past 1024 elements) and, given the row count, fewer: just enough threads per row for about 4096 threads in all,
 * since on lavapipe the barrier tree is the cost of a row kernel and many rows are better folded by one to four
 * threads each (softmax of 1024x1024: 8.6 ms at 64 threads per row, 2.6 ms at 4). On a GPU: rows up to 1024
 * elements get up to one 32-lane subgroup's worth of threads, 8 or more rows to a 256-thread workgroup; longer rows
 * a whole workgroup (512 threads past 4096 elements where the adapter allows), about 8 elements per thread.
 */
export function rowGrid(length: number, rows?: number): RowGrid {
  const { info, hasSubgroups, subgroupMinSize } = gpu();
  const sg = hasSubgroups ? subgroupMinSize : undefined;
  let tpr = 1;
  if (info.software) {
    const wg = length > 1024 ? 256 : 64;
    while (tpr < wg && tpr * 4 < length && (rows === undefined || rows * tpr < 4096)) tpr *= 2;
    return { wg, tpr, sg };
  }
  const wg = length > 4096 && info.limits.maxComputeInvocationsPerWorkgroup >= 512 ? 512 : 256;
  const cap = length > 1024 ? wg : 32;
  while (tpr < cap && tpr * (length > 1024 ? 8 : 4) < length) tpr *= 2;
  return { wg, tpr, sg };
}

/**
 * Whether a row kernel may read and write rows as vec4<f32>: f32 data, every tensor's rows contiguous (row stride
 * 1), and the length, offsets and batch strides all divisible by 4, so each row starts on a 16-byte boundary.
 * lavapipe turns each storage load at a per-lane offset into a scalar loop, so a vec4 load costs about what a
 * scalar one does and a row takes a quarter of the loads.
 */
export function rowVec4(layout: RowLayout, dtype: string): boolean {
  return dtype === 'f32' && layout.length % 4 === 0 &&
    layout.tensors.every((t) => t.rowStride === 1 && t.offset % 4 === 0 && t.batchStrides.every((s) => s % 4 === 0));
}

/** Workgroups to dispatch for `rows` rows. */
export const rowDispatch = (rows: number, g: RowGrid): [number, number] => grid(Math.ceil(rows / (g.wg / g.tpr)));

/**
 * WGSL shared by the row kernels: the base offsets of a row in each tensor, and sum and max over the TPR threads
 * of a row by a tree in workgroup memory (the max propagates NaN: WGSL's max() may drop it).
 */
export function rowHelpers(g: RowGrid): string {
  const tree = (name: string, combine: string) => `
fn ${name}(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  let lane = lid % TPR;
  for (var s = TPR >> 1u; s > 0u; s >>= 1u) {
    if (lane < s) { red[lid] = ${combine}; }
    workgroupBarrier();
  }
  let r = red[lid - lane];
  workgroupBarrier();
  return r;
}`;
  // Subgroup version: a butterfly of shuffles over the row's lanes inside each aligned block of SG lanes; when a
  // row spans several blocks, each block's first lane posts its partial and every lane folds the row's partials.
  const block = Math.min(g.tpr, g.sg ?? 1);
  const shuffled = (name: string, combine: (a: string, b: string) => string) => `
fn ${name}(v: f32, lid: u32) -> f32 {
  var x = v;
  ${Array.from({ length: Math.log2(block) }, (_, i) => `x = ${combine('x', `subgroupShuffleXor(x, ${1 << i}u)`)};`).join('\n  ')}
  ${g.tpr <= block ? 'return x;' : `if (lid % ${block}u == 0u) { red[lid / ${block}u] = x; }
  workgroupBarrier();
  let first = (lid - lid % TPR) / ${block}u;
  var r = red[first];
  for (var i = 1u; i < ${g.tpr / block}u; i++) { r = ${combine('r', 'red[first + i]')}; }
  workgroupBarrier();
  return r;`}
}`;
  const reductions = g.sg
    ? `${shuffled('row_sum', (a, b) => `${a} + ${b}`)}\n${shuffled('row_max', (a, b) => `max_nan(${a}, ${b})`)}`
    : `${tree('row_sum', 'red[lid] + red[lid + s]')}\n${tree('row_max', 'max_nan(red[lid], red[lid + s])')}`;
  return `
const TPR: u32 = ${g.tpr}u;
var<workgroup> red: array<f32, ${g.wg}>;

fn row_bases(row: u32) -> vec3<u32> {
  var b = vec3<u32>(uw(${ROW.offsets}u), uw(${ROW.offsets + 1}u), uw(${ROW.offsets + 2}u));
  var rem = row;
  let rank = uw(${ROW.batchRank}u);
  ${Array.from({ length: MAX_BATCH_RANK }, (_, i) => MAX_BATCH_RANK - 1 - i).map((d) =>
    `if (rank > ${d}u) { let size = uw(${ROW.batchShape + d}u); let c = rem % size; rem = rem / size; ` +
    `b += c * vec3<u32>(uw(${ROW.batchStrides + d}u), uw(${ROW.batchStrides + 8 + d}u), uw(${ROW.batchStrides + 16 + d}u)); }`).join('\n  ')}
  return b;
}

fn any_nan4(v: vec4<f32>) -> bool { return any((bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u)); }

fn max_nan(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  return max(a, b);
}
${reductions}
`;
}

/**
 * The entry point of a row kernel. `body` sees row, lane (the thread's index within its row, 0..TPR-1), has_row
 * (whether the row exists: the last workgroup may be partly empty, and its idle threads still take part in the
 * barriers), L (the row length, 0 on idle threads), base (the row's offsets in each tensor) and rs (row strides).
 */
export function rowMain(g: RowGrid, body: string): string {
  return `
@compute @workgroup_size(${g.wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * ${g.wg / g.tpr}u + lid / TPR;
  let lane = lid % TPR;
  let has_row = row < uw(${ROW.rows}u);
  let L = select(0u, uw(${ROW.length}u), has_row);
  let base = row_bases(row);
  let rs = vec3<u32>(uw(${ROW.rowStrides}u), uw(${ROW.rowStrides + 1}u), uw(${ROW.rowStrides + 2}u));
  ${body}
}
`;
}

/** Sizes of the dims before, along and after `dim`, so the cpu references can walk row-major values. */
export function splitAt(shape: Shape, dim: number): { outer: number; length: number; inner: number } {
  const prod = (s: Shape) => s.reduce((a, b) => a * b, 1);
  return { outer: prod(shape.slice(0, dim)), length: shape[dim], inner: prod(shape.slice(dim + 1)) };
}
