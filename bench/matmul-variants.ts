// Every matmul kernel variant side by side on the running adapter: `npx tsx bench/matmul-variants.ts [n,...]`.
// For each case the tuner validates every candidate against the cpu reference and picks one; then each valid
// variant is timed again queued, `reps` calls and one wait, which on a real GPU leaves out the per-call wait (about
// 1.3 ms on the H200) that dominates at these sizes. Prints GFLOP/s per variant and the pick.
// Sizes default to 512 and 1024 on a software adapter, 1024 to 4096 on a GPU.
import { ready, shutdown, tensor, tuneMatmul, withMatmulVariant, type MatmulCase, type Tensor } from '../index.js';
import { sync } from '../core/executor.js';

const info = await ready();
const arg = process.argv[2];
const sizes = arg ? arg.split(',').map(Number) : info.software ? [512, 1024] : [1024, 2048, 4096];
const big = sizes[sizes.length - 1];
const cases: (MatmulCase & { name: string })[] = [
  ...sizes.map((n) => ({ name: `f32 ${n}^3`, M: n, N: n, K: n })),
  { name: `f32 x W^T ${big}^3`, M: big, N: big, K: big, transB: true },
  { name: `f32 A^T B ${big}^3`, M: big, N: big, K: big, transA: true },
  { name: `f16 ${big}^3`, M: big, N: big, K: big, dtype: 'f16' },
];

/** Operands of a case, with the tuner's layouts: transposed operands are views of [K, M] / [N, K] storage. */
function operands(c: MatmulCase): [Tensor, Tensor] {
  const make = (rows: number, cols: number, transposed: boolean) => {
    const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37));
    const t = tensor(data, {
      shape: transposed ? [cols, rows] : [rows, cols],
      dtype: c.dtype ?? 'f32',
      device: 'webgpu',
    });
    return transposed ? t.transpose(0, 1) : t;
  };
  return [make(c.M, c.K, !!c.transA), make(c.K, c.N, !!c.transB)];
}

async function queuedMs(a: Tensor, b: Tensor, variant: string, reps: number): Promise<number> {
  withMatmulVariant(variant, () => a.matmul(b)).dispose();
  await sync();
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) withMatmulVariant(variant, () => a.matmul(b)).dispose();
  await sync();
  return (performance.now() - t0) / reps;
}

console.log(`matmul variants on ${info.adapter}`);
for (const c of cases) {
  const [tuned] = await tuneMatmul([c], { reps: 3 });
  const [a, b] = operands(c);
  const flops = 2 * c.M * c.N * c.K;
  const reps = info.software ? 3 : 20;
  console.log(`${c.name} (${tuned.shapeClass}): tuner picks ${tuned.choice}`);
  for (const t of tuned.timings) {
    if (!t.ok) {
      console.log(`  ${t.variant.padEnd(16)} failed validation (max error ${t.maxError})`);
      continue;
    }
    const ms = await queuedMs(a, b, t.variant, reps);
    console.log(
      `  ${t.variant.padEnd(16)} ${(flops / ms / 1e6).toFixed(1).padStart(9)} GFLOP/s queued, ${t.medianMs!.toFixed(2)} ms per call in the tuner`,
    );
  }
  a.dispose();
  b.dispose();
}
shutdown();
process.exit(0);
