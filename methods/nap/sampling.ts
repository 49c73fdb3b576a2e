// The policy's categorical over candidates (spec §3 "Policy"): queried candidates are masked out; in training an
// action is drawn among the top-k logits of the rest and the allowed set is stored, so that PPO recomputes
// log π(a|s) under the same mask it was sampled with (official code: nap.py, top_k_top_p_filtering).
import { tensor, type Tensor } from '../../index.js';
import type { Rng } from '../shared/rl/index.js';
import { MASKED } from './mask.js';

/** 1 for the `topK` largest logits among the candidates not yet queried (queried[i] = 1), 0 elsewhere. */
export function topKAllowed(logits: ArrayLike<number>, queried: Uint8Array, topK: number): Uint8Array {
  const open = Array.from({ length: logits.length }, (_, i) => i).filter((i) => !queried[i]);
  if (!open.length) throw new Error('topKAllowed: every candidate has been queried');
  if (!(Number.isInteger(topK) && topK >= 1))
    throw new Error(`topKAllowed: topK must be a positive integer, got ${topK}`);
  open.sort((a, b) => logits[b] - logits[a]);
  const allowed = new Uint8Array(logits.length);
  for (const i of open.slice(0, topK)) allowed[i] = 1;
  return allowed;
}

/** Probabilities softmax(logits) restricted to the allowed candidates (0 elsewhere). */
export function maskedProbabilities(logits: ArrayLike<number>, allowed: Uint8Array): Float64Array {
  let top = -Infinity;
  for (let i = 0; i < logits.length; i++) if (allowed[i]) top = Math.max(top, logits[i]);
  const p = Float64Array.from({ length: logits.length }, (_, i) => (allowed[i] ? Math.exp(logits[i] - top) : 0));
  const z = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / z);
}

/** −Σ p log p of a probability vector. */
export const entropyOf = (p: ArrayLike<number>): number =>
  Array.from(p).reduce((h, v) => (v > 0 ? h - v * Math.log(v) : h), 0);

/** A draw from the masked categorical, with its log-probability. */
export function sampleAllowed(
  logits: ArrayLike<number>,
  allowed: Uint8Array,
  rng: Rng,
): { action: number; logProb: number } {
  const p = maskedProbabilities(logits, allowed);
  let u = rng.uniform();
  let action = -1;
  for (let i = 0; i < p.length; i++) {
    if (!p[i]) continue;
    action = i;
    u -= p[i];
    if (u < 0) break;
  }
  return { action, logProb: Math.log(p[action]) };
}

/** Index of the largest logit among the allowed candidates. */
export function argmaxAllowed(scores: ArrayLike<number>, allowed: Uint8Array): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) if (allowed[i] && (best < 0 || scores[i] > scores[best])) best = i;
  if (best < 0) throw new Error('argmaxAllowed: no candidate is allowed');
  return best;
}

/** log π(a|s) and the entropy of the masked categorical, for logits [B, N], allowed [B·N] and actions [B]. */
export function maskedLogProb(
  logits: Tensor,
  allowed: Uint8Array,
  actions: Int32Array,
): { logProb: Tensor; entropy: Tensor } {
  const [B, N] = logits.shape;
  if (allowed.length !== B * N || actions.length !== B)
    throw new Error(
      `maskedLogProb: logits [${logits.shape}] need ${B * N} mask entries and ${B} actions, got ${allowed.length} and ${actions.length}`,
    );
  const bias = tensor(
    Float32Array.from(allowed, (a) => (a ? 0 : MASKED)),
    { shape: [B, N], device: logits.device, dtype: logits.dtype },
  );
  const logp = logits.add(bias).logSoftmax(-1);
  const logProb = logp.gather(1, tensor(actions, { shape: [B, 1], device: logits.device })).squeeze(1);
  const entropy = logp.exp().mul(logp).sum(-1).neg();
  return { logProb, entropy };
}
