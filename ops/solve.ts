// Linear solves: solve(A, B) = A^-1 B for a (batch of) square matrices (torch.linalg.solve), and inverse(A)
// (torch.linalg.inv), which is solve(A, I). One kernel (shaders/linalg.ts: Gauss-Jordan with partial pivoting, one
// workgroup per matrix) runs f32 on webgpu; the cpu reference runs the same elimination in float64.
//
// Singular input (an exactly zero pivot): the cpu backend raises, as torch does; on webgpu the kernel reports the
// matrix through the error-flag buffer, and the next readback raises the same message (as a bad index does).
// Batch dims broadcast, as in torch.
//
// Backward (with X = A^-1 B): dB = A^-T dX, dA = -dB X^T; written with solve and matmul, so it differentiates again.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { broadcastShapes, numel } from '../core/shape.js';
import { indexErrorBuffer, kernelReport, reportSubmit } from '../core/index-errors.js';
import { castScalar, isFloat } from '../core/dtype.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { solveKernel, solveKey, solveSource } from '../shaders/linalg.js';
import { apply, describe, empty, valuesOf, type OpSpec } from './op.js';
import { elementwise, sumTo } from './elementwise.js';
import { UNARY } from './unary.js';
import { eye } from './creation.js';

/** The shapes solve works on: A [..., n, n], B [..., n, k], their batch dims broadcast. */
function solveShapes(a: Tensor, b: Tensor): { batch: number[]; n: number; k: number } {
  const n = a.shape[a.ndim - 1];
  if (a.ndim < 2 || a.shape[a.ndim - 2] !== n) {
    throw new Error(`solve: A must be a square matrix or a batch of them [..., n, n], got ${describe(a)}`);
  }
  if (b.ndim < 2 || b.shape[b.ndim - 2] !== n) {
    throw new Error(`solve: B ${describe(b)} does not fit A ${describe(a)} (expected [..., ${n}, k] or [..., ${n}])`);
  }
  const batch = broadcastShapes('solve', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return { batch, n, k: b.shape[b.ndim - 1] };
}

const SOLVE: OpSpec = {
  name: 'solve',
  infer([a, b]) {
    for (const t of [a, b]) {
      if (!isFloat(t.dtype)) throw new Error(`solve: expected floating-point tensors, got ${describe(t)}`);
    }
    if (a.dtype !== b.dtype) throw new Error(`solve: A ${describe(a)} and B ${describe(b)} must have one dtype`);
    if (a.device === 'webgpu' && a.dtype !== 'f32')
      throw new Error(`solve: webgpu solves f32 only, got ${describe(a)}`);
    const { batch, n, k } = solveShapes(a, b);
    return { shape: [...batch, n, k], dtype: a.dtype };
  },
  cpu(out, [a, b]) {
    const { batch, n, k } = solveShapes(a, b);
    const m = valuesOf(a, [...batch, n, n]);
    const x = valuesOf(b, [...batch, n, k]);
    const dst = out.storage.cpu!;
    for (let s = 0; s < numel(batch); s++) {
      const where = eliminate(m.subarray(s * n * n, (s + 1) * n * n), x.subarray(s * n * k, (s + 1) * n * k), n, k);
      if (where >= 0) throw new Error(singularMessage(s, where));
    }
    for (let i = 0; i < x.length; i++) dst[i] = castScalar(out.dtype, x[i]);
  },
  webgpu(out, [a, b]) {
    const { batch, n, k } = solveShapes(a, b);
    const scratch = empty([...batch, n, n], 'f32', 'webgpu');
    elementwise(UNARY.cast, [a], [], { out: scratch });
    elementwise(UNARY.cast, [b], [], { out });
    const count = numel(batch);
    const report = kernelReport((word) => singularMessage(Math.floor(word / n), word % n));
    const m = solveKernel.meta().u32('n', n).u32('k', k).u32('batch', count).u32('report', report);
    const buffers = { a: scratch.storage.buffer!, x: out.storage.buffer!, err: indexErrorBuffer() };
    reportSubmit(report, solveKernel.dispatch(pipeline(solveKey, solveSource), buffers, m, grid(count)));
    scratch.dispose(); // freed after the submission that reads it
  },
  backward: (g, { inputs: [a, b], out }) => {
    const gb = solve(a.mT, g);
    return [a.requiresGrad ? sumTo(gb.matmul(out.mT).neg(), a.shape) : null, sumTo(gb, b.shape)];
  },
  saves: ({ inputs: [a], out }) => [a, out],
};

function singularMessage(batch: number, column: number): string {
  return `solve: the matrix is singular (batch ${batch}: no nonzero pivot in column ${column}), so A X = B has no unique solution`;
}

/**
 * Gauss-Jordan with partial pivoting on one n x n matrix `m` and right-hand sides `x` (n x k), both row-major,
 * in place: on return x holds the solution. Returns the column without a nonzero pivot, or -1.
 */
function eliminate(m: Float64Array, x: Float64Array, n: number, k: number): number {
  const swap = (arr: Float64Array, width: number, r1: number, r2: number) => {
    for (let j = 0; j < width; j++)
      [arr[r1 * width + j], arr[r2 * width + j]] = [arr[r2 * width + j], arr[r1 * width + j]];
  };
  for (let c = 0; c < n; c++) {
    let best = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[best * n + c])) best = r;
    if (!(Math.abs(m[best * n + c]) > 0)) return c;
    if (best !== c) {
      swap(m, n, c, best);
      swap(x, k, c, best);
    }
    const pivot = m[c * n + c];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c] / pivot;
      for (let j = c; j < n; j++) m[r * n + j] -= f * m[c * n + j];
      for (let j = 0; j < k; j++) x[r * k + j] -= f * x[c * k + j];
    }
  }
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) x[r * k + j] /= m[r * n + r];
  return -1;
}

/**
 * X with A X = B (torch.linalg.solve): A is [..., n, n]; B is [..., n, k], or [n] / [..., n] for a vector
 * right-hand side (torch's rule: B is a batch of vectors when its shape is A's without the last dim). With
 * { left: false }, X with X A = B.
 */
export function solve(a: Tensor, b: Tensor, opts: { left?: boolean } = {}): Tensor {
  assertTensor(a, 'solve');
  assertTensor(b, 'solve');
  for (const key of Object.keys(opts))
    if (key !== 'left') throw new Error(`solve: unknown option '${key}' (valid: left)`);
  const vector = b.ndim === 1 || (b.ndim === a.ndim - 1 && b.shape.every((s, d) => s === a.shape[d]));
  // left = false solves X A = B, which is A^T X^T = B^T (x A = b for a vector: A^T x = b)
  if (opts.left === false) return vector ? solve(a.mT, b) : solve(a.mT, b.mT).mT;
  if (!vector) return apply(SOLVE, [a, b], undefined);
  const column = b.unsqueeze(-1);
  const x = apply(SOLVE, [a, column], undefined);
  column.dispose();
  return x.squeeze(-1);
}

/** A^-1 for a (batch of) square matrices (torch.linalg.inv / Tensor.inverse): solve(A, I). */
export function inverse(a: Tensor): Tensor {
  assertTensor(a, 'inverse');
  if (a.ndim < 2 || a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new Error(`inverse: expected a square matrix or a batch of them [..., n, n], got ${describe(a)}`);
  }
  const n = a.shape[a.ndim - 1];
  const identity = eye(n, n, { dtype: a.dtype, device: a.device });
  const out = solve(a, identity);
  identity.dispose(); // solve's backward reads A and the output, not B
  return out;
}
