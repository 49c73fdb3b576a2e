// Hybrid attention (LoLCATs form, Zhang et al. 2024, eq. 5): sliding-window softmax over the last W keys plus
// linear attention over the older keys, with ONE shared normaliser:
//   a_ij = gamma exp(s_ij - m_i)            for j in Win(i) = {i-W < j <= i},   s_ij = q_i.k_j * scale,
//   a_ij = lambda phi(q_i).phi(k_j)         for j in Lin(i) = {j <= i-W},
//   y_i  = sum_j a_ij v_j / (sum_j a_ij + eps),   m_i = max_{j in Win(i)} s_ij.
// The linear branch is not shifted by m_i, so y depends on m_i (the SWA:LA balance is query dependent, as in
// LoLCATs) and the gradient flows through the max.
// Turning the window branch off gives linear attention over all j <= i; turning the linear branch off gives
// sliding-window softmax. `linearShare` is each query's share of the attention mass in the linear branch.
import { Tensor, noGrad, keep, tidy } from '../../core/index.js';
import { zeros, tensor } from '../../ops/index.js';
import { visibilityBias, visibilityMask } from '../../ops/attention-bias.js';
import { LINEAR_EPS } from '../../ops/linear-attention.js';
import { LinearAttentionState } from './linear-attention-state.js';

export interface HybridOptions {
  window: number;
  /** mapped features phi(q), phi(k) [B, H, T, F] */
  phiQ: Tensor;
  phiK: Tensor;
  /** gamma: the window branch's weight, a number or per-head [H] tensor (already squashed); default 1 */
  gate?: Tensor | number;
  /** lambda: the linear branch's weight; default 1 */
  lambda?: number;
  useWindow?: boolean;
  useLinear?: boolean;
  scale?: number;
  eps?: number;
}

/** gamma as something that broadcasts against [B, H, T, S]. */
const perHead = (g: Tensor | number): Tensor | number => (typeof g === 'number' ? g : g.reshape([g.numel, 1, 1]));

function checkBranches(useWindow: boolean, useLinear: boolean): void {
  if (!useWindow && !useLinear) throw new Error('hybridAttention: both branches are switched off; keep at least one');
}

/** The quadratic masked form over q, k [B, H, T, d] and v [B, H, T, Dv]: returns y and the linear branch's share [B, H, T]. */
export function hybridAttention(q: Tensor, k: Tensor, v: Tensor, opts: HybridOptions): { y: Tensor; linearShare: Tensor } {
  const { window } = opts;
  const useWindow = opts.useWindow ?? true;
  const useLinear = opts.useLinear ?? true;
  checkBranches(useWindow, useLinear);
  if (!Number.isInteger(window) || window < 1) throw new Error(`hybridAttention: window must be a positive integer, got ${window}`);
  const T = q.shape[2];
  const scale = opts.scale ?? 1 / Math.sqrt(q.shape[3]);
  const branches: Tensor[] = [];
  let linear: Tensor | null = null;
  if (useWindow) {
    const s = q.matmul(k.transpose(-1, -2)).mul(scale).add(visibilityBias(T, T, { causal: true, window, qOffset: 0 }, q.device).cast(q.dtype));
    branches.push(s.sub(s.amax(-1, true)).exp().mul(perHead(opts.gate ?? 1)));
  }
  if (useLinear) {
    // older keys j <= i - W: the causal triangle shifted down by W (all j <= i when the window branch is off)
    const older = visibilityMask(T, T, { causal: true, window: 0, qOffset: useWindow ? -window : 0 }, q.device).cast(q.dtype);
    linear = opts.phiQ.matmul(opts.phiK.transpose(-1, -2)).mul(older).mul(opts.lambda ?? 1);
    branches.push(linear);
  }
  const a = branches.length === 2 ? branches[0].add(branches[1]) : branches[0];
  const mass = a.sum(-1);
  const y = a.matmul(v).div(mass.add(opts.eps ?? LINEAR_EPS).unsqueeze(-1));
  const linearShare = linear ? linear.sum(-1).div(mass) : mass.mul(0);
  return { y, linearShare };
}

/**
 * The recurrent form for decoding: the last W keys/values (and key features) in a ring, the older ones folded into
 * a linear-attention state when they leave the window. Each `step` equals the quadratic form's last row.
 */
export class HybridState {
  readonly window: number;
  readonly useWindow: boolean;
  readonly useLinear: boolean;
  length = 0;
  private readonly keys: Tensor;
  private readonly values: Tensor;
  private readonly features: Tensor;
  private readonly older: LinearAttentionState;

  constructor(dims: { B: number; H: number; d: number; F: number; Dv: number }, opts: { window: number; useWindow?: boolean; useLinear?: boolean; device?: 'cpu' | 'webgpu'; dtype?: 'f32' | 'f64' }) {
    this.window = opts.window;
    this.useWindow = opts.useWindow ?? true;
    this.useLinear = opts.useLinear ?? true;
    checkBranches(this.useWindow, this.useLinear);
    const { B, H, d, F, Dv } = dims;
    const o = { device: opts.device, dtype: opts.dtype };
    this.keys = keep(zeros([B, H, this.window, d], o));
    this.values = keep(zeros([B, H, this.window, Dv], o));
    this.features = keep(zeros([B, H, this.window, F], o));
    this.older = new LinearAttentionState(B, H, F, Dv, o);
  }

  /** Appends one token (q, k [B, H, 1, d], v [B, H, 1, Dv], features [B, H, 1, F]) and returns its output [B, H, 1, Dv]. */
  step(q: Tensor, k: Tensor, v: Tensor, phiQ: Tensor, phiK: Tensor, opts: { gate?: Tensor | number; lambda?: number; scale?: number; eps?: number } = {}): Tensor {
    return tidy(() => noGrad(() => {
      const lambda = opts.lambda ?? 1;
      if (!this.useWindow) {
        this.older.absorb(phiK, v);
        this.length++;
        return this.older.read(phiQ, opts.eps);
      }
      const slot = this.length % this.window;
      // the key leaving the window joins the linear state before its slot is overwritten
      if (this.length >= this.window && this.useLinear) this.older.absorb(this.features.narrow(2, slot, 1), this.values.narrow(2, slot, 1));
      this.keys.narrow(2, slot, 1).copy_(k);
      this.values.narrow(2, slot, 1).copy_(v);
      this.features.narrow(2, slot, 1).copy_(phiK);
      this.length++;
      const filled = Math.min(this.length, this.window);
      const empty = tensor(Array.from({ length: this.window }, (_, j) => (j < filled ? 0 : -Infinity)), { device: q.device, dtype: q.dtype });
      const s = q.matmul(this.keys.transpose(-1, -2)).mul(opts.scale ?? 1 / Math.sqrt(q.shape[3])).add(empty);
      const w = s.sub(s.amax(-1, true)).exp().mul(perHead(opts.gate ?? 1));
      let num = w.matmul(this.values);
      let den = w.sum(-1, true);
      if (this.useLinear && this.older.length > 0) {
        num = num.add(phiQ.matmul(this.older.S).mul(lambda));
        den = den.add(phiQ.matmul(this.older.z).mul(lambda));
      }
      return num.div(den.add(opts.eps ?? LINEAR_EPS));
    }));
  }

  dispose(): void {
    [this.keys, this.values, this.features].forEach((t) => t.dispose());
    this.older.dispose();
  }
}
