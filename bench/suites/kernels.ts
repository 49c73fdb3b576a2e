// Memory-bound kernels: elementwise add (GB/s), sum, softmax, layerNorm/rmsNorm, fused attention, AdamW update,
// embedding backward. Each of ours is checked against the cpu backend on the same inputs before it is timed.
import { tensor, tidy, softmax, layerNorm, rmsNorm, embeddingBackward, optim, type Tensor } from '../../index.js';
import { scaledDotProductAttention, attentionUnfused, setSubgroupAttention } from '../../ops/attention.js';
import { sync } from '../../core/executor.js';
import { setElementwiseVec4 } from '../../ops/elementwise.js';
import { measure, quick } from '../harness.js';
import { check, record, values } from '../common.js';
import type { Peers } from '../run.js';

type Build = (dev: 'cpu' | 'webgpu') => Tensor;

/** Checks op(inputs on webgpu) against op(inputs on cpu), then times the webgpu run. */
async function ours(suite: string, kase: string, op: (...x: Tensor[]) => Tensor, inputs: Build[], work: { flops?: number; bytes?: number }, impl = 'tessera') {
  const g = inputs.map((f) => f('webgpu'));
  const c = inputs.map((f) => f('cpu'));
  const got = op(...g); const ref = op(...c);
  check(`tessera ${suite} ${kase}`, await got.data(), await ref.data(), { atol: 1e-4, rtol: 1e-3 });
  got.dispose(); ref.dispose(); c.forEach((t) => t.dispose());
  record(suite, kase, impl, await measure(async () => { const o = op(...g); await sync(); o.dispose(); }), work);
  g.forEach((t) => t.dispose());
}

const input = (shape: number[], seed: number, dtype: 'f32' | 'i32' = 'f32', hi = 1): Build => (device) => {
  const n = shape.reduce((x, y) => x * y, 1);
  const v = values(n, seed, dtype === 'i32' ? 0 : -1, hi);
  return tensor(dtype === 'i32' ? Int32Array.from(v, Math.floor) : v, { shape, dtype, device });
};

