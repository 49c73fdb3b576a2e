// The hybrid attention of spec §3 with the diagnostic modes of the paper, over nn's hybrid form (one shared
// normaliser, LoLCATs eq. 6):
//   a_ij = γ·exp(s_ij − m_i)   for j ∈ Win(i) = {i−W < j ≤ i},  s_ij = q_i·k_j/√d,  m_i = max_{Win(i)} s_ij
//   a_ij = λ·φ(q_i)·φ(k_j)      for j ∈ Lin(i) = {j ≤ i−W}
//   y_i  = Σ_j a_ij v_j / (Σ_j a_ij + ε)
// Like every differentiable function here it opens no tidy scope (autograd keeps its intermediates).
import { nn, tensor, zeros, type Tensor } from '../../index.js';

/**
 * hybrid: both branches. swaOnly: the window branch alone (LA weights 0: windowed softmax).
 * laFull: φ(q_i)·φ(k_j) over every j ≤ i (linear-only). sinks: softmax over positions 0..sinks−1 only [R].
 * zero: no attention at all (y = 0).
 */
export type AttentionMode = 'hybrid' | 'swaOnly' | 'laFull' | 'sinks' | 'zero';
export const ATTENTION_MODES: readonly AttentionMode[] = ['hybrid', 'swaOnly', 'laFull', 'sinks', 'zero'];

export interface HybridAttentionOptions {
  window: number;
  /** feature maps of queries and keys, [B, H, T, F]; needed by hybrid and laFull */
  phiQ?: Tensor;
  phiK?: Tensor;
  /** per-head gate logit g, [H]; γ = sigmoid(g). null means γ = 1 (the inference-time hybrid) */
  gateLogit?: Tensor | null;
  /** weight λ of the linear branch (1 in the paper) */
  lambda?: number;
  mode?: AttentionMode;
  /** Scheduled Sliding-window Dropout: the window branch is dropped, so LA covers all j ≤ i (laFull) */
  dropSwa?: boolean;
  /** number of sink positions of the sinks mode (4) */
  sinks?: number;
}

/** Additive mask [T, T] keeping the causal keys among the first `sinks` positions. */
function sinksBias(T: number, sinks: number, q: Tensor): Tensor {
  const values = Array.from({ length: T * T }, (_, n) => (n % T < sinks && n % T <= Math.floor(n / T) ? 0 : -Infinity));
  return tensor(values, { shape: [T, T], device: q.device, dtype: q.dtype });
}

/**
 * q, k, v: [B, H, T, d]. Returns y [B, H, T, d] and laMass [B, H, T], the share Σ_Lin a / Σ a of each query's
 * attention mass carried by the linear branch (1 in laFull, 0 in the softmax-only modes and in zero).
 */
export function hybridAttention(q: Tensor, k: Tensor, v: Tensor, opts: HybridAttentionOptions): { y: Tensor; laMass: Tensor } {
  const [B, H, T] = q.shape;
  const mode = opts.dropSwa && opts.mode !== 'zero' ? 'laFull' : opts.mode ?? 'hybrid';
  const noShare = () => zeros([B, H, T], { device: q.device, dtype: q.dtype });
  if (mode === 'zero') return { y: zeros(v.shape, { device: v.device, dtype: v.dtype }), laMass: noShare() };
  if (mode === 'sinks') {
    return { y: nn.scaledDotProductAttention(q, k, v, { mask: sinksBias(T, opts.sinks ?? 4, q) }), laMass: noShare() };
  }
  const phi = { phiQ: opts.phiQ ?? q, phiK: opts.phiK ?? k };
  if ((mode === 'hybrid' || mode === 'laFull') && !(opts.phiQ && opts.phiK)) {
    throw new Error(`hybridAttention: mode ${mode} needs the features phiQ and phiK`);
  }
  const { y, linearShare } = nn.hybridAttention(q, k, v, {
    window: opts.window, ...phi, lambda: opts.lambda ?? 1,
    gate: mode === 'hybrid' && opts.gateLogit ? opts.gateLogit.sigmoid() : 1,
    useWindow: mode !== 'laFull', useLinear: mode !== 'swaOnly',
  });
  return { y, laMass: linearShare };
}

/** ρ: the linear branch's mean share of attention mass over queries i ≥ W (earlier queries have no Lin keys). */
export function laMassFraction(laMass: Tensor, window: number): Tensor {
  return laMass.slice(-1, window).mean();
}
