// Timing with benchmark.js: each benchmark is a deferred Benchmark whose function awaits its own completion
// (a readback or a queue-drain), so a sample measures finished work, not queued work. Results are medians with
// the spread (min, max) and benchmark.js's relative margin of error. --quick keeps every benchmark short; CI runs
// it to check the suite works, without judging the times.
import Benchmark from 'benchmark';

export const quick = process.argv.includes('--quick');

export interface Timing { medianMs: number; minMs: number; maxMs: number; samples: number; rmePct: number }

/** Times `fn` (awaited) after `warmup` untimed calls (compiles, first-call costs; one in quick mode). */
export async function measure(fn: () => Promise<unknown>, opts: { warmup?: number; maxTime?: number } = {}): Promise<Timing> {
  for (let i = 0; i < (quick ? 1 : opts.warmup ?? 2); i++) await fn();
  return new Promise((resolve, reject) => {
    let failure: unknown = null;
    const bench = new Benchmark({
      defer: true,
      minSamples: quick ? 3 : 7,
      maxTime: opts.maxTime ?? (quick ? 0.25 : 2),
      delay: 0,
      fn: (d: { resolve(): void }) => { fn().then(() => d.resolve(), (e) => { failure = e; d.resolve(); }); },
      onComplete: () => {
        if (failure) return reject(failure);
        const s = [...bench.stats.sample].sort((x, y) => x - y).map((x) => x * 1e3);
        resolve({ medianMs: s[Math.floor(s.length / 2)], minMs: s[0], maxMs: s[s.length - 1], samples: s.length, rmePct: bench.stats.rme });
      },
      onError: (e: unknown) => reject(e),
    });
    bench.run({ async: true });
  });
}

/** Median of `reps` wall-clock runs, for one-off costs benchmark.js cannot repeat (first call, compiles). */
export async function once(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
