// Hybrid sliding-window softmax + linear attention in its quadratic masked form (spec §3, LoLCATs eq. 6):
//   a_ij = γ·exp(s_ij − m_i)      for j ∈ Win(i),  s_ij = q_i·k_j/√d,  m_i = max_{j ∈ Win(i)} s_ij
//   a_ij = λ·φ(q_i)·φ(k_j)         for j ∈ Lin(i)
//   y_i  = Σ_j a_ij v_j / Σ_j a_ij  (one shared denominator)
// The diagnostic modes swap which weights exist; see AttentionMode. Like every differentiable function here it
// opens no tidy scope (autograd keeps its intermediates): call it inside the caller's tidy.
import { Tensor, where, zeros, type DeviceName } from '../../index.js';
import { causalMask, linearMask, sinksMask, windowMask } from './masks.js';

/**
 * hybrid: both branches. swaOnly: the window branch alone (LA weights 0, i.e. windowed softmax).
 * laFull: φ(q_i)·φ(k_j) over every j ≤ i (a linear-only model). sinks: softmax over positions 0..sinks−1 only.
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
  /** weight of the linear branch (λ = 1 in the paper) */
  lambda?: number;
  mode?: AttentionMode;
  /** Scheduled Sliding-window Dropout: the window branch is dropped, so LA covers all j ≤ i */
  dropSwa?: boolean;
  /** number of sink positions for the sinks mode */
  sinks?: number;
}

export const DENOMINATOR_EPS = 1e-6;

/** exp(s_ij − m_i) on `mask`, 0 elsewhere, with m_i the row maximum over the mask (every row must be non-empty). */
function shiftedExp(s: Tensor, mask: Tensor): Tensor {
  const m = where(mask, s, -Infinity).amax(-1, true);
  return where(mask, s.sub(m), -Infinity).exp();
}

function linearScores(opts: HybridAttentionOptions, mask: Tensor): Tensor {
  if (!opts.phiQ || !opts.phiK) throw new Error('hybridAttention: the linear branch needs phiQ and phiK');
  return where(mask, opts.phiQ.matmul(opts.phiK.transpose(-1, -2)), 0);
}

/**
 * q, k, v: [B, H, T, d]. Returns y [B, H, T, d] and laMass [B, H, T], the share Σ_Lin a / Σ a of each query's
 * attention mass that the linear branch carries (1 in laFull, 0 in the softmax-only modes).
 */
export function hybridAttention(q: Tensor, k: Tensor, v: Tensor, opts: HybridAttentionOptions): { y: Tensor; laMass: Tensor } {
  const [B, H, T, d] = q.shape;
  const device: DeviceName = q.device;
  const mode = opts.dropSwa && opts.mode !== 'zero' ? 'laFull' : opts.mode ?? 'hybrid';
  if (mode === 'zero') return { y: zeros(v.shape, { device, dtype: v.dtype }), laMass: zeros([B, H, T], { device, dtype: v.dtype }) };
  const s = () => q.matmul(k.transpose(-1, -2)).mul(1 / Math.sqrt(d));
  let softPart: Tensor | null = null;
  let linPart: Tensor | null = null;
  if (mode === 'swaOnly') softPart = shiftedExp(s(), windowMask(T, opts.window, device));
  else if (mode === 'sinks') softPart = shiftedExp(s(), sinksMask(T, opts.sinks ?? 4, device));
  else if (mode === 'laFull') linPart = linearScores(opts, causalMask(T, device));
  else {
    const gamma = opts.gateLogit ? opts.gateLogit.sigmoid().reshape([H, 1, 1]) : 1;
    softPart = shiftedExp(s(), windowMask(T, opts.window, device)).mul(gamma);
    linPart = linearScores(opts, linearMask(T, opts.window, device)).mul(opts.lambda ?? 1);
  }
  const a = softPart && linPart ? softPart.add(linPart) : (softPart ?? linPart)!;
  const den = a.sum(-1, true).add(DENOMINATOR_EPS);
  const y = a.matmul(v).div(den);
  const laMass = linPart ? linPart.sum(-1, true).div(den).squeeze(-1) : zeros([B, H, T], { device, dtype: v.dtype });
  return { y, laMass };
}

/** ρ: the linear branch's mean share of attention mass over queries i ≥ W (earlier queries have no Lin keys). */
export function laMassFraction(laMass: Tensor, window: number): Tensor {
  return laMass.slice(-1, window).mean();
}
