// matmul with PyTorch's rules: 1-D operands are promoted to matrices and the added dim removed afterwards,
// batch dims broadcast. The core op multiplies [..., M, K] by [..., K, N] through strides (no copies) and, for
// linear, adds a bias along the rows of the result in the kernel's store (one dispatch instead of two).
import { assertTensor, type Tensor } from '../core/tensor.js';
import { broadcastShapes, broadcastStrides, fmtShape, numel } from '../core/shape.js';
import { promote, isFloat } from '../core/dtype.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { matmulKernel, MAX_BATCH_RANK } from '../shaders/matmul.js';
import { selectVariant } from './matmul-select.js';
import { apply, describe, type OpSpec } from './op.js';
import { sumTo } from './elementwise.js';
import { noGrad } from '../core/autograd.js';

/** Strides of t's batch dims (all but the last two) broadcast to `batch`. */
const batchStrides = (t: Tensor, batch: readonly number[]): number[] =>
  broadcastStrides(t.shape.slice(0, -2), t.strides.slice(0, -2), batch);

/** The uniform layout and bindings every matmul variant shares (the buffer types differ per variant, not the names). */
const LAYOUT = matmulKernel({ type: 'f32' }, { type: 'f32' }, { type: 'f32' });
const LAYOUT_BIAS = matmulKernel({ type: 'f32' }, { type: 'f32' }, { type: 'f32' }, { type: 'f32' });

/** Stride of the bias along N: a bias of one element (shape [] or [1]) is broadcast to every column. */
const biasStride = (bias: Tensor): number => (bias.numel === 1 ? 0 : bias.strides[0]);

/**
 * a @ b, plus `bias` (inputs[2], shape [N], [1] or []: what linear fuses) added to every row. The bias is added
 * after the sum, in the store, on both backends.
 */
const MATMUL: OpSpec<void> = {
  name: 'matmul',
  infer([a, b, bias]) {
    const K = a.shape[a.ndim - 1];
    if (b.shape[b.ndim - 2] !== K) {
      throw new Error(`matmul: shapes ${describe(a)} and ${describe(b)} cannot be multiplied ` +
        `(${K} columns of the first vs ${b.shape[b.ndim - 2]} rows of the second)`);
    }
    const dtype = bias ? promote(promote(a.dtype, b.dtype), bias.dtype) : promote(a.dtype, b.dtype);
    if (!isFloat(dtype)) throw new Error(`matmul: expected float tensors, got ${a.dtype} and ${b.dtype}`);
    const N = b.shape[b.ndim - 1];
    if (bias && (bias.ndim > 1 || (bias.numel !== N && bias.numel !== 1))) {
      throw new Error(`matmul: a bias added along rows must have shape [${N}], [1] or [], got ${describe(bias)}`);
    }
    const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    return { shape: [...batch, a.shape[a.ndim - 2], b.shape[b.ndim - 1]], dtype };
  },
  cpu(out, [a, b, bias]) {
    const [M, K, N] = [a.shape[a.ndim - 2], a.shape[a.ndim - 1], b.shape[b.ndim - 1]];
    const batch = out.shape.slice(0, -2);
    const as = batchStrides(a, batch);
    const bs = batchStrides(b, batch);
    const A = a.storage.cpu!;
    const B = b.storage.cpu!;
    const C = out.storage.cpu!;
    const bv = bias ? Float64Array.from({ length: N }, (_, j) => bias.storage.cpu![bias.offset + j * biasStride(bias)]) : null;
    const [sam, sak] = a.strides.slice(-2);
    const [sbk, sbn] = b.strides.slice(-2);
    const row = new Float64Array(N);
    for (let z = 0; z < numel(batch); z++) {
      let ao = a.offset;
      let bo = b.offset;
      let rem = z;
      for (let d = batch.length - 1; d >= 0; d--) {
        const c = rem % batch[d];
        rem = Math.floor(rem / batch[d]);
        ao += c * as[d];
        bo += c * bs[d];
      }
      // Both loop orders add the k terms of each dot product in the same order, in float64, so they give the
      // same bits; i-k-j walks rows of b (fast when b's rows are contiguous), i-j-k walks columns of b (fast when
      // b is a transposed weight, as in linear)
      for (let i = 0; i < M; i++) {
        if (sbn === 1) {
          row.fill(0);
          for (let k = 0; k < K; k++) {
            const aik = A[ao + i * sam + k * sak];
            const bk = bo + k * sbk;
            for (let j = 0; j < N; j++) row[j] += aik * B[bk + j];
          }
        } else {
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let k = 0; k < K; k++) s += A[ao + i * sam + k * sak] * B[bo + k * sbk + j * sbn];
            row[j] = s;
          }
        }
        if (bv) for (let j = 0; j < N; j++) row[j] += bv[j];
        C.set(row, z * M * N + i * N);
      }
    }
  },
  webgpu(out, [a, b, bias]) {
    const [M, K, N] = [a.shape[a.ndim - 2], a.shape[a.ndim - 1], b.shape[b.ndim - 1]];
    const batch = out.shape.slice(0, -2);
    if (batch.length > MAX_BATCH_RANK) throw new Error(`matmul: at most ${MAX_BATCH_RANK} batch dims on webgpu, got ${fmtShape(batch)}`);
    const batches = numel(batch);
    const aBatch = batchStrides(a, batch);
    const bBatch = batchStrides(b, batch);
    const m = LAYOUT.meta()
      .u32('M', M).u32('N', N).u32('K', K).u32('batches', batches)
      .u32('sam', a.strides[a.ndim - 2]).u32('sak', a.strides[a.ndim - 1])
      .u32('sbk', b.strides[b.ndim - 2]).u32('sbn', b.strides[b.ndim - 1])
      .space('batch', batch).view('a', a.offset, aBatch).view('b', b.offset, bBatch);
    if (bias) m.u32('bias_offset', bias.offset).u32('sbias', biasStride(bias));
    const v = selectVariant({ M, N, K, a, b, out, aBatch, bBatch, bias });
    const buffers = { A: a.storage.buffer!, B: b.storage.buffer!, C: out.storage.buffer! };
    (bias ? LAYOUT_BIAS : LAYOUT).dispatch(pipeline(v.key(), v.source), bias ? { ...buffers, bias: bias.storage.buffer! } : buffers, m,
      grid(Math.ceil(N / v.cols) * Math.ceil(M / v.rows) * batches));
  },
  // dBias sums the output gradient over rows (and batch dims): sumTo undoes the bias's broadcast
  backward: (g, { inputs: [a, b, bias] }) => [
    a.requiresGrad ? sumTo(g.matmul(b.transpose(-1, -2)), a.shape) : null,
    b.requiresGrad ? sumTo(a.transpose(-1, -2).matmul(g), b.shape) : null,
    bias?.requiresGrad ? sumTo(g, bias.shape) : null,
  ],
  packedHalf: true,
};

