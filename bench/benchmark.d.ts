// The part of benchmark.js's API the harness uses (the package ships no types).
declare module 'benchmark' {
  interface Options {
    defer?: boolean; minSamples?: number; maxTime?: number; delay?: number;
    fn: (deferred: { resolve(): void }) => void;
    onComplete?: () => void; onError?: (e: unknown) => void;
  }
  class Benchmark {
    constructor(options: Options);
    stats: { sample: number[]; rme: number };
    run(options?: { async?: boolean }): this;
  }
  export default Benchmark;
}
