// Discrete-action helpers on the host: softmax, sampling from a categorical, ε-greedy, argmax, and the exact KL
// between two categoricals (nats).
import { nn } from '../../../index.js';
import type { Rng } from './random.js';

export function softmax(logits: ArrayLike<number>, scale = 1): Float64Array {
  if (logits.length === 0) throw new Error('softmax: no logits');
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, scale * logits[i]);
  const e = Float64Array.from(logits as ArrayLike<number>, (v) => Math.exp(scale * v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export function argmax(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('argmax: no values');
  return nn.argmax(values);
}

/** an index drawn with probability probs[i] (probs sums to 1) */
export function sampleCategorical(probs: ArrayLike<number>, rng: Rng): number {
  let u = rng.uniform();
  for (let i = 0; i < probs.length - 1; i++) {
    if (u < probs[i]) return i;
    u -= probs[i];
  }
  return probs.length - 1;
}

/** argmax of q with probability 1 − ε, else a uniform index */
export function epsilonGreedy(q: ArrayLike<number>, epsilon: number, rng: Rng): number {
  return rng.uniform() < epsilon ? rng.int(q.length) : argmax(q);
}

/** KL(p ‖ q) = Σ p log(p/q), terms with p = 0 contributing 0 */
export function categoricalKl(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`categoricalKl: p has ${p.length} entries, q has ${q.length}`);
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) kl += p[i] * Math.log(p[i] / q[i]);
  return kl;
}