/** Runs `fn` on linear's inputs with the weight [out, in] replaced by the matmul operand [in, out], a view made without autograd. */
function withWeightTransposed<R>([x, weight, ...bias]: Tensor[], fn: (inputs: Tensor[]) => R): R {
  const wt = noGrad(() => weight.transpose(0, 1));
  try {
    return fn([x, wt, ...bias]);
  } finally {
    wt.dispose();
  }
}

/**
 * x W^T (+ bias) as an op of its own, the weight [out, in] an input rather than a transposed view of it: its
 * gradient g^T x is then computed in the weight's layout and moves into weight.grad as it is. Through the view it
 * came back transposed and the sweep copied it into .grad: one copy per linear per step (16 of the 229 dispatches of
 * the 4-layer d64 GPT step).
 */
const LINEAR: OpSpec<void> = {
  name: 'linear',
  infer: (inputs) => withWeightTransposed(inputs, (ins) => MATMUL.infer(ins, undefined)),
  cpu: (out, inputs) => withWeightTransposed(inputs, (ins) => MATMUL.cpu(out, ins, undefined)),
  webgpu: (out, inputs) => withWeightTransposed(inputs, (ins) => MATMUL.webgpu(out, ins, undefined)),
  backward: (g, { inputs: [x, weight, bias] }) => {
    const rows = (t: Tensor) => t.reshape([-1, t.shape[t.ndim - 1]]); // batch dims folded into the rows
    return [
      x.requiresGrad ? g.matmul(weight) : null,
      weight.requiresGrad ? rows(g).transpose(0, 1).matmul(rows(x)) : null,
      bias?.requiresGrad ? sumTo(g, bias.shape) : null,
    ];
  },
  packedHalf: true,
};

/** Matrix product with torch.matmul's rules for 1-D, 2-D and batched operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return product('matmul', a, b, null);
}

/** a @ b (+ bias along rows), promoting 1-D operands to matrices and removing the added dims afterwards. */
function product(op: string, a: Tensor, b: Tensor, bias: Tensor | null): Tensor {
  assertTensor(a, op);
  assertTensor(b, op);
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`${op}: both operands need at least one dim, got ${describe(a)} and ${describe(b)}`);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  let out: Tensor;
  try {
    out = apply(MATMUL, bias ? [a2, b2, bias] : [a2, b2], undefined);
  } catch (e) {
    if (a2 !== a) a2.dispose();
    if (b2 !== b) b2.dispose();
    throw e;
  }
  if (b.ndim === 1) out = out.squeeze(-1);
  if (a.ndim === 1) out = out.squeeze(a.ndim === 1 && b.ndim === 1 ? -1 : -2);
  return out;
}

/** Batched matmul of two 3-D tensors (torch.bmm). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new Error(`bmm: expected two 3-D tensors with the same batch size, got ${describe(a)} and ${describe(b)}`);
  }
  return matmul(a, b);
}

/** Outer product of two vectors. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`outer: expected two 1-D tensors, got ${describe(a)} and ${describe(b)}`);
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

/** x W^T + b, as torch.nn.functional.linear (weight is [out, in]). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertTensor(x, 'linear');
  assertTensor(weight, 'linear');
  if (weight.ndim !== 2 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new Error(`linear: input ${describe(x)} does not match weight ${describe(weight)} (expected weight [out, ${x.shape[x.ndim - 1]}])`);
  }
  if (bias) assertTensor(bias, 'linear');
  if (bias && bias.ndim === 1 && bias.numel !== weight.shape[0] && bias.numel !== 1) {
    throw new Error(`linear: bias ${describe(bias)} does not match weight ${describe(weight)} (expected bias [${weight.shape[0]}])`);
  }
  // a bias of shape [out] (or one element) is added in the matmul's store; other shapes broadcast as an add
  const fused = bias && bias.ndim <= 1 && (bias.numel === weight.shape[0] || bias.numel === 1) ? bias : null;
  const rows = x.ndim === 1 ? x.unsqueeze(0) : x;
  let out: Tensor;
  try {
    out = apply(LINEAR, fused ? [rows, weight, fused] : [rows, weight], undefined);
  } catch (e) {
    if (rows !== x) rows.dispose();
    throw e;
  }
  if (x.ndim === 1) out = out.squeeze(0);
  return bias && !fused ? out.add(bias) : out;
}
