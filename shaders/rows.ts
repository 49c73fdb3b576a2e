// Row geometry shared by the row-wise kernels (softmax, layer/RMS norm, cross-entropy). A row is one strided dim
// of a tensor, reduced by the threads of one workgroup (short rows: by a slice of one, see RowGrid); the other
// ("batch") dims form the index space `batch` of the kernel declaration (shaders/kernel.ts), which each strided
// tensor walks as a view of its own, so a row along any dim of a non-contiguous view is read in place. Up to four
// strided tensors share the geometry; a tensor without the row dim (a per-row output, a class-index target, a
// per-row gradient) has row stride 0.
import type { Shape } from '../core/shape.js';
import { gpu } from '../core/device.js';
import { Kernel, type BufferDecl, type Meta } from './kernel.js';
import { grid } from './preamble.js';

export const MAX_BATCH_RANK = 8;
export const MAX_ROW_TENSORS = 4;

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

/**
 * The declaration of a row kernel: its buffers (bindings in this order), the strided row tensors among them (at
 * most four; the views of the batch space, in the order of `base` and `rs` in rowMain) and its own uniforms.
 */
export function rowKernel(
  name: string,
  buffers: Record<string, BufferDecl>,
  rowTensors: readonly string[],
  uniforms: Record<string, number> = {},
): Kernel {
  if (rowTensors.length > MAX_ROW_TENSORS) throw new Error(`internal: row kernel ${name} has more than ${MAX_ROW_TENSORS} row tensors`);
  return new Kernel({
    name,
    buffers,
    uniforms: { rows: 1, length: 1, rowStrides: MAX_ROW_TENSORS, ...uniforms },
    spaces: { batch: MAX_BATCH_RANK },
    views: Object.fromEntries(rowTensors.map((t) => [t, 'batch'])),
  });
}

/** The row geometry's uniforms; the layout's tensors are the kernel's row tensors, in order. */
export function rowMeta(k: Kernel, layout: RowLayout): Meta {
  const views = k.viewsOf('batch');
  const m = k.meta().u32('rows', layout.rows).u32('length', layout.length).space('batch', layout.batchShape);
  layout.tensors.forEach((t, i) => m.u32('rowStrides', t.rowStride, i).view(views[i], t.offset, t.batchStrides));
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
 * WGSL shared by the row kernels: sum and max over the TPR threads of a row by a tree in workgroup memory (the max propagates NaN: WGSL's max() may drop it).
 */
function rowHelpers(g: RowGrid): string {
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

fn any_nan4(v: vec4<f32>) -> bool { return any((bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u)); }

fn max_nan(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  return max(a, b);
}
${reductions}
`;
}

/**
 * The whole source of row kernel `k`: its header (bindings, uniforms, load/store, offsets_batch), the reductions and
 * the entry point. `body` sees row, lane (the thread's index within its row, 0..TPR-1), has_row (whether the row
 * exists: the last workgroup may be partly empty, and its idle threads still take part in the barriers), L (the row
 * length, 0 on idle threads), base (the row's offsets in each row tensor, declaration order: base.x, base.y,
 * base.z, base.w) and rs (their row strides).
 */
export function rowSource(k: Kernel, g: RowGrid, body: string): string {
  const n = k.viewsOf('batch').length;
  const bases = Array.from({ length: MAX_ROW_TENSORS }, (_, i) => (i < n ? `o[${i}]` : '0u'));
  return `${g.sg ? 'enable subgroups;\n' : ''}${k.header()}${rowHelpers(g)}
@compute @workgroup_size(${g.wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * ${g.wg / g.tpr}u + lid / TPR;
  let lane = lid % TPR;
  let has_row = row < uw(W_rows);
  let L = select(0u, uw(W_length), has_row);
  let o = offsets_batch(row);
  let base = vec4<u32>(${bases.join(', ')});
  let rs = vec4<u32>(uw(W_rowStrides), uw(W_rowStrides + 1u), uw(W_rowStrides + 2u), uw(W_rowStrides + 3u));
  ${body}
}
`;
}

/** Sizes of the dims before, along and after `dim`, so the cpu references can walk row-major values. */
export function splitAt(shape: Shape, dim: number): { outer: number; length: number; inner: number } {
  const prod = (s: Shape) => s.reduce((a, b) => a * b, 1);
  return { outer: prod(shape.slice(0, dim)), length: shape[dim], inner: prod(shape.slice(dim + 1)) };
}
