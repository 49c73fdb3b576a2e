// Memory-bound kernels: elementwise add (GB/s), sum, softmax, layerNorm/rmsNorm, fused attention, AdamW update,
// embedding backward, each timed per call and queued (bench/harness.ts). Each of ours is checked against the cpu
// backend before it is timed: on the same inputs, or, where the cpu would take minutes (64M adds, T=2048
// attention), on a smaller problem of the same op (`checkOn`).
import { tensor, tidy, softmax, layerNorm, rmsNorm, embeddingBackward, optim, type Tensor } from '../../index.js';
import { scaledDotProductAttention, attentionUnfused, setSubgroupAttention } from '../../ops/attention.js';
import { sync } from '../../core/executor.js';
import { setElementwiseVec4 } from '../../ops/elementwise.js';
import { measure, measureQueued, quick } from '../harness.js';
import { attempt, check, record, recordBoth, recordBothJax, recordBothTf, values, type Work } from '../common.js';
import type { BenchSizes } from '../sizes.js';
import type { Peers } from '../run.js';

type Build = (dev: 'cpu' | 'webgpu') => Tensor;

/** Checks op on webgpu against op on cpu (on `checkOn`, else the timed inputs), then times the webgpu run both ways. */
async function ours(suite: string, kase: string, op: (...x: Tensor[]) => Tensor, inputs: Build[], calls: number, work: Work, impl = 'tessera', checkOn = inputs) {
  await attempt(suite, `${kase} (${impl})`, () => checkAndTime(suite, kase, op, inputs, calls, work, impl, checkOn));
}

async function checkAndTime(suite: string, kase: string, op: (...x: Tensor[]) => Tensor, inputs: Build[], calls: number, work: Work, impl: string, checkOn: Build[]) {
  const g = checkOn.map((f) => f('webgpu'));
  const c = checkOn.map((f) => f('cpu'));
  const got = op(...g); const ref = op(...c);
  check(`tessera ${suite} ${kase}`, await got.data(), await ref.data(), { atol: 1e-4, rtol: 1e-3 });
  got.dispose(); ref.dispose(); c.forEach((t) => t.dispose());
  const x = checkOn === inputs ? g : (g.forEach((t) => t.dispose()), inputs.map((f) => f('webgpu')));
  await recordBoth(suite, kase, impl, () => op(...x), calls, work);
  x.forEach((t) => t.dispose());
}

const input = (shape: number[], seed: number, dtype: 'f32' | 'i32' = 'f32', hi = 1): Build => (device) => {
  const n = shape.reduce((x, y) => x * y, 1);
  const v = values(n, seed, dtype === 'i32' ? 0 : -1, hi);
  return tensor(dtype === 'i32' ? Int32Array.from(v, Math.floor) : v, { shape, dtype, device });
};

/** Checks run on the cpu at most this many elements per operand. */
const CHECK_ELEMENTS = 1 << 22;

