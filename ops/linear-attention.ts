// Causal linear attention, y_i = sum_{j<=i} (phi(q_i).phi(k_j)) v_j / (sum_{j<=i} phi(q_i).phi(k_j) + eps), in its
// three equal forms: the fused prefix-sum op (training, O(T F Dv)), the parallel masked form (O(T^2), the reference
// and the backward), and a recurrent state for decoding one token at a time (nn/attention/linear-attention-state.ts).
// Shapes: phi(q), phi(k) [B, H, T, F] (features, already mapped), v [B, H, T, Dv].
import type { Tensor } from '../core/tensor.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import {
  linearAttentionKernel, linearAttentionKey, linearAttentionSource, LINEAR_COLUMNS, MAX_FEATURES,
} from '../shaders/linear-attention.js';
import { apply, describe, valuesOf, type Grads, type OpSpec } from './op.js';
import { visibilityMask } from './attention-bias.js';

export const LINEAR_EPS = 1e-6;

interface Params { eps: number }

/** The lower-triangular 0/1 matrix [T, T] of `like`'s device and dtype. */
const causalOnes = (T: number, like: Tensor) => visibilityMask(T, T, { causal: true, window: 0, qOffset: 0 }, like.device).cast(like.dtype);

const LINEAR_ATTENTION: OpSpec<Params> = {
  name: 'linearAttention',
  infer([pq, pk, v]) {
    const ok = pq.ndim === 4 && pq.shape.join() === pk.shape.join() && v.ndim === 4 && v.shape.slice(0, 3).join() === pq.shape.slice(0, 3).join();
    if (!ok) throw new Error(`linearAttention: expected phi(q), phi(k) [B, H, T, F] and v [B, H, T, Dv], got ${describe(pq)}, ${describe(pk)}, ${describe(v)}`);
    if (pq.dtype !== pk.dtype || pq.dtype !== v.dtype) throw new Error(`linearAttention: inputs must share a dtype, got ${pq.dtype}, ${pk.dtype}, ${v.dtype}`);
    if (pq.device === 'webgpu' && pq.shape[3] > MAX_FEATURES) throw new Error(`linearAttention: ${pq.shape[3]} features exceed the ${MAX_FEATURES} of the webgpu kernel`);
    return { shape: v.shape, dtype: v.dtype };
  },
  cpu(out, [pq, pk, v], { eps }) {
    const [B, H, T, F] = pq.shape;
    const Dv = v.shape[3];
    const [Q, K, V] = [valuesOf(pq), valuesOf(pk), valuesOf(v)];
    const O = out.storage.cpu!;
    for (let bh = 0; bh < B * H; bh++) {
      const S = new Float64Array(F * Dv);
      const z = new Float64Array(F);
      for (let t = 0; t < T; t++) {
        const row = bh * T + t;
        for (let f = 0; f < F; f++) {
          z[f] += K[row * F + f];
          for (let e = 0; e < Dv; e++) S[f * Dv + e] += K[row * F + f] * V[row * Dv + e];
        }
        let den = 0;
        for (let f = 0; f < F; f++) den += Q[row * F + f] * z[f];
        for (let e = 0; e < Dv; e++) {
          let num = 0;
          for (let f = 0; f < F; f++) num += Q[row * F + f] * S[f * Dv + e];
          O[row * Dv + e] = num / (den + eps);
        }
      }
    }
  },
  webgpu(out, [pq, pk, v], { eps }) {
    const [B, H, T, F] = pq.shape;
    const Dv = v.shape[3];
    const decl = linearAttentionKernel(v.dtype);
    const m = decl.meta().u32('H', H).u32('T', T).u32('F', F).u32('Dv', Dv).f32('eps', eps).u32('batchHeads', B * H)
      .list('q', [pq.offset, ...pq.strides]).list('k', [pk.offset, ...pk.strides]).list('v', [v.offset, ...v.strides]);
    decl.dispatch(pipeline(linearAttentionKey(v.dtype), () => linearAttentionSource(v.dtype)),
      { PQ: pq.storage.buffer!, PK: pk.storage.buffer!, V: v.storage.buffer!, O: out.storage.buffer! }, m,
      grid(Math.ceil(Dv / LINEAR_COLUMNS) * B * H));
  },
  // y = N / d with N = A v, d = A 1 + eps: dN = dy / d, dd = -rowsum(dy * y) / d, dA = (dN v^T + dd) masked,
  // dv = A^T dN, dphi(q) = dA phi(k), dphi(k) = dA^T phi(q).
  backward(g, { inputs: [pq, pk, v], out, params: { eps } }): Grads {
    const mask = causalOnes(pq.shape[2], pq);
    const A = pq.matmul(pk.transpose(-1, -2)).mul(mask);
    const den = A.sum(-1, true).add(eps);
    const dN = g.div(den);
    const dA = dN.matmul(v.transpose(-1, -2)).sub(g.mul(out).sum(-1, true).div(den)).mul(mask);
    return [
      pq.requiresGrad ? dA.matmul(pk) : null,
      pk.requiresGrad ? dA.transpose(-1, -2).matmul(pq) : null,
      v.requiresGrad ? A.transpose(-1, -2).matmul(dN) : null,
    ];
  },
  saves: ({ inputs, out }) => [...inputs, out],
  packedHalf: true,
};

/** Causal linear attention over mapped features (fused prefix sums on webgpu). */
export function linearAttention(phiQ: Tensor, phiK: Tensor, v: Tensor, opts: { eps?: number } = {}): Tensor {
  return apply(LINEAR_ATTENTION, [phiQ, phiK, v], { eps: opts.eps ?? LINEAR_EPS });
}

/** The parallel masked form, (A v) / (A 1 + eps): quadratic in T, from plain tensor ops. */
export function linearAttentionParallel(phiQ: Tensor, phiK: Tensor, v: Tensor, opts: { eps?: number } = {}): Tensor {
  const A = phiQ.matmul(phiK.transpose(-1, -2)).mul(causalOnes(phiQ.shape[2], phiQ));
  return A.matmul(v).div(A.sum(-1, true).add(opts.eps ?? LINEAR_EPS));
}
