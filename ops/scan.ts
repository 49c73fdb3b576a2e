// Cumulative sum and product along a dim (torch.cumsum, torch.cumprod). Integer and bool inputs scan in i32.
// The same kernel runs the running max/min and logaddexp that ops/scans-extra.ts builds cummax, cummin and
// logcumsumexp on (scanSpec and scan are exported for it).
import { assertTensor } from '../core/tensor.js';
import type { Tensor } from '../core/tensor.js';
import { isFloat, castScalar, type DType } from '../core/dtype.js';
import { normDim, numel } from '../core/shape.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { scanKernel, SCAN_MAX_OUTER_RANK, SCAN_WG, SHORT_ROW, scanKey, scanSource, type ScanKind, type ScanVariant } from '../shaders/scan.js';
import { apply, offsetsOf, type OpSpec, type Grads } from './op.js';
import { where } from './binary.js';

export interface ScanParams { dim: number; reverse: boolean }

/** sums and products of integers and bools run in i32; the running max/min keep the dtype */
const outDtypeOf = (kind: ScanKind, d: DType): DType => (isFloat(d) || kind === 'max' || kind === 'min' ? d : 'i32');

/** The cpu twin of the kernel's combine (shaders/scan.ts), in f64. */
const CPU_COMBINE: Record<ScanKind, (a: number, b: number) => number> = {
  sum: (a, b) => a + b,
  prod: (a, b) => a * b,
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  logaddexp: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? a + Math.LN2 : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)))),
};
const CPU_IDENTITY: Record<ScanKind, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, logaddexp: -Infinity };

/** Storage offsets of t's elements, visited with `dim` innermost (so each row along dim is a run). */
export function rowMajorWithDimLast(t: Tensor, dim: number): ArrayLike<number> {
  if (t.ndim === 0) return offsetsOf(t);
  const perm = t.permute([...t.shape.keys()].filter((d) => d !== dim).concat(dim));
  const offs = offsetsOf(perm);
  perm.dispose();
  return offs;
}

export function scanSpec(
  kind: ScanKind, name: string, backward: ((g: Tensor, x: Tensor, out: Tensor, p: ScanParams) => Tensor) | null,
  check: (x: Tensor) => void = () => {},
): OpSpec<ScanParams> {
  const combine = CPU_COMBINE[kind];
  return {
    name,
    infer([x]) {
      if (x.dtype === 'f64' && x.device !== 'cpu') throw new Error(`${name}: f64 is cpu-only`);
      check(x);
      return { shape: x.shape, dtype: outDtypeOf(kind, x.dtype) };
    },
    cpu(out, [x], { dim, reverse }) {
      const L = x.shape[dim] ?? 1;
      const src = x.storage.cpu!;
      const dst = out.storage.cpu!;
      const offs = rowMajorWithDimLast(x, dim);
      const outOffs = rowMajorWithDimLast(out, dim);
      for (let r = 0; r < offs.length / L; r++) {
        let acc = CPU_IDENTITY[kind];
        for (let i = 0; i < L; i++) {
          const p = r * L + (reverse ? L - 1 - i : i);
          acc = castScalar(out.dtype, combine(acc, src[offs[p]]));
          dst[outOffs[p]] = acc;
        }
      }
    },
    webgpu(out, [x], { dim, reverse }) {
      const others = x.shape.map((_, d) => d).filter((d) => d !== dim);
      if (others.length > SCAN_MAX_OUTER_RANK) throw new Error(`${name}: tensors of rank > ${SCAN_MAX_OUTER_RANK + 1} are not supported on webgpu`);
      const rows = numel(others.map((d) => x.shape[d]));
      const L = x.shape[dim] ?? 1;
      const decl = scanKernel(x.dtype, out.dtype);
      const m = decl.meta().u32('rows', rows).u32('length', L).u32('reverse', Number(reverse))
        .u32('dimStride', x.strides[dim] ?? 0).u32('outDimStride', out.strides[dim] ?? 1)
        .space('outer', others.map((d) => x.shape[d]))
        .view('inp', x.offset, others.map((d) => x.strides[d])).view('out', out.offset, others.map((d) => out.strides[d]));
      const variant: ScanVariant = L <= SHORT_ROW ? 'thread' : 'workgroup';
      const pipe = pipeline(scanKey(kind, variant, x.dtype, out.dtype), () => scanSource(kind, variant, x.dtype, out.dtype));
      decl.dispatch(pipe, { inp: x.storage.buffer!, out: out.storage.buffer! }, m, grid(variant === 'thread' ? Math.ceil(rows / SCAN_WG) : rows));
    },
    backward: backward && ((g, { inputs: [x], out, params }): Grads => [backward(g, x, out, params)]),
    saves: ({ inputs, out }) => (kind === 'sum' ? [] : [...inputs, out]),
    packedHalf: true,
  };
}

// d/dx_j sum_{i>=j} g_i = the scan of g run the other way
const CUMSUM = scanSpec('sum', 'cumsum', (g, _x, _out, { dim, reverse }) => scan(CUMSUM, g, dim, !reverse));

/**
 * d y_i / d x_j for y = cumprod(x) is the product of x_k, k <= i, k != j (for i >= j). Dividing y_i by x_j is
 * exact only where x_j != 0, so with z the first zero of the row:
 *   j < z:  grad_j = sum_{i>=j} g_i y_i / x_j      (terms i >= z vanish, y_i = 0 there)
 *   j = z:  grad_z = sum_{i>=z} g_i y'_i           (y' = cumprod of x with x_z replaced by 1)
 *   j > z:  grad_j = 0                             (every product still holds x_z = 0)
 * Exact with any number of zeros, and written with tensor ops, so it can be differentiated again.
 */
const CUMPROD = scanSpec('prod', 'cumprod', (g, x, y, { dim, reverse }) => {
  const zero = x.eq(0);
  const zerosSoFar = scan(CUMSUM, zero, dim, reverse);
  const beforeZero = zerosSoFar.eq(0);
  const firstZero = zero.logicalAnd(zerosSoFar.eq(1));
  const beforeGrad = scan(CUMSUM, g.mul(y), dim, !reverse).div(where(beforeZero, x, 1));
  const yWithoutFirstZero = scan(CUMPROD, where(firstZero, 1, x), dim, reverse);
  const firstGrad = scan(CUMSUM, g.mul(yWithoutFirstZero), dim, !reverse);
  return where(beforeZero, beforeGrad, where(firstZero, firstGrad, 0));
});

export function scan(spec: OpSpec<ScanParams>, x: Tensor, dim: number, reverse: boolean): Tensor {
  assertTensor(x, spec.name);
  return apply(spec, [x], { dim: normDim(spec.name, dim, x.ndim), reverse });
}

/** Running sum along dim: out_i = x_0 + ... + x_i (ints and bools sum in i32). */
export const cumsum = (x: Tensor, dim: number): Tensor => scan(CUMSUM, x, dim, false);

/** Running product along dim: out_i = x_0 * ... * x_i; its gradient is exact where x holds zeros. */
export const cumprod = (x: Tensor, dim: number): Tensor => scan(CUMPROD, x, dim, false);
