// Scaled dot-product attention, softmax(q k^T * scale + bias) v, as one op: the fused flash kernel on webgpu, a
// plain loop on the cpu. The backward is fused too on webgpu (it recomputes the probabilities from the log-sum-exp
// the forward saved); on the cpu, and when a graph of the backward itself is wanted (createGraph), it is written
// with tensor ops from the unfused math. Adapters with subgroups of one fixed size run the subgroup kernels
// (shaders/attention-subgroup.ts, attention-backward-subgroup.ts); others the workgroup-memory ones
// (shaders/attention.ts, attention-backward.ts). On lavapipe, B1 H4 D64 T512 causal, the subgroup forward + backward
// took 81 ms of CPU time against 183 for the workgroup-memory kernels and 108 for the unfused ops.
// Shapes: q [B, H, T, D], k and v [B, Hkv, S, D] with H a multiple of Hkv (grouped-query attention: query head h
// reads key/value head floor(h / (H / Hkv))), an optional additive mask broadcastable to [B, H, T, S] (e.g. a tree
// mask for speculative decoding), causal masking and a sliding window (see attention-bias.ts for which keys a query sees).
// packedSelfAttention is the same op over one packed projection [B, T, H + 2 Hkv, D] (MultiHeadAttention's): the
// kernels take the rows they write as offsets and strides, so its output comes out as [B, T, H, D] and its gradient
// as one tensor shaped like the projection.
import type { Tensor } from '../core/tensor.js';
import { broadcastShapes, contiguousStrides, type Shape } from '../core/shape.js';
import { isGradEnabled } from '../core/autograd.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import type { Kernel, Meta } from '../shaders/kernel.js';
import { flashForwardKernel, flashKey, flashSource, FLASH_ROWS, MAX_HEAD_DIM, vec4Operands } from '../shaders/attention.js';
import {
  flashGradKVKernel, flashGradKVKey, flashGradKVSource, flashGradQKernel, flashGradQKey, flashGradQSource,
} from '../shaders/attention-backward.js';
import {
  flashGradKVSubgroupKey, flashGradKVSubgroupSource, flashGradQSubgroupKey, flashGradQSubgroupSource,
} from '../shaders/attention-backward-subgroup.js';
import { flashSubgroupKey, flashSubgroupSource } from '../shaders/attention-subgroup.js';
import { gpu } from '../core/device.js';
import { apply, describe, empty, valuesOf, type Grads, type OpSpec } from './op.js';
import { zeros } from './creation.js';
import { cat } from './shape-ops.js';
import { sumTo } from './elementwise.js';
import { softmax } from './softmax.js';
import { visibilityBias, visible, type Visibility } from './attention-bias.js';

export interface AttentionOptions {
  /** each query sees only keys at or before its own position (default false) */
  causal?: boolean;
  /** a query sees only the last `window` keys up to its position, itself included (needs causal) */
  window?: number;
  /** additive mask broadcastable to [B, H, T, S]: 0 keeps a key, -Infinity hides it */
  mask?: Tensor | null;
  /** default 1 / sqrt(D) */
  scale?: number;
  /** key position of the first query (default S - T: the queries are the last T keys) */
  qOffset?: number;
}

interface Params extends Visibility {
  scale: number;
  hasMask: boolean;
  /** webgpu, when a backward will follow: [2, B H T] f32, the forward's log-sum-exp per row, then room for Delta */
  stats?: Tensor;
}

/** Reshapes [B, H, ...] to [B, Hkv, H / Hkv, ...] so query groups broadcast against their shared K/V head. */
function grouped(x: Tensor, hkv: number): Tensor {
  return x.reshape([x.shape[0], hkv, x.shape[1] / hkv, ...x.shape.slice(2)]);
}

/** The mask as [b, hkv | 1, group | 1, T, S], matching grouped scores. */
function groupedMask(mask: Tensor, hkv: number): Tensor {
  const m4 = mask.reshape([...new Array(4 - mask.ndim).fill(1), ...mask.shape]);
  return m4.shape[1] === 1 ? m4.unsqueeze(2) : grouped(m4, hkv);
}

