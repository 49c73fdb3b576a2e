// sort, argsort and topk. One op computes the order (argsort: i32 positions along a dim, stable, NaN largest);
// sorted values are a gather of the input at that order, so they carry gradients through gather's backward.
import { assertTensor } from '../core/tensor.js';
import type { Tensor } from '../core/tensor.js';
import { Storage } from '../core/storage.js';
import { normDim, numel } from '../core/shape.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import {
  sortBlockKernel, sortStepKernel, SORT_BLOCK, SORT_WG, SORT_MAX_OUTER_RANK, sortBlockKey, sortBlockSource, sortStepKey, sortStepSource,
} from '../shaders/sort.js';
import { valuesIndices, type ValuesIndices } from './result.js';
import { apply, describe, type OpSpec } from './op.js';
import { gather } from './indexing.js';
import { rowMajorWithDimLast } from './scan.js';

interface SortParams { dim: number; descending: boolean }

/** The rows along `dim`: their length, count, and the other dims with the input's and output's strides. */
function rowsOf(x: Tensor, out: Tensor, dim: number) {
  const others = x.shape.map((_, d) => d).filter((d) => d !== dim);
  return {
    length: x.shape[dim] ?? 1,
    rows: numel(others.map((d) => x.shape[d])),
    outerShape: others.map((d) => x.shape[d]),
    outerStrides: others.map((d) => x.strides[d]),
    outerOutStrides: others.map((d) => out.strides[d]),
  };
}

const ARGSORT: OpSpec<SortParams> = {
  name: 'argsort',
  infer([x]) {
    if (x.dtype === 'f64' && x.device !== 'cpu') throw new Error('argsort: f64 is cpu-only');
    return { shape: x.shape, dtype: 'i32' };
  },
  cpu(out, [x], { dim, descending }) {
    const { length: L, rows } = rowsOf(x, out, dim);
    const offs = rowMajorWithDimLast(x, dim);
    const outOffs = rowMajorWithDimLast(out, dim);
    const src = x.storage.cpu!;
    const dst = out.storage.cpu!;
    const order = new Array<number>(L);
    for (let r = 0; r < rows; r++) {
      const v = (i: number) => src[offs[r * L + i]];
      for (let i = 0; i < L; i++) order[i] = i;
      // NaN is the largest value; ties keep their index order (a stable sort)
      order.sort((i, j) => {
        const a = v(i), b = v(j);
        const an = Number.isNaN(a), bn = Number.isNaN(b);
        let c = an || bn ? Number(an) - Number(bn) : a < b ? -1 : a > b ? 1 : 0;
        if (descending) c = -c;
        return c || i - j;
      });
      for (let p = 0; p < L; p++) dst[outOffs[r * L + p]] = order[p];
    }
  },
  webgpu(out, [x], { dim, descending }) {
    const g = rowsOf(x, out, dim);
    if (g.outerShape.length > SORT_MAX_OUTER_RANK) throw new Error(`argsort: tensors of rank > ${SORT_MAX_OUTER_RANK + 1} are not supported on webgpu`);
    const P = 2 ** Math.ceil(Math.log2(g.length));
    const blockKernel = sortBlockKernel(x.dtype);
    const m = blockKernel.meta()
      .u32('rows', g.rows).u32('length', g.length).u32('padded', P).u32('descending', Number(descending))
      .u32('dimStride', x.strides[dim] ?? 0).u32('outDimStride', out.strides[dim] ?? 1).space('outer', g.outerShape)
      .view('inp', x.offset, g.outerStrides).view('out', out.offset, g.outerOutStrides);
    // rows no longer than a block sort completely in workgroup memory; longer ones go through key/index buffers
    const spill = P > SORT_BLOCK;
    const keys = Storage.alloc('webgpu', 'u32', spill ? g.rows * P : 1);
    const ids = Storage.alloc('webgpu', 'u32', spill ? g.rows * P : 1);
    const block = pipeline(sortBlockKey(x.dtype), () => sortBlockSource(x.dtype));
    const blockBuffers = { inp: x.storage.buffer!, keys: keys.buffer!, ids: ids.buffer!, out: out.storage.buffer! };
    const blocks = grid(Math.ceil((g.rows * P) / SORT_BLOCK));
    const runBlock = (first: number, last: number, fromInput: boolean, writeOut: boolean) => {
      m.u32('firstStage', first).u32('lastStage', last).u32('fromInput', Number(fromInput)).u32('writeOut', Number(writeOut));
      blockKernel.dispatch(block, blockBuffers, m, blocks);
    };
    runBlock(2, Math.min(P, SORT_BLOCK), true, !spill);
    if (spill) {
      const step = pipeline(sortStepKey, sortStepSource);
      const pairs = grid(Math.ceil((g.rows * P) / 2 / SORT_WG));
      for (let k = 2 * SORT_BLOCK; k <= P; k *= 2) {
        for (let j = k / 2; j >= SORT_BLOCK; j /= 2) {
          m.u32('firstStage', k).u32('step', j);
          sortStepKernel.dispatch(step, { keys: keys.buffer!, ids: ids.buffer! }, m, pairs); // the same uniform layout
        }
        runBlock(k, k, false, k === P);
      }
    }
    keys.release();
    ids.release();
  },
  backward: null,
  packedHalf: true,
};

function sortParams(op: string, x: Tensor, dim: number, descending: boolean): SortParams {
  assertTensor(x, op);
  return { dim: normDim(op, dim, x.ndim), descending: Boolean(descending) };
}

/** Positions that sort x along dim (i32; stable: equal values keep their order; NaN counts as largest). */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  return apply(ARGSORT, [x], sortParams('argsort', x, dim, descending));
}

/** Sorted values and their original positions along dim (torch.sort, always stable). */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  const p = sortParams('sort', x, dim, descending);
  const indices = apply(ARGSORT, [x], p);
  return valuesIndices(gather(x, p.dim, indices), indices);
}

/** The k largest (or smallest) values along dim and their positions, in sorted order (torch.topk). */
export function topk(x: Tensor, k: number, dim = -1, largest = true): ValuesIndices {
  const p = sortParams('topk', x, dim, largest);
  const size = x.shape[p.dim] ?? 1;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new Error(`topk: k = ${k} is out of range for dim ${dim} of size ${size} in ${describe(x)} (valid: 0..${size})`);
  }
  const order = apply(ARGSORT, [x], p);
  const indices = x.ndim === 0 ? order : order.narrow(p.dim, 0, k);
  if (indices !== order) order.dispose(); // the narrowed view keeps the storage
  return valuesIndices(gather(x, p.dim, indices), indices);
}
