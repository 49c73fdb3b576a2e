// The bench's GPT written with TensorFlow.js ops, for the peer comparison: the same architecture as nn.GPT with
// its defaults (learned positions, pre-norm LayerNorm blocks, causal softmax attention, exact-erf GELU MLP, a
// head tied to the token embeddings), built from tessera's own initial weights so both start at the same loss.
import type { Tf } from './peers.js';

export interface GptShape { vocab: number; block: number; layers: number; heads: number; embd: number }

type T = ReturnType<Tf['variable']>;

/** A training step (forward, cross-entropy, backward, Adam update) returning the loss; weights by tessera name. */
export function tfGpt(tf: Tf, s: GptShape, weights: Map<string, Float32Array>, lr: number) {
  const vars = new Map<string, T>();
  for (const [name, data] of weights) {
    const shape = name === 'wte.weight' ? [s.vocab, s.embd] : name === 'wpe.weight' ? [s.block, s.embd]
      : name.endsWith('qkvProj.weight') ? [3 * s.embd, s.embd] : name.endsWith('fc.weight') ? [4 * s.embd, s.embd] : name.endsWith('mlp.proj.weight') ? [s.embd, 4 * s.embd]
      : name.endsWith('.weight') && !/norm/.test(name) ? [s.embd, s.embd] : [data.length];
    vars.set(name, tf.variable(tf.tensor(data, shape)));
  }
  const w = (name: string) => vars.get(name)!;
  const D = s.embd / s.heads;
  const linear = (x: ReturnType<Tf['tensor']>, p: string) => tf.add(tf.matMul(x, w(`${p}.weight`), false, true), w(`${p}.bias`));
  const layerNorm = (x: ReturnType<Tf['tensor']>, p: string) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), w(`${p}.weight`)), w(`${p}.bias`));
  };
  const gelu = (x: ReturnType<Tf['tensor']>) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1));
  const maskOf = (T: number) => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9);

  const loss = (idx: ReturnType<Tf['tensor']>, targets: ReturnType<Tf['tensor']>) => {
    const [B, T] = idx.shape as [number, number];
    const heads = (x: ReturnType<Tf['tensor']>) => tf.transpose(tf.reshape(x, [B, T, s.heads, D]), [0, 2, 1, 3]);
    let x = tf.add(tf.gather(w('wte.weight'), tf.reshape(idx, [-1])), tf.tile(w('wpe.weight').slice([0, 0], [T, s.embd]), [B, 1]));
    const mask = maskOf(T);
    for (let l = 0; l < s.layers; l++) {
      const b = `blocks.${l}`;
      const h = layerNorm(x, `${b}.norm1`);
      const [q, k, v] = tf.split(linear(h, `${b}.attn.qkvProj`), 3, -1).map(heads); // one projection, as tessera's
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)), mask));
      const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, s.embd]);
      x = tf.add(x, linear(y, `${b}.attn.oProj`));
      x = tf.add(x, linear(gelu(linear(layerNorm(x, `${b}.norm2`), `${b}.mlp.fc`)), `${b}.mlp.proj`));
    }
    const logits = tf.matMul(layerNorm(x, 'normF'), w('wte.weight'), false, true);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(targets, [-1]), s.vocab), logits) as ReturnType<Tf['scalar']>;
  };

  const opt = tf.train.adam(lr);
  return {
    /** the loss without an update (checked against tessera's cpu loss before anything is timed) */
    loss: (idx: ReturnType<Tf['tensor']>, targets: ReturnType<Tf['tensor']>) => tf.tidy(() => loss(idx, targets)),
    step: (idx: ReturnType<Tf['tensor']>, targets: ReturnType<Tf['tensor']>) => opt.minimize(() => loss(idx, targets), true)!,
    dispose: () => { opt.dispose(); for (const v of vars.values()) v.dispose(); },
  };
}