/** Attention probabilities in grouped form [B, Hkv, group, T, S], from the unfused math. */
function probabilities(q: Tensor, k: Tensor, mask: Tensor | null, p: Params): Tensor {
  const [T, S, hkv] = [q.shape[2], k.shape[2], k.shape[1]];
  let scores = grouped(q, hkv).matmul(k.unsqueeze(2).transpose(-1, -2)).mul(p.scale);
  if (p.causal || p.window > 0) scores = scores.add(visibilityBias(T, S, p, q.device).cast(q.dtype));
  if (mask) scores = scores.add(groupedMask(mask, hkv));
  return softmax(scores, -1);
}

/** The cpu forward into `out`, whose row (b, h, i) starts at `rowAt(b, h, i)` (the op's [B, H, T, D], or [B, T, H, D]). */
function attentionCpu(out: Tensor, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, p: Params, rowAt: (b: number, h: number, i: number) => number): void {
  const [B, H, T, D] = q.shape;
  const [hkv, S] = [k.shape[1], k.shape[2]];
  const [Q, K, V] = [valuesOf(q), valuesOf(k), valuesOf(v)];
  const M = mask ? valuesOf(mask, [B, H, T, S]) : null;
  const O = out.storage.cpu!;
  const group = H / hkv;
  const scores = new Float64Array(S);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) {
    const qRow = ((b * H + h) * T + i) * D;
    const kvBase = (b * hkv + Math.floor(h / group)) * S;
    let max = -Infinity;
    for (let j = 0; j < S; j++) {
      let s = -Infinity;
      if (visible(i, j, p)) {
        s = 0;
        for (let d = 0; d < D; d++) s += Q[qRow + d] * K[(kvBase + j) * D + d];
        s = s * p.scale + (M ? M[((b * H + h) * T + i) * S + j] : 0);
      }
      scores[j] = s;
      max = Math.max(max, s);
    }
    let total = 0;
    for (let j = 0; j < S; j++) total += scores[j] = max === -Infinity ? 0 : Math.exp(scores[j] - max);
    const oRow = rowAt(b, h, i);
    for (let d = 0; d < D; d++) {
      let acc = 0;
      for (let j = 0; j < S; j++) acc += scores[j] * V[(kvBase + j) * D + d];
      O[oRow + d] = total > 0 ? acc / total : 0;
    }
  }
}

/** The fused forward into `o` (a [B, H, T, D] view with a contiguous head dim); saves the log-sum-exp in p.stats
 * when a backward will follow (some of `inputs`, the op's, needs a gradient). */
function flashForward(o: Tensor, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, p: Params, inputs: Tensor[]): void {
  const [B, H, T, D] = q.shape;
  const dt = q.dtype;
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) p.stats = empty([2 * B * H * T], 'f32', 'webgpu');
  const lse = !!p.stats;
  const SG = laneSize();
  const vec4 = !!SG && vec4Operands(dt, D, [q, k, v]);
  const decl = flashForwardKernel(dt, lse, vec4);
  const buffers = { Q: q, K: k, V: v, M: mask ?? q, O: o, ...(p.stats ? { LSE: p.stats } : {}) };
  const pipe = SG
    ? pipeline(flashSubgroupKey(dt, D, SG, lse, vec4), () => flashSubgroupSource(dt, D, SG, lse, vec4))
    : pipeline(flashKey(dt, D, lse), () => flashSource(dt, D, lse));
  decl.dispatch(pipe, buffersOf(buffers), flashMeta(decl, q, k, v, mask, o, p), grid(Math.ceil(T / rowsPerWorkgroup(SG)) * B * H));
}

// With P the probabilities and O the output: dV = P^T dO, dS = P * (dO V^T - rowsum(dO * O)), dQ = dS K scale,
// dK = dS^T Q scale (Dao et al. 2022, eq. in App. B.2), summed over the query heads that share a K/V head. Written
// with tensor ops (the cpu backward, and a backward that is itself differentiated).
function unfusedGrads(g: Tensor, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, out: Tensor, p: Params,
  need = [q.requiresGrad, k.requiresGrad, v.requiresGrad]): Grads {
  const hkv = k.shape[1];
  const probs = probabilities(q, k, mask, p);
  const g5 = grouped(g, hkv);
  const v5 = v.unsqueeze(2);
  const dS = probs.mul(g5.matmul(v5.transpose(-1, -2)).sub(g5.mul(grouped(out, hkv)).sum(-1, true)));
  const dq = need[0] ? dS.matmul(k.unsqueeze(2)).mul(p.scale).reshape(q.shape) : null;
  const dk = need[1] ? dS.transpose(-1, -2).matmul(grouped(q, hkv)).sum(2).mul(p.scale) : null;
  const dv = need[2] ? probs.transpose(-1, -2).matmul(g5).sum(2) : null;
  const dmask = mask?.requiresGrad ? sumTo(dS.reshape([q.shape[0], q.shape[1], q.shape[2], k.shape[2]]), mask.shape) : null;
  return [dq, dk, dv, dmask];
}

