// matmul: f32 square sizes (up to 4096 on a real GPU), transposed operands and a batched case; tessera's tuned
// choice and the tiled baseline kernel against the peers, each timed per call and queued (bench/harness.ts).
// Our variants are validated against the cpu reference by the tuner before it times them; peers are checked
// against the same reference at the sizes where it is cheap. The f16 / bf16 rows are in suites/half.ts.
import { tensor, tuneMatmul, withMatmulVariant, type Tensor } from '../../index.js';
import { quick } from '../harness.js';
import { attempt, check, recordBoth, recordBothJax, recordBothTf, skip, values } from '../common.js';
import type { BenchSizes } from '../sizes.js';
import type { Peers } from '../run.js';

const gpuTensor = (data: Float32Array, shape: number[]) => tensor(data, { shape, device: 'webgpu' });

export async function matmulSuite(peers: Peers, sizes: BenchSizes): Promise<void> {
  const calls = sizes.queued;
  for (const n of sizes.matmul) await attempt('matmul', `f32 ${n}^3`, () => square(peers, sizes, n));

  // x W^T (the layout of every nn.Linear forward), A^T x B, and batched.
  const n = sizes.matmulOther;
  const A = values(n * n, 3); const B = values(n * n, 4);
  const bt = Math.min(128, n);
  const cases: { kase: string; flops: number; tune: Parameters<typeof tuneMatmul>[0][0]; a: () => Tensor; b: () => Tensor }[] = [
    { kase: `f32 x W^T ${n}^3`, flops: 2 * n ** 3, tune: { M: n, N: n, K: n, transB: true }, a: () => gpuTensor(A, [n, n]), b: () => gpuTensor(B, [n, n]).transpose(0, 1) },
    { kase: `f32 A^T x B ${n}^3`, flops: 2 * n ** 3, tune: { M: n, N: n, K: n, transA: true }, a: () => gpuTensor(A, [n, n]).transpose(0, 1), b: () => gpuTensor(B, [n, n]) },
    { kase: `f32 batched 16x${bt}^3`, flops: 16 * 2 * bt ** 3, tune: { M: bt, N: bt, K: bt, batch: 16 }, a: () => gpuTensor(values(16 * bt * bt, 5), [16, bt, bt]), b: () => gpuTensor(values(16 * bt * bt, 6), [16, bt, bt]) },
  ];
  for (const c of cases) {
    const [tuned] = await tuneMatmul([c.tune], { reps: quick ? 1 : 3 });
    const a = c.a(); const b = c.b();
    await recordBoth('matmul', c.kase, `tessera (${tuned.choice})`, () => a.matmul(b), calls, { flops: c.flops });
    a.dispose(); b.dispose();
  }
  for (const [name, tf] of peers.tf) {
    const ta = tf.tensor2d(A, [n, n]); const tb = tf.tensor2d(B, [n, n]);
    await recordBothTf('matmul', `f32 x W^T ${n}^3`, name, tf, () => tf.matMul(ta, tb, false, true), calls, { flops: 2 * n ** 3 });
    ta.dispose(); tb.dispose();
  }
}

/** One square f32 size: the tuned kernel, the tiled baseline, the peers. */
async function square(peers: Peers, sizes: BenchSizes, n: number): Promise<void> {
  const calls = sizes.queued;
  const software = sizes.table !== 'gpu';
  const kase = `f32 ${n}x${n}x${n}`;
  const flops = 2 * n ** 3;
  const A = values(n * n, 1); const B = values(n * n, 2);
  const a = gpuTensor(A, [n, n]); const b = gpuTensor(B, [n, n]);
  const tuned = n < sizes.tuneBelow ? (await tuneMatmul([{ M: n, N: n, K: n }], { reps: quick ? 1 : 3 }))[0].choice : 'untuned default';
  const ref = n <= 256 ? await (await a.to('cpu')).matmul(await b.to('cpu')).data() : null;
  await recordBoth('matmul', kase, `tessera (${tuned})`, () => a.matmul(b), calls, { flops });
  if (n < sizes.tuneBelow && tuned !== 'tiled64') await recordBoth('matmul', kase, 'tessera tiled64', () => withMatmulVariant('tiled64', () => a.matmul(b)), calls, { flops });
  for (const [name, tf] of peers.tf) {
    if (software && n >= 2048 && name === 'tfjs webgpu') { skip('matmul', kase, `${name}: several seconds per run on a software adapter`); continue; }
    const ta = tf.tensor2d(A, [n, n]); const tb = tf.tensor2d(B, [n, n]);
    if (ref) { const c = tf.matMul(ta, tb); check(`${name} matmul`, await c.data(), ref, { atol: 1e-3, rtol: 1e-3 }); c.dispose(); }
    await recordBothTf('matmul', kase, name, tf, () => tf.matMul(ta, tb), calls, { flops });
    ta.dispose(); tb.dispose();
  }
  for (const [name, jax] of peers.jax) {
    if (software && n >= 2048 && name === 'jax-js webgpu') { skip('matmul', kase, `${name}: several seconds per run on a software adapter`); continue; }
    const np = jax.numpy;
    const ja = np.array(A).reshape([n, n]); const jb = np.array(B).reshape([n, n]);
    if (ref) check(`${name} matmul`, await np.matmul(ja.ref, jb.ref).data(), ref, { atol: 1e-3, rtol: 1e-3 });
    await recordBothJax('matmul', kase, name, () => np.matmul(ja.ref, jb.ref), calls, { flops });
    ja.dispose(); jb.dispose();
  }
  a.dispose(); b.dispose();
}
