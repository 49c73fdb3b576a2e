// The outputs of a run: the table printed last (ours vs each peer per benchmark), the JSON file, the SVG charts.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Row } from './common.js';
import type { Ceilings } from './suites/ceilings.js';

/** A row's line in the tables: its case and how it was timed (rows measured before the modes existed have none). */
const caseOf = (r: Row) => `${r.suite} / ${r.case}${r.mode && r.mode !== 'once' ? ` [${r.mode}]` : ''}`;

export function printTable(rows: Row[]): void {
  const cases = [...new Set(rows.map(caseOf))];
  console.log('\n== results (median; throughput from the median; [latency]: one call, one wait; [queued xN]: N calls, one wait)');
  for (const kase of cases) {
    const here = rows.filter((r) => caseOf(r) === kase);
    const ours = here.find((r) => r.impl.startsWith('tessera'));
    console.log(kase);
    for (const r of here) {
      const ratio = ours && r !== ours ? `  tessera is ${(r.medianMs / ours.medianMs).toFixed(2)}x its speed` : '';
      const v = r.unit === 'ms' ? '' : `${r.value.toFixed(2).padStart(9)} ${r.unit}`;
      console.log(`   ${r.impl.padEnd(30)} ${r.medianMs.toFixed(3).padStart(10)} ms ${v}${ratio}`);
    }
  }
}

/** The results as a markdown table: one row per case, one column per implementation (value and unit). */
export function markdownTable(rows: Row[]): string {
  const impl = (r: Row) => r.impl.replace(/^tessera \(.*\)$/, 'tessera').replace(/ \(jit\)$/, '');
  const impls = [...new Set(rows.map(impl))].filter((i) => !/^(OpenBLAS|numpy)/.test(i));
  const cases = [...new Set(rows.filter((r) => impls.includes(impl(r))).map(caseOf))];
  const ms = (v: number) => (v < 1 ? `${(v * 1e3).toFixed(1)} us` : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
  const cell = (r: Row | undefined) => (!r ? '' : r.unit === 'ms' ? ms(r.value) : `${r.value.toFixed(2)} ${r.unit}`);
  const lines = [`| benchmark | ${impls.join(' | ')} |`, `| --- |${' --- |'.repeat(impls.length)}`];
  for (const c of cases) {
    const here = rows.filter((r) => caseOf(r) === c);
    lines.push(`| ${c} | ${impls.map((i) => cell(here.find((r) => impl(r) === i))).join(' | ')} |`);
  }
  return lines.join('\n');
}

export function writeJson(file: string, meta: Record<string, unknown>, rows: Row[]): void {
  mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...meta, rows }, null, 1));
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** A log-log line chart: one polyline per series. */
function chart(title: string, xLabel: string, yLabel: string, series: { name: string; points: [number, number][]; dashed?: boolean }[]): string {
  const W = 720; const H = 440; const L = 70; const R = 220; const T = 40; const B = 50;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (!all.length) return '';
  const lx = all.map(([x]) => Math.log10(x)); const ly = all.map(([, y]) => Math.log10(y));
  const [x0, x1] = [Math.floor(Math.min(...lx)), Math.ceil(Math.max(...lx))];
  const [y0, y1] = [Math.floor(Math.min(...ly)), Math.ceil(Math.max(...ly))];
  const px = (x: number) => L + ((Math.log10(x) - x0) / Math.max(x1 - x0, 1)) * (W - L - R);
  const py = (y: number) => H - B - ((Math.log10(y) - y0) / Math.max(y1 - y0, 1)) * (H - T - B);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${L}" y="22" font-size="15">${title}</text>`];
  for (let e = x0; e <= x1; e++) out.push(`<line x1="${px(10 ** e)}" y1="${T}" x2="${px(10 ** e)}" y2="${H - B}" stroke="#ddd"/><text x="${px(10 ** e)}" y="${H - B + 16}" text-anchor="middle">1e${e}</text>`);
  for (let e = y0; e <= y1; e++) out.push(`<line x1="${L}" y1="${py(10 ** e)}" x2="${W - R}" y2="${py(10 ** e)}" stroke="#ddd"/><text x="${L - 6}" y="${py(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${xLabel}</text>`,
    `<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">${yLabel}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.points.filter(([x, y]) => x > 0 && y > 0).sort((p, q) => p[0] - q[0]);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) if (!s.dashed) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${c}"/>`);
    out.push(`<rect x="${W - R + 12}" y="${T + i * 18}" width="12" height="3" fill="${c}"/><text x="${W - R + 30}" y="${T + i * 18 + 5}">${s.name}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export function writeCharts(dir: string, all: Row[], ceilings: Ceilings): string[] {
  const rows = all.filter((r) => r.mode !== 'latency'); // one point per case: the queued throughput
  const square = rows.filter((r) => r.suite === 'matmul' && /^f32 \d+x\d+x\d+$/.test(r.case));
  const impls = [...new Set(square.map((r) => r.impl.replace(/ \(.*\)$/, '')))];
  const files: string[] = [];
  const mm = chart('matmul f32, n x n x n (queued throughput)', 'n', 'GFLOP/s', impls.map((name) => ({
    name, points: square.filter((r) => r.impl.replace(/ \(.*\)$/, '') === name).map((r) => [Number(r.case.split(' ')[1].split('x')[0]), r.value] as [number, number]),
  })));
  if (mm) { writeFileSync(`${dir}/matmul.svg`, mm); files.push(`${dir}/matmul.svg`); }

  // Roofline: attainable GFLOP/s = min(peak, intensity x bandwidth), with our kernels placed at their intensity.
  // our chosen kernels only (not the tiled baseline or the scalar-load add), where both FLOPs and bytes are known
  const ours = rows.filter((r) => /^tessera( \(.*\))?$/.test(r.impl) && r.flops > 0 && r.suite !== 'overhead' && (r.bytes > 0 || r.suite === 'matmul'));
  const points = ours.map((r) => [r.flops / (r.bytes || bytesOfMatmul(r)), r.flops / r.medianMs / 1e6] as [number, number]);
  if (ceilings.sgemmGflops && ceilings.bandwidthGBps && points.length) {
    const xs = [1e-2, ceilings.sgemmGflops / ceilings.bandwidthGBps, 1e3];
    const roof = xs.map((x) => [x, Math.min(ceilings.sgemmGflops!, x * ceilings.bandwidthGBps!)] as [number, number]);
    const svg = chart('roofline (measured ceilings: OpenBLAS sgemm, numpy copy)', 'FLOP per byte', 'GFLOP/s',
      [{ name: 'ceiling', points: roof, dashed: true }, ...ours.map((r, i) => ({ name: `${r.suite} ${r.case}`.slice(0, 30), points: [points[i]] }))]);
    writeFileSync(`${dir}/roofline.svg`, svg); files.push(`${dir}/roofline.svg`);
  }
  return files;
}

/** Compulsory traffic of a matmul case named "... MxNxK" or "... n^3": read A and B once, write C once. */
function bytesOfMatmul(r: Row): number {
  const m = /(\d+)x(\d+)x(\d+)/.exec(r.case) ?? /(\d+)\^3/.exec(r.case);
  const [M, N, K] = m && m.length === 4 ? [+m[1], +m[2], +m[3]] : m ? [+m[1], +m[1], +m[1]] : [0, 0, 0];
  const batch = /batched (\d+)x/.exec(r.case);
  const per = /f16/.test(r.case) ? 2 : 4;
  return (batch ? +batch[1] : 1) * per * (M * K + K * N + M * N) || 1;
}
