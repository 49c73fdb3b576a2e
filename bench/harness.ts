// Timing. Two modes, and every row says which it ran:
//  - latency (`measure`): benchmark.js times one call at a time, each awaiting its own completion (a readback or a
//    queue drain), so a sample is the round trip of one finished call: what an eager loop that reads each result
//    sees. On a real GPU the wait itself (about 0.2-1.3 ms through Dawn) is a floor under every such row.
//  - queued throughput (`measureQueued`): N calls recorded back to back, then one wait; the sample is the time per
//    call, the median over repeats: what a loop that does not read every result sees (PyTorch CUDA's usual mode).
// Results are medians with the spread (min, max) and the relative margin of error. --quick keeps every benchmark
// short (CI runs it to check the suite works, without judging the times); --max-time=S sets the seconds each
// benchmark may take (default 2); --budget=S is the wall-clock guard of a whole run: once spent, every later
// benchmark raises OutOfTime, which run.ts turns into "skipped: time budget" lines.
import Benchmark from 'benchmark';

const argv = process.argv.slice(2);
const numberArg = (name: string): number | undefined => {
  const a = [...argv].reverse().find((x) => x.startsWith(`--${name}=`)); // the last one wins
  if (a === undefined) return undefined;
  const v = Number(a.slice(name.length + 3));
  if (!(v > 0)) throw new Error(`bench: --${name} must be a positive number of seconds, got '${a}'`);
  return v;
};

export const quick = argv.includes('--quick');
const maxTimeS = numberArg('max-time') ?? (quick ? 0.25 : 2);
export const budgetS = numberArg('budget') ?? Infinity;
const startedAt = performance.now();
export const elapsedS = (): number => (performance.now() - startedAt) / 1e3;

/** Raised by a timing call once the run's --budget is spent. */
export class OutOfTime extends Error {}

function guard(): void {
  if (elapsedS() > budgetS) throw new OutOfTime(`the run's time budget of ${budgetS} s is spent`);
}

export interface Timing {
  medianMs: number; minMs: number; maxMs: number; samples: number; rmePct: number;
  /** 'latency' (one call, one wait), 'queued xN' (N calls, one wait; time per call) or 'once' (a one-off cost) */
  mode: string;
}

/** Median, spread and the relative margin of error (95%, normal approximation) of samples in ms. */
export function summarise(samples: number[], mode: string): Timing {
  const s = [...samples].sort((x, y) => x - y);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  const rmePct = mean > 0 ? (100 * 1.96 * sd) / Math.sqrt(s.length) / mean : 0;
  return { medianMs: s[Math.floor(s.length / 2)], minMs: s[0], maxMs: s[s.length - 1], samples: s.length, rmePct, mode };
}

/** A one-off cost measured once (a compile, a first call, a difference of two medians). */
export const onceTiming = (ms: number): Timing => ({ medianMs: ms, minMs: ms, maxMs: ms, samples: 1, rmePct: 0, mode: 'once' });

/** Latency: times `fn` (awaited) after `warmup` untimed calls (compiles, first-call costs; one in quick mode). */
export async function measure(fn: () => Promise<unknown>, opts: { warmup?: number; maxTime?: number } = {}): Promise<Timing> {
  guard();
  for (let i = 0; i < (quick ? 1 : opts.warmup ?? 2); i++) await fn();
  return new Promise((resolve, reject) => {
    let failure: unknown = null;
    const bench = new Benchmark({
      defer: true,
      minSamples: quick ? 3 : 7,
      maxTime: opts.maxTime ?? maxTimeS,
      delay: 0,
      fn: (d: { resolve(): void }) => { fn().then(() => d.resolve(), (e) => { failure = e; d.resolve(); }); },
      onComplete: () => {
        if (failure) return reject(failure);
        resolve({ ...summarise(bench.stats.sample.map((x) => x * 1e3), 'latency'), rmePct: bench.stats.rme });
      },
      onError: (e: unknown) => reject(e),
    });
    bench.run({ async: true });
  });
}

/**
 * Queued throughput: `calls` calls of `enqueue` recorded back to back, then one `wait`; a sample is the time per
 * call. Repeats until the benchmark's time is used (at least 5 samples, 3 for quick runs and slow
 * rounds; at most 200), after
 * warm-up rounds.
 */
export async function measureQueued(enqueue: () => void, wait: () => Promise<unknown>, calls: number, opts: { warmup?: number } = {}): Promise<Timing> {
  guard();
  const round = async () => { for (let i = 0; i < calls; i++) enqueue(); await wait(); };
  // warm-up rounds (compiles, first-call costs); a round slower than a quarter second needs only one
  for (let i = 0; i < (quick ? 1 : opts.warmup ?? 2); i++) {
    const t0 = performance.now();
    await round();
    if (performance.now() - t0 > 250) break;
  }
  const perCall: number[] = [];
  const until = performance.now() + maxTimeS * 1e3;
  // at least 5 samples, or 3 in quick runs and when a round takes over a second (a 100 ms GPT step queued 10 times)
  const least = () => (quick || perCall[0] * calls > 1e3 ? 3 : 5);
  while (perCall.length < least() || (performance.now() < until && perCall.length < 200)) {
    const t0 = performance.now();
    await round();
    perCall.push((performance.now() - t0) / calls);
  }
  return summarise(perCall, `queued x${calls}`);
}

/** Wall-clock time of one run, for one-off costs benchmark.js cannot repeat (first call, compiles). */
export async function once(fn: () => Promise<unknown>): Promise<number> {
  guard();
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