const ATTENTION: OpSpec<Params> = {
  name: 'attention',
  infer([q, k, v, mask]) {
    const bad = q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4 || k.shape.join() !== v.shape.join() || q.shape[0] !== k.shape[0] ||
      q.shape[3] !== k.shape[3] || q.shape[1] % k.shape[1] !== 0;
    if (bad) {
      throw new Error(`attention: expected q [B, H, T, D], k and v [B, Hkv, S, D] with H a multiple of Hkv, ` +
        `got q ${describe(q)}, k ${describe(k)}, v ${describe(v)}`);
    }
    if (q.dtype !== k.dtype || q.dtype !== v.dtype) throw new Error(`attention: q, k, v must share a dtype, got ${q.dtype}, ${k.dtype}, ${v.dtype}`);
    if (q.device === 'webgpu' && q.shape[3] > MAX_HEAD_DIM) throw new Error(`attention: head dim ${q.shape[3]} exceeds the ${MAX_HEAD_DIM} of the webgpu kernel`);
    if (mask) {
      if (mask.dtype !== q.dtype) throw new Error(`attention: the additive mask must have q's dtype ${q.dtype}, got ${describe(mask)}`);
      const full = [q.shape[0], q.shape[1], q.shape[2], k.shape[2]];
      const b = broadcastShapes('attention mask', mask.shape, full);
      if (b.join() !== full.join() || mask.ndim > 4) throw new Error(`attention: mask ${describe(mask)} does not broadcast to [${full}]`);
    }
    return { shape: q.shape, dtype: q.dtype };
  },
  cpu(out, [q, k, v, mask], p) {
    const [H, T, D] = q.shape.slice(1);
    attentionCpu(out, q, k, v, mask ?? null, p, (b, h, i) => ((b * H + h) * T + i) * D);
  },
  webgpu(out, inputs, p) {
    const [q, k, v, mask] = inputs;
    flashForward(out, q, k, v, mask ?? null, p, inputs);
  },
  backward(g, { inputs: [q, k, v, mask], out, params: p }): Grads {
    if (!p.stats || isGradEnabled()) return unfusedGrads(g, q, k, v, mask ?? null, out, p);
    const maskGrad = !!mask?.requiresGrad;
    const [B, H, T, D] = q.shape;
    const dqLength = B * H * T * D;
    const qOut = maskGrad ? zeros([dqLength + B * H * T * k.shape[2]], { dtype: q.dtype, device: 'webgpu' }) : empty([dqLength], q.dtype, 'webgpu');
    const kvOut = empty([2 * k.numel], q.dtype, 'webgpu');
    const [dq, dk, dv] = [part(qOut, q.shape, 0), part(kvOut, k.shape, 0), part(kvOut, k.shape, k.numel)];
    const dmask = flashBackward(g, q, k, v, mask ?? null, out, p, { dq, dk, dv, dsAt: dqLength });
    qOut.dispose();
    kvOut.dispose();
    return [keepIf(dq, q.requiresGrad), keepIf(dk, k.requiresGrad), keepIf(dv, v.requiresGrad), dmask];
  },
  saves: ({ inputs, out }) => [...inputs, out],
  packedHalf: true,
};

const buffersOf = (ts: Record<string, Tensor>): Record<string, GPUBuffer> =>
  Object.fromEntries(Object.entries(ts).map(([name, t]) => [name, t.storage.buffer!]));

/** The uniforms of the rows a flash kernel writes (or reads, o): offset and (b, h, t) strides of a [B, heads, T, D]
 * view whose head dim is contiguous. */
const rows = (t: Tensor): number[] => {
  if (t.strides[3] !== 1) throw new Error(`internal: attention rows need a contiguous head dim, got strides [${t.strides}]`);
  return [t.offset, ...t.strides.slice(0, 3)];
};

