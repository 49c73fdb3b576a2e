// A one-line progress bar on stderr with ETA, redrawn in place (plain log lines when stderr is not a terminal).
export function progressBar(label: string, total: number): (done: number, note?: string) => void {
  const t0 = performance.now();
  let lastLogged = -1;
  return (done, note = '') => {
    const frac = done / total;
    const elapsed = (performance.now() - t0) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
    const bar = '#'.repeat(Math.round(frac * 24)).padEnd(24, '.');
    const line = `${label} [${bar}] ${done}/${total} ${elapsed.toFixed(0)}s eta ${eta.toFixed(0)}s ${note}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (Math.floor(frac * 10) > lastLogged || done === total) {
      lastLogged = Math.floor(frac * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}
