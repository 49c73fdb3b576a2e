// The machine's ceilings, measured in the same run: OpenBLAS sgemm and memory copy bandwidth through numpy
// (bench/ceilings.py), skipped with a note when python3 or numpy is missing.
import { execFileSync } from 'node:child_process';
import { onceTiming, quick } from '../harness.js';
import { benchFile, record, skip } from '../common.js';

export interface Ceilings { sgemmGflops: number | null; bandwidthGBps: number | null }

export function ceilingSuite(): Ceilings {
  try {
    const script = benchFile('ceilings.py');
    const r = JSON.parse(execFileSync('python3', [script, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 120_000 }));
    const sizes = Object.keys(r.sgemm).map(Number);
    for (const n of sizes) {
      const ms = (2 * n ** 3) / r.sgemm[n] / 1e6;
      record('ceiling', `sgemm ${n}`, `OpenBLAS (numpy ${r.numpy})`, onceTiming(ms), { flops: 2 * n ** 3 });
    }
    const bytes = 2 * 4 * (1 << 25);
    const ms = bytes / r.copy_GBps / 1e6;
    record('ceiling', 'memory copy 128 MiB', 'numpy copyto', onceTiming(ms), { bytes });
    return { sgemmGflops: Math.max(...sizes.map((n) => r.sgemm[n])), bandwidthGBps: r.copy_GBps };
  } catch (e) {
    skip('ceiling', 'sgemm / bandwidth', `python3 with numpy not usable: ${(e as Error).message.split('\n')[0]}`);
    return { sgemmGflops: null, bandwidthGBps: null };
  }
}