/** The uniforms of flash kernel `decl`: sizes, masking, the strides of q, k, v and the mask, the rows of the output o. */
function flashMeta(decl: Kernel, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, o: Tensor, p: Params): Meta {
  const [B, H, T] = q.shape;
  const [hkv, S] = [k.shape[1], k.shape[2]];
  const maskStrides = (m: Tensor) => {
    const shape = [...new Array(4 - m.ndim).fill(1), ...m.shape];
    const strides = [...new Array(4 - m.ndim).fill(0), ...m.strides];
    return [m.offset, ...strides.map((s, i) => (shape[i] === 1 ? 0 : s))];
  };
  return decl.meta().u32('H', H).u32('T', T).u32('S', S).u32('group', H / hkv)
    .i32('qOffset', p.qOffset).u32('window', p.window).u32('causal', p.causal ? 1 : 0).f32('scale', p.scale)
    .u32('hasMask', mask ? 1 : 0).u32('batchHeads', B * H)
    .list('q', [q.offset, ...q.strides]).list('k', [k.offset, ...k.strides]).list('v', [v.offset, ...v.strides])
    .list('mask', mask ? maskStrides(mask) : [0, 0, 0, 0, 0]).list('o', rows(o));
}

/** A contiguous view of `length` elements of `flat` from `start`, shaped `shape`. */
const part = (flat: Tensor, shape: Shape, start: number): Tensor => flat.viewOf(shape, contiguousStrides(shape), start);

let subgroupKernels = true;
/** Turns the subgroup flash kernels off (the workgroup-memory ones run instead): for benchmarks that compare them. */
export function setSubgroupAttention(on: boolean): void {
  subgroupKernels = on;
}

/** The subgroup size the subgroup kernels are written for (they broadcast from constant lanes), or null for none. */
const laneSize = (): number | null => (gpu().hasSubgroups && subgroupKernels ? gpu().subgroupSize : null);
/** Query rows (or keys) per workgroup: one subgroup's worth, or the workgroup-memory kernels' FLASH_ROWS. */
const rowsPerWorkgroup = (SG: number | null): number => SG ?? FLASH_ROWS;

/** Where the fused backward writes: dq [B, H, T, D] in one storage, dk and dv [B, Hkv, S, D] in another, each with its
 * head dim contiguous; the score gradient dS (when the mask needs one) goes in dq's storage from element dsAt. */
interface GradTargets {
  dq: Tensor;
  dk: Tensor;
  dv: Tensor;
  dsAt: number;
}

/**
 * The fused backward (shaders/attention-backward-subgroup.ts where the adapter has subgroups of one fixed size,
 * else shaders/attention-backward.ts): the dQ kernel (which also writes Delta = rowsum(dO * O) into
 * the stats), then the dK/dV kernel, writing into `into`. Only a mask that needs a gradient gets its [B, H, T, S] dS
 * written (into dq's storage, which must then be zeroed); the mask's gradient is returned.
 */
function flashBackward(g: Tensor, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, out: Tensor, p: Params, into: GradTargets): Tensor | null {
  const [B, H, T, D] = q.shape;
  const [hkv, S] = [k.shape[1], k.shape[2]];
  const maskGrad = !!mask?.requiresGrad;
  const meta = (decl: Kernel) =>
    flashMeta(decl, q, k, v, mask, out, p).list('g', [g.offset, ...g.strides]).u32('writeDs', maskGrad ? 1 : 0)
      .list('dq', rows(into.dq)).list('dk', rows(into.dk)).list('dv', rows(into.dv)).u32('dsAt', into.dsAt);
  const m = mask ?? q;
  const dt = q.dtype;
  // the subgroup kernels broadcast from constant lanes, so they need one fixed subgroup size
  const SG = laneSize();
  const perGroup = rowsPerWorkgroup(SG);
  const vec4 = !!SG && vec4Operands(dt, D, [q, k, v, g]);
  const dq = flashGradQKernel(dt, vec4);
  const dqPipe = SG
    ? pipeline(flashGradQSubgroupKey(dt, D, SG, vec4), () => flashGradQSubgroupSource(dt, D, SG, vec4))
    : pipeline(flashGradQKey(dt, D), () => flashGradQSource(dt, D));
  dq.dispatch(dqPipe, buffersOf({ Q: q, K: k, V: v, M: m, G: g, O: out, STATS: p.stats!, OUT: into.dq }), meta(dq),
    grid(Math.ceil(T / perGroup) * B * H));
  const dkv = flashGradKVKernel(dt, vec4);
  const dkvPipe = SG
    ? pipeline(flashGradKVSubgroupKey(dt, D, SG, vec4), () => flashGradKVSubgroupSource(dt, D, SG, vec4))
    : pipeline(flashGradKVKey(dt, D), () => flashGradKVSource(dt, D));
  dkv.dispatch(dkvPipe, buffersOf({ Q: q, K: k, V: v, M: m, G: g, STATS: p.stats!, OUT: into.dk }), meta(dkv),
    grid(Math.ceil(S / perGroup) * B * hkv));
  if (!maskGrad) return null;
  const dS = part(into.dq, [B, H, T, S], into.dsAt);
  const dmask = sumTo(dS, mask!.shape);
  if (dmask !== dS) dS.dispose();
  return dmask;
}

