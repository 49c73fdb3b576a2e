// The matmul page's live part: times the naive, tiled and (where the adapter has subgroups) subgroup kernels at
// a few sizes and plots GFLOP/s as each size finishes.
import { $, plot, runPage, table } from '../lib/page.js';
import { runMatmul, variants } from './matmul.compute.js';

runPage(async (info) => {
  const sizes = info.software ? [32, 64, 128, 192] : [256, 512, 1024, 2048];
  const reps = info.software ? 3 : 10;
  const names = variants();
  $('plan').textContent =
    `sizes ${sizes.join(', ')} (n x n times n x n), median of ${reps} runs; variants: ${names.join(', ')}` +
    (names.some((v) => v.startsWith('subgroup')) ? '' : ' (no subgroup kernel on this adapter)');
  const show = (r: Awaited<ReturnType<typeof runMatmul>>) => {
    const done = r.rows[0].gflops.length;
    $('table').innerHTML = table(
      ['variant', ...r.sizes.slice(0, done).map((n) => `n = ${n}: GFLOP/s`), 'max |error|'],
      r.rows.map((row) => [row.variant, ...row.gflops, row.maxError]),
    );
    plot(
      'chart',
      r.rows.map((row) => ({
        name: row.variant,
        points: row.gflops.map((g, i) => [r.sizes[i], g] as [number, number]),
      })),
      { title: 'matmul throughput', xLabel: 'n', yLabel: 'GFLOP/s', markers: true },
    );
  };
  const result = await runMatmul(sizes, reps, names, show);
  show(result);
  return result;
});
