// A progress bar on stderr: step count, rate, elapsed time, ETA and named values (e.g. the running loss).
// On a TTY it redraws one line in place; otherwise (logs, CI) it prints a plain line at every tenth of the run.
// Outside Node (a browser) the default stream is the console.

/** Where the bar writes: process.stderr, or anything with the same two members (tests capture output this way). */
export interface ProgressStream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

/** process.stderr under Node; elsewhere each line goes to console.log. */
function defaultStream(): ProgressStream {
  const stderr = (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
  return stderr ?? { write: (chunk: string) => console.log(chunk.trimEnd()) };
}

/** "42s", "3m07s", "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const formatValue = (v: number | string) => (typeof v === 'string' ? v : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));

/** One line of the bar: `label [#####.....] 50/100 12.3 it/s 4s<4s loss=0.1234`. */
export function formatProgress(done: number, total: number, elapsedSeconds: number, values: Record<string, number | string> = {},
  opts: { label?: string; width?: number } = {}): string {
  const width = opts.width ?? 24;
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const eta = rate > 0 ? (total - done) / rate : NaN;
  const parts = [
    ...(opts.label ? [opts.label] : []),
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
    `${done}/${total}`,
    `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)} it/s`,
    `${formatDuration(elapsedSeconds)}<${formatDuration(eta)}`,
    ...Object.entries(values).map(([k, v]) => `${k}=${formatValue(v)}`),
  ];
  return parts.join(' ');
}

export class ProgressBar {
  private readonly start = performance.now();
  private nextReport = 0;
  private lastLength = 0;
  private lastPrintedDone = -1;
  private readonly stream: ProgressStream;

  constructor(readonly total: number, private readonly opts: { label?: string; width?: number; stream?: ProgressStream } = {}) {
    this.stream = opts.stream ?? defaultStream();
  }

  /** Reports that `done` steps are complete, with the values to show. */
  update(done: number, values: Record<string, number | string> = {}): void {
    const line = formatProgress(done, this.total, (performance.now() - this.start) / 1000, values, this.opts);
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.lastLength - line.length))}`);
      this.lastLength = line.length;
    } else if ((done >= this.nextReport || done >= this.total) && done !== this.lastPrintedDone) {
      this.stream.write(`${line}\n`);
      this.lastPrintedDone = done;
      this.nextReport = done + Math.max(1, Math.ceil(this.total / 10));
    }
  }

  /** Ends the bar (moves past the redrawn line on a TTY). */
  finish(values: Record<string, number | string> = {}, done = this.total): void {
    this.nextReport = 0;
    this.update(done, values);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