/** `t` when a gradient is needed, else null (and `t` freed). */
const keepIf = (t: Tensor, keep: boolean): Tensor | null => {
  if (keep) return t;
  t.dispose();
  return null;
};

function resolve(q: Tensor, k: Tensor, opts: AttentionOptions): Params {
  return resolveSizes(q.shape[2], k.shape[2], q.shape[3], opts);
}

/** The params for T queries against S keys of head dim D. */
function resolveSizes(T: number, S: number, D: number, opts: AttentionOptions): Params {
  const window = opts.window ?? 0;
  if (!Number.isInteger(window) || window < 0) throw new Error(`attention: window must be a non-negative integer, got ${window}`);
  if (window > 0 && !opts.causal) throw new Error('attention: a sliding window needs causal: true');
  return {
    causal: opts.causal ?? false,
    window,
    qOffset: opts.qOffset ?? S - T,
    scale: opts.scale ?? 1 / Math.sqrt(D),
    hasMask: !!opts.mask,
  };
}

/** softmax(q k^T scale + mask) v with causal / sliding-window / grouped-query options; fused on webgpu. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const params = resolve(q, k, opts);
  return apply(ATTENTION, opts.mask ? [q, k, v, opts.mask] : [q, k, v], params);
}

/** The same attention from unfused tensor ops (matmul, exp, sum): the reference the fused kernel is checked against. */
export function attentionUnfused(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const params = resolve(q, k, opts);
  return probabilities(q, k, opts.mask ?? null, params).matmul(v.unsqueeze(2)).reshape(q.shape);
}

/** The attention probabilities [B, H, T, S] (for inspection and attention-transfer losses). */
export function attentionWeights(q: Tensor, k: Tensor, opts: AttentionOptions = {}): Tensor {
  const params = resolve(q, k, opts);
  return probabilities(q, k, opts.mask ?? null, params).reshape([q.shape[0], q.shape[1], q.shape[2], k.shape[2]]);
}

interface PackedParams extends Params {
  heads: number;
  kvHeads: number;
}

/** The q, k, v heads [B, heads, T, D] of a packed projection [B, T, H + 2 Hkv, D], as plain views (no autograd). */
function packedHeads(qkv: Tensor, H: number, Hkv: number): [Tensor, Tensor, Tensor] {
  const [B, T, , D] = qkv.shape;
  const [sb, st, sh, sd] = qkv.strides;
  const heads = (start: number, n: number) => qkv.viewOf([B, n, T, D], [sb, sh, st, sd], qkv.offset + start * sh);
  return [heads(0, H), heads(H, Hkv), heads(H + Hkv, Hkv)];
}

/** [B, T, H, D] viewed as [B, H, T, D] (a plain view, no autograd). */
const headsFirst = (t: Tensor): Tensor =>
  t.viewOf([t.shape[0], t.shape[2], t.shape[1], t.shape[3]], [t.strides[0], t.strides[2], t.strides[1], t.strides[3]], t.offset);

/** Runs `f` on the q, k, v heads of `qkv` and frees the views after. */
function withHeads<T>(qkv: Tensor, p: PackedParams, f: (q: Tensor, k: Tensor, v: Tensor) => T): T {
  const views = packedHeads(qkv, p.heads, p.kvHeads);
  try {
    return f(...views);
  } finally {
    views.forEach((t) => t.dispose());
  }
}