export async function kernelSuite(peers: Peers, sizes: BenchSizes): Promise<void> {
  const calls = sizes.queued;
  // elementwise add: 3 floats move per element
  for (const n of sizes.add) {
    const kase = `add ${n >= 1 << 20 ? `${n >> 20}M` : `${n >> 10}K`} f32`;
    const bytes = 12 * n;
    const small = Math.min(n, CHECK_ELEMENTS);
    const checkOn = [input([small], 1), input([small], 2)];
    await ours('elementwise', kase, (a, b) => a.add(b), [input([n], 1), input([n], 2)], calls, { bytes }, 'tessera', checkOn);
    if (!quick && sizes.table === 'software') { // the scalar-load contiguous kernel, for the record of what the vec4 form gains
      setElementwiseVec4(false);
      await ours('elementwise', kase, (a, b) => a.add(b), [input([n], 1), input([n], 2)], calls, { bytes }, 'tessera scalar loads', checkOn);
      setElementwiseVec4(true);
    }
    const A = values(n, 1); const B = values(n, 2);
    for (const [name, tf] of peers.tf) {
      const a = tf.tensor1d(A); const b = tf.tensor1d(B);
      await recordBothTf('elementwise', kase, name, tf, () => tf.add(a, b), calls, { bytes });
      a.dispose(); b.dispose();
    }
    for (const [name, jax] of peers.jax) {
      const a = jax.numpy.array(A); const b = jax.numpy.array(B);
      await recordBothJax('elementwise', kase, name, () => a.ref.add(b.ref), calls, { bytes });
      a.dispose(); b.dispose();
    }
  }

  // row sums and the norms at sizes.rows (4 MiB read, 4 MiB written for the row ops at 1024 x 1024)
  const [R, C] = sizes.rows;
  const X = values(R * C, 3);
  await ours('reduce', `sum ${R}x${C} rows`, (x) => x.sum(1), [input([R, C], 3)], calls, { bytes: 4 * R * C });
  for (const [name, tf] of peers.tf) {
    const x = tf.tensor2d(X, [R, C]);
    await recordBothTf('reduce', `sum ${R}x${C} rows`, name, tf, () => tf.sum(x, 1), calls, { bytes: 4 * R * C });
    x.dispose();
  }
  // softmax: one read and one write per element
  for (const [r, c] of sizes.softmax) {
    const kase = `softmax ${r}x${c}`;
    const checkOn = [input([Math.min(r, Math.max(1, Math.floor(CHECK_ELEMENTS / c))), c], 3)];
    await ours('softmax', kase, (x) => softmax(x, -1), [input([r, c], 3)], calls, { bytes: 8 * r * c }, 'tessera', checkOn);
    const V = values(r * c, 3);
    for (const [name, tf] of peers.tf) {
      const x = tf.tensor2d(V, [r, c]);
      await recordBothTf('softmax', kase, name, tf, () => tf.softmax(x), calls, { bytes: 8 * r * c });
      x.dispose();
    }
    for (const [name, jax] of peers.jax) {
      const x = jax.numpy.array(V).reshape([r, c]);
      await recordBothJax('softmax', kase, name, () => jax.nn.softmax(x.ref, -1), calls, { bytes: 8 * r * c });
      x.dispose();
    }
  }
  await ours('norms', `layerNorm ${R}x${C}`, (x, w, b) => layerNorm(x, C, w, b), [input([R, C], 4), input([C], 5), input([C], 6)], calls, { bytes: 8 * R * C });
  await ours('norms', `rmsNorm ${R}x${C}`, (x, w) => rmsNorm(x, C, w), [input([R, C], 4), input([C], 5)], calls, { bytes: 8 * R * C });

  // attention [B, H, T, D]: 4 B H T^2 D FLOPs for QK^T and PV (causal: about half of them are skipped)
  for (const { B, H, T, D } of sizes.attention) {
    const shape = `${B > 1 ? `B${B} ` : ''}T=${T} h=${H} d=${D}`;
    const qkv = [input([B, H, T, D], 7), input([B, H, T, D], 8), input([B, H, T, D], 9)];
    const Tc = Math.min(T, 256);
    const checkOn = [input([B, H, Tc, D], 7), input([B, H, Tc, D], 8), input([B, H, Tc, D], 9)];
    const flops = 4 * B * H * T * T * D;
    const windowFlops = 4 * B * H * T * Math.min(64, T) * D;
    const bytes = 4 * 4 * B * H * T * D; // q, k, v read once, the output written once
    await ours('attention', `causal ${shape}`, (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }), qkv, calls, { flops: flops / 2, bytes }, 'tessera', checkOn);
    await ours('attention', `window 64 ${shape}`, (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true, window: 64 }), qkv, calls, { flops: windowFlops, bytes }, 'tessera', checkOn);
    // forward + backward (the backward does 2.5x the forward's FLOPs): the fused kernels (the subgroup ones where
    // the adapter has subgroups of a fixed size, and the workgroup-memory ones they fall back to), and, up to
    // T=512, the unfused reference (matmul, softmax and their autograd: the [T, T] probabilities are built)
    const [q, k, v] = qkv.map((f) => f('webgpu'));
    const weights = input([B, H, T, D], 10)('webgpu');
    const leaves = [q, k, v].map((t) => t.detach().requiresGrad_());
    const impls = [
      ['tessera', scaledDotProductAttention, true],
      ['tessera workgroup-memory kernels', scaledDotProductAttention, false],
      ...(T <= 512 ? ([['tessera unfused', attentionUnfused, true]] as const) : []),
    ] as const;
    for (const [kase, opts, work] of [
      [`causal fwd+bwd ${shape}`, { causal: true }, (3.5 * flops) / 2],
      [`window 64 fwd+bwd ${shape}`, { causal: true, window: 64 }, 3.5 * windowFlops],
    ] as const) {
      for (const [impl, attn, subgroups] of impls) {
        const step = () => {
          tidy(() => attn(leaves[0], leaves[1], leaves[2], opts).mul(weights).sum().backward());
          leaves.forEach((t) => { t.grad?.dispose(); t.grad = null; });
        };
        setSubgroupAttention(subgroups);
        await attempt('attention', `${kase} (${impl})`, async () => {
          record('attention', kase, impl, await measure(async () => { step(); await sync(); }), { flops: work });
          record('attention', kase, impl, await measureQueued(step, sync, calls), { flops: work });
        });
      }
      setSubgroupAttention(true);
    }
    [q, k, v, weights, ...leaves].forEach((t) => t.dispose());
  }

  // embedding backward: scatter-add of [tokens, dim] gradients into a [vocab, dim] table
  const tokens = 4096; const vocab = 512; const dim = 128;
  await ours('embedding', `backward ${tokens} tokens, ${vocab}x${dim}`, (g, idx) => embeddingBackward(g, idx, vocab),
    [input([tokens, dim], 10), input([tokens], 11, 'i32', vocab)], calls, { bytes: 4 * (2 * tokens * dim + vocab * dim) });

  // AdamW update of 1M parameters (reads p, g, m, v; writes p, m, v)
  const P = 1 << 20;
  const p = tensor(values(P, 12), { device: 'webgpu', requiresGrad: true });
  p.grad = tensor(values(P, 13), { device: 'webgpu' });
  const opt = new optim.AdamW([p], { lr: 1e-3, weightDecay: 0.1 });
  record('optimizer', 'AdamW step 1M params', 'tessera', await measure(async () => { opt.step(); await sync(); }), { bytes: 28 * P });
  record('optimizer', 'AdamW step 1M params', 'tessera', await measureQueued(() => opt.step(), sync, calls), { bytes: 28 * P });
  p.grad.dispose(); p.dispose();
}