export async function kernelSuite(peers: Peers): Promise<void> {
  // elementwise add: 3 floats move per element
  for (const n of quick ? [1 << 20] : [1 << 20, 1 << 22, 1 << 24]) {
    const kase = `add ${n >> 20}M f32`;
    const bytes = 12 * n;
    await ours('elementwise', kase, (a, b) => a.add(b), [input([n], 1), input([n], 2)], { bytes });
    if (!quick) { // the scalar-load contiguous kernel, for the record of what the vec4 form gains
      setElementwiseVec4(false);
      await ours('elementwise', kase, (a, b) => a.add(b), [input([n], 1), input([n], 2)], { bytes }, 'tessera scalar loads');
      setElementwiseVec4(true);
    }
    const A = values(n, 1); const B = values(n, 2);
    for (const [name, tf] of peers.tf) {
      const a = tf.tensor1d(A); const b = tf.tensor1d(B);
      record('elementwise', kase, name, await measure(async () => { const c = tf.add(a, b); await c.data(); c.dispose(); }), { bytes });
      a.dispose(); b.dispose();
    }
    for (const [name, jax] of peers.jax) {
      const a = jax.numpy.array(A); const b = jax.numpy.array(B);
      record('elementwise', kase, name, await measure(async () => { const c = a.ref.add(b.ref); await c.blockUntilReady(); c.dispose(); }), { bytes });
      a.dispose(); b.dispose();
    }
  }

  // rows: 1024 x 1024 (4 MiB read, 4 MiB written for the row ops)
  const R = 1024; const C = 1024;
  const X = values(R * C, 3);
  await ours('reduce', `sum ${R}x${C} rows`, (x) => x.sum(1), [input([R, C], 3)], { bytes: 4 * R * C });
  await ours('softmax', `softmax ${R}x${C}`, (x) => softmax(x, -1), [input([R, C], 3)], { bytes: 8 * R * C });
  for (const [name, tf] of peers.tf) {
    const x = tf.tensor2d(X, [R, C]);
    record('reduce', `sum ${R}x${C} rows`, name, await measure(async () => { const c = tf.sum(x, 1); await c.data(); c.dispose(); }), { bytes: 4 * R * C });
    record('softmax', `softmax ${R}x${C}`, name, await measure(async () => { const c = tf.softmax(x); await c.data(); c.dispose(); }), { bytes: 8 * R * C });
    x.dispose();
  }
  for (const [name, jax] of peers.jax) {
    const x = jax.numpy.array(X).reshape([R, C]);
    record('softmax', `softmax ${R}x${C}`, name, await measure(async () => { const c = jax.nn.softmax(x.ref, -1); await c.blockUntilReady(); c.dispose(); }), { bytes: 8 * R * C });
    x.dispose();
  }
  await ours('norms', `layerNorm ${R}x${C}`, (x, w, b) => layerNorm(x, C, w, b), [input([R, C], 4), input([C], 5), input([C], 6)], { bytes: 8 * R * C });
  await ours('norms', `rmsNorm ${R}x${C}`, (x, w) => rmsNorm(x, C, w), [input([R, C], 4), input([C], 5)], { bytes: 8 * R * C });

  // attention [batch 1, heads 4, T, 64]: 4 T^2 d FLOPs for QK^T and PV (causal: about half of them are skipped)
  const T = quick ? 128 : 512; const H = 4; const D = 64;
  const qkv = [input([1, H, T, D], 7), input([1, H, T, D], 8), input([1, H, T, D], 9)];
  const flops = 4 * H * T * T * D;
  const bytes = 4 * 4 * H * T * D; // q, k, v read once, the output written once
  await ours('attention', `causal T=${T} h=${H} d=${D}`, (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }), qkv, { flops: flops / 2, bytes });
  await ours('attention', `window 64 T=${T} h=${H} d=${D}`, (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true, window: 64 }), qkv, { flops: 4 * H * T * 64 * D, bytes });
  // forward + backward (the backward does 2.5x the forward's FLOPs): the fused kernels (the subgroup ones where the
  // adapter has subgroups of a fixed size, and the workgroup-memory ones they fall back to), and the unfused reference
  // (matmul, softmax and their autograd: the [T, T] probabilities are built) that the fused backward replaced
  const [q, k, v] = qkv.map((f) => f('webgpu'));
  const weights = input([1, H, T, D], 10)('webgpu');
  const leaves = [q, k, v].map((t) => t.detach().requiresGrad_());
  const impls = [
    ['tessera', scaledDotProductAttention, true],
    ['tessera workgroup-memory kernels', scaledDotProductAttention, false],
    ['tessera unfused', attentionUnfused, true],
  ] as const;
  for (const [kase, opts, work] of [
    [`causal fwd+bwd T=${T} h=${H} d=${D}`, { causal: true }, 3.5 * flops / 2],
    [`window 64 fwd+bwd T=${T} h=${H} d=${D}`, { causal: true, window: 64 }, 3.5 * 4 * H * T * 64 * D],
  ] as const) {
    for (const [impl, attn, subgroups] of impls) {
      setSubgroupAttention(subgroups);
      record('attention', kase, impl, await measure(async () => {
        tidy(() => attn(leaves[0], leaves[1], leaves[2], opts).mul(weights).sum().backward());
        await sync();
        leaves.forEach((t) => { t.grad?.dispose(); t.grad = null; });
      }), { flops: work });
    }
    setSubgroupAttention(true);
  }
  [q, k, v, weights, ...leaves].forEach((t) => t.dispose());

  // embedding backward: scatter-add of [tokens, dim] gradients into a [vocab, dim] table
  const tokens = 4096; const vocab = 512; const dim = 128;
  await ours('embedding', `backward ${tokens} tokens, ${vocab}x${dim}`, (g, idx) => embeddingBackward(g, idx, vocab),
    [input([tokens, dim], 10), input([tokens], 11, 'i32', vocab)], { bytes: 4 * (2 * tokens * dim + vocab * dim) });

  // AdamW update of 1M parameters (reads p, g, m, v; writes p, m, v)
  const P = 1 << 20;
  const p = tensor(values(P, 12), { device: 'webgpu', requiresGrad: true });
  p.grad = tensor(values(P, 13), { device: 'webgpu' });
  const opt = new optim.AdamW([p], { lr: 1e-3, weightDecay: 0.1 });
  record('optimizer', 'AdamW step 1M params', 'tessera', await measure(async () => { opt.step(); await sync(); }), { bytes: 28 * P });
  p.grad.dispose(); p.dispose();
}
