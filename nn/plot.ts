// A hand-written SVG line plot of training curves: axes with round-number ticks, one polyline per series, a legend.

export interface Series {
  name: string;
  points: [number, number][];
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** log10 y axis (positive values only), useful for losses */
  logY?: boolean;
  /** also mark every point with a dot (a series of one point becomes a scatter marker) */
  markers?: boolean;
}

// ten distinguishable colours (matplotlib's tab10 order, red second), so a plot of up to ten series repeats none
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).reduce((best, s) => (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(best / raw)) ? s : best));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

export function linePlot(series: Series[], opts: PlotOptions = {}): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 400;
  const m = { left: 64, right: 16, top: opts.title ? 36 : 16, bottom: 48 };
  const fy = (y: number) => (opts.logY ? Math.log10(y) : y);
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(fy(y)));
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => fy(y));
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((y - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (opts.title) out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escape(opts.title)}</text>`);
  for (const t of niceTicks(x0, x1)) {
    out.push(`<line x1="${px(t)}" y1="${m.top}" x2="${px(t)}" y2="${H - m.bottom}" stroke="#eee"/>`,
      `<text x="${px(t)}" y="${H - m.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  const yTicks = opts.logY ? niceTicks(Math.floor(y0), Math.ceil(y1)).filter((t) => Number.isInteger(t) && t >= y0 && t <= y1) : niceTicks(y0, y1);
  for (const t of yTicks) {
    out.push(`<line x1="${m.left}" y1="${py(t)}" x2="${W - m.right}" y2="${py(t)}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(opts.logY ? 10 ** t : t)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#333"/>`);
  if (opts.xLabel) out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">${escape(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const line = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(fy(y)))
      .map(([x, y]) => `${px(x).toFixed(1)},${py(fy(y)).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${line}"/>`,
      `<line x1="${W - m.right - 120}" y1="${m.top + 14 + 16 * i}" x2="${W - m.right - 100}" y2="${m.top + 14 + 16 * i}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${W - m.right - 94}" y="${m.top + 18 + 16 * i}">${escape(s.name)}</text>`);
    if (opts.markers) {
      for (const [x, y] of s.points) if (Number.isFinite(x) && Number.isFinite(fy(y))) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(fy(y)).toFixed(1)}" r="4" fill="${colour}"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n');
}