// Self-attention over a packed projection: the same math as ATTENTION on the head views of qkv, but the output is
// [B, T, H, D] and the gradient is one tensor shaped like qkv, which the fused backward writes in place (dq, dk, dv
// rows at their heads' offsets). As views, q, k, v would each get a gradient of their own, added into a zeroed
// gradient of qkv by the slices' backward: a fill, a copy and two adds per call, and the output's transpose back to
// [B, T, H * D] one more copy.
const PACKED_ATTENTION: OpSpec<PackedParams> = {
  name: 'packedAttention',
  infer([qkv, mask], p) {
    if (qkv.ndim !== 4 || qkv.shape[2] !== p.heads + 2 * p.kvHeads) {
      throw new Error(`packedSelfAttention: expected qkv [B, T, H + 2 Hkv, D] with H ${p.heads}, Hkv ${p.kvHeads}, got ${describe(qkv)}`);
    }
    const { dtype } = withHeads(qkv, p, (q, k, v) => ATTENTION.infer(mask ? [q, k, v, mask] : [q, k, v], p));
    const [B, T, , D] = qkv.shape;
    return { shape: [B, T, p.heads, D], dtype };
  },
  cpu(out, [qkv, mask], p) {
    const [T, H, D] = out.shape.slice(1);
    withHeads(qkv, p, (q, k, v) => attentionCpu(out, q, k, v, mask ?? null, p, (b, h, i) => ((b * T + i) * H + h) * D));
  },
  webgpu(out, inputs, p) {
    const [qkv, mask] = inputs;
    const o = headsFirst(out);
    withHeads(qkv, p, (q, k, v) => flashForward(o, q, k, v, mask ?? null, p, inputs));
    o.dispose();
  },
  backward(g, { inputs: [qkv, mask], out, params: p }): Grads {
    const [H, Hkv] = [p.heads, p.kvHeads];
    if (!p.stats || isGradEnabled()) {
      const heads = (start: number, n: number) => qkv.narrow(2, start, n).transpose(1, 2);
      const [q, k, v] = [heads(0, H), heads(H, Hkv), heads(H + Hkv, Hkv)];
      const [dq, dk, dv, dmask] = unfusedGrads(g.transpose(1, 2), q, k, v, mask ?? null, out.transpose(1, 2), p, [true, true, true]);
      return [cat([dq!, dk!, dv!].map((d) => d.transpose(1, 2)), 2), dmask];
    }
    const [B, T] = qkv.shape;
    const n = qkv.numel;
    const flat = mask?.requiresGrad ? zeros([n + B * H * T * T], { dtype: qkv.dtype, device: 'webgpu' }) : empty([n], qkv.dtype, 'webgpu');
    const grad = part(flat, qkv.shape, 0);
    flat.dispose();
    const [dq, dk, dv] = packedHeads(grad, H, Hkv);
    const [gh, o] = [headsFirst(g), headsFirst(out)];
    const dmask = withHeads(qkv, p, (q, k, v) => flashBackward(gh, q, k, v, mask ?? null, o, p, { dq, dk, dv, dsAt: n }));
    [dq, dk, dv, gh, o].forEach((t) => t.dispose());
    return [grad, dmask];
  },
  saves: ({ inputs, out }) => [...inputs, out],
  packedHalf: true,
};

/**
 * Self-attention over a packed q/k/v projection qkv [B, T, H + 2 Hkv, D] (the q heads, then the k heads, then the v
 * heads, as MultiHeadAttention's qkvProj makes them), returning [B, T, H, D]: scaledDotProductAttention on the heads
 * of qkv, transposed back, in fewer dispatches (see PACKED_ATTENTION). Keys are the queries' own positions (T = S).
 */
export function packedSelfAttention(qkv: Tensor, heads: number, kvHeads: number, opts: AttentionOptions = {}): Tensor {
  const [T, D] = [qkv.shape[1], qkv.shape[3]];
  const params: PackedParams = { ...resolveSizes(T, T, D, opts), heads, kvHeads };
  return apply(PACKED_ATTENTION, opts.mask ? [qkv, opts.mask] : [qkv], params);
}
