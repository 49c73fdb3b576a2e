// matmul: f32 square sizes, f16, batched, transposed operand; tessera's tuned choice and the tiled baseline
// kernel against the peers. Our variants are validated against the cpu reference by the tuner before it times
// them; peers are checked against the same reference at the sizes where it is cheap.
import { gpu, tensor, tuneMatmul, withMatmulVariant, type Tensor } from '../../index.js';
import { sync } from '../../core/executor.js';
import { measure, quick } from '../harness.js';
import { check, record, skip, values } from '../common.js';
import type { Peers } from '../run.js';

const gpuTensor = (data: Float32Array, shape: number[], dtype: 'f32' | 'f16' = 'f32') => tensor(data, { shape, dtype, device: 'webgpu' });

async function timeOurs(run: () => Tensor) {
  return measure(async () => { const c = run(); await sync(); c.dispose(); });
}

export async function matmulSuite(peers: Peers): Promise<void> {
  const sizes = quick ? [128, 256] : [64, 128, 256, 512, 1024, 2048];
  for (const n of sizes) {
    const kase = `f32 ${n}x${n}x${n}`;
    const flops = 2 * n ** 3;
    const A = values(n * n, 1); const B = values(n * n, 2);
    const a = gpuTensor(A, [n, n]); const b = gpuTensor(B, [n, n]);
    // n = 2048 is not tuned on lavapipe: the tuner would time the tiled baseline too, about 30 s a run there; a
    // real GPU tunes every size (an untuned class runs tiled64 there, not the blocked kernels made for it)
    const tune = n < 2048 || !gpu().info.software;
    const tuned = tune ? (await tuneMatmul([{ M: n, N: n, K: n }], { reps: quick ? 1 : 3 }))[0].choice : 'untuned default';
    const ref = n <= 256 ? await (await a.to('cpu')).matmul(await b.to('cpu')).data() : null;
    record('matmul', kase, `tessera (${tuned})`, await timeOurs(() => a.matmul(b)), { flops });
    if (n < 2048) record('matmul', kase, 'tessera tiled64', await timeOurs(() => withMatmulVariant('tiled64', () => a.matmul(b))), { flops });
    for (const [name, tf] of peers.tf) {
      if (n >= 2048 && name === 'tfjs webgpu') { skip('matmul', kase, `${name}: several seconds per run on lavapipe`); continue; }
      const ta = tf.tensor2d(A, [n, n]); const tb = tf.tensor2d(B, [n, n]);
      if (ref) { const c = tf.matMul(ta, tb); check(`${name} matmul`, await c.data(), ref, { atol: 1e-3, rtol: 1e-3 }); c.dispose(); }
      record('matmul', kase, name, await measure(async () => { const c = tf.matMul(ta, tb); await c.data(); c.dispose(); }), { flops });
      ta.dispose(); tb.dispose();
    }
    for (const [name, jax] of peers.jax) {
      if (n >= 2048 && name === 'jax-js webgpu') { skip('matmul', kase, `${name}: several seconds per run on lavapipe`); continue; }
      const np = jax.numpy;
      const ja = np.array(A).reshape([n, n]); const jb = np.array(B).reshape([n, n]);
      if (ref) check(`${name} matmul`, await np.matmul(ja.ref, jb.ref).data(), ref, { atol: 1e-3, rtol: 1e-3 });
      record('matmul', kase, name, await measure(async () => { const c = np.matmul(ja.ref, jb.ref); await c.blockUntilReady(); c.dispose(); }), { flops });
      ja.dispose(); jb.dispose();
    }
    a.dispose(); b.dispose();
  }

  // f16 storage (f32 accumulation), batched, and x W^T (the layout of every nn.Linear forward).
  const n = quick ? 256 : 1024;
  const A = values(n * n, 3); const B = values(n * n, 4);
  const cases: { kase: string; flops: number; tune: Parameters<typeof tuneMatmul>[0][0]; a: () => Tensor; b: () => Tensor }[] = [
    { kase: `f16 ${n}^3`, flops: 2 * n ** 3, tune: { M: n, N: n, K: n, dtype: 'f16' }, a: () => gpuTensor(A, [n, n], 'f16'), b: () => gpuTensor(B, [n, n], 'f16') },
    { kase: `f32 x W^T ${n}^3`, flops: 2 * n ** 3, tune: { M: n, N: n, K: n, transB: true }, a: () => gpuTensor(A, [n, n]), b: () => gpuTensor(B, [n, n]).transpose(0, 1) },
    { kase: `f32 A^T x B ${n}^3`, flops: 2 * n ** 3, tune: { M: n, N: n, K: n, transA: true }, a: () => gpuTensor(A, [n, n]).transpose(0, 1), b: () => gpuTensor(B, [n, n]) },
    { kase: 'f32 batched 16x128^3', flops: 16 * 2 * 128 ** 3, tune: { M: 128, N: 128, K: 128, batch: 16 }, a: () => gpuTensor(values(16 * 128 * 128, 5), [16, 128, 128]), b: () => gpuTensor(values(16 * 128 * 128, 6), [16, 128, 128]) },
  ];
  for (const c of cases) {
    const [tuned] = await tuneMatmul([c.tune], { reps: quick ? 1 : 3 });
    const a = c.a(); const b = c.b();
    record('matmul', c.kase, `tessera (${tuned.choice})`, await timeOurs(() => a.matmul(b)), { flops: c.flops });
    a.dispose(); b.dispose();
  }
  for (const [name, tf] of peers.tf) {
    const ta = tf.tensor2d(A, [n, n]); const tb = tf.tensor2d(B, [n, n]);
    record('matmul', `f32 x W^T ${n}^3`, name, await measure(async () => { const c = tf.matMul(ta, tb, false, true); await c.data(); c.dispose(); }), { flops: 2 * n ** 3 });
    ta.dispose(); tb.dispose();
  }
}
