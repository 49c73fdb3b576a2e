// The result tables of the spec (§6) and a bar chart, from per-seed evaluations. Accuracies are in percent.
import type { AttentionMode } from './hybridAttention.js';

export interface EvalRow {
  arm: string;
  featureDim: number;
  seed: number;
  /** 'softmax' for the teacher */
  mode: AttentionMode | 'softmax';
  local: number;
  recall: number;
  /** ρ per layer: the linear branch's share of attention mass over queries i ≥ W */
  rho: number[];
}

export interface Summary { mean: number; sd: number; n: number }

export function summarise(values: number[]): Summary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

const fmt = (s: Summary, digits = 1) => (s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits));
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function rowsOf(rows: EvalRow[], arm: string, mode: EvalRow['mode']): EvalRow[] {
  return rows.filter((r) => r.arm === arm && r.mode === mode);
}

export function armsOf(rows: EvalRow[]): string[] {
  return [...new Set(rows.map((r) => r.arm))];
}

/** Table 1: | arm | F | mode | local_acc | recall_acc | ρ (mean over layers, and per layer) | */
export function table1(rows: EvalRow[]): string {
  const lines = ['| arm | F | mode | local_acc | recall_acc | ρ (mean) | ρ per layer |', '|---|---|---|---|---|---|---|'];
  for (const arm of armsOf(rows)) {
    for (const mode of [...new Set(rows.filter((r) => r.arm === arm).map((r) => r.mode))]) {
      const rs = rowsOf(rows, arm, mode);
      const layers = rs[0].rho.length;
      const perLayer = Array.from({ length: layers }, (_, l) => meanOf(rs.map((r) => r.rho[l])).toFixed(3)).join(' / ');
      lines.push(`| ${arm} | ${rs[0].featureDim || '–'} | ${mode} | ${fmt(summarise(rs.map((r) => r.local)))} | ` +
        `${fmt(summarise(rs.map((r) => r.recall)))} | ${fmt(summarise(rs.map((r) => meanOf(r.rho))), 3)} | ${perLayer} |`);
    }
  }
  return lines.join('\n');
}

export interface Deltas {
  arm: string;
  dLocal: Summary;
  dRecall: Summary;
  recallLaFull: Summary | null;
  hybridLocal: Summary;
}

/** Per-seed hybrid − swaOnly differences for an arm that has both modes. */
export function deltasOf(rows: EvalRow[], arm: string): Deltas | null {
  const hybrid = rowsOf(rows, arm, 'hybrid');
  const swa = rowsOf(rows, arm, 'swaOnly');
  if (!hybrid.length || !swa.length) return null;
  const bySeed = (rs: EvalRow[], seed: number) => rs.find((r) => r.seed === seed)!;
  const seeds = hybrid.map((r) => r.seed);
  const la = rowsOf(rows, arm, 'laFull');
  return {
    arm,
    dLocal: summarise(seeds.map((s) => bySeed(hybrid, s).local - bySeed(swa, s).local)),
    dRecall: summarise(seeds.map((s) => bySeed(hybrid, s).recall - bySeed(swa, s).recall)),
    recallLaFull: la.length ? summarise(la.map((r) => r.recall)) : null,
    hybridLocal: summarise(hybrid.map((r) => r.local)),
  };
}

/** Table 2: | arm | Δlocal | Δrecall | recall laFull | verdict |, with verdicts given by `verdictOf`. */
export function table2(deltas: Deltas[], verdictOf: (d: Deltas) => string): string {
  const lines = ['| arm | Δlocal (hybrid − swaOnly) | Δrecall (hybrid − swaOnly) | recall laFull | verdict |', '|---|---|---|---|---|'];
  for (const d of deltas) {
    lines.push(`| ${d.arm} | ${fmt(d.dLocal)} | ${fmt(d.dRecall)} | ${d.recallLaFull ? fmt(d.recallLaFull) : '–'} | ${verdictOf(d)} |`);
  }
  return lines.join('\n');
}

/** Grouped bars: recall accuracy of each arm in each mode, with ±sd whiskers, and ρ of the hybrid above. */
export function barChartSvg(rows: EvalRow[], modes: AttentionMode[], title: string): string {
  const arms = armsOf(rows);
  const [W, H, left, top, bottom] = [120 + arms.length * (modes.length * 22 + 24), 320, 50, 40, 70];
  const plotH = H - top - bottom;
  const colors = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#a463f2'];
  const y = (v: number) => top + plotH * (1 - v / 100);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${title}</text>`,
  ];
  for (const v of [0, 25, 50, 75, 100]) {
    parts.push(`<line x1="${left}" x2="${W - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  parts.push(`<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">recall accuracy (%)</text>`);
  let x = left + 12;
  for (const arm of arms) {
    const groupStart = x;
    for (const [m, mode] of modes.entries()) {
      const rs = rowsOf(rows, arm, mode);
      if (rs.length) {
        const s = summarise(rs.map((r) => r.recall));
        parts.push(`<rect x="${x}" y="${y(s.mean)}" width="18" height="${y(0) - y(s.mean)}" fill="${colors[m % colors.length]}"/>`);
        if (s.n > 1) parts.push(`<line x1="${x + 9}" x2="${x + 9}" y1="${y(Math.min(100, s.mean + s.sd))}" y2="${y(Math.max(0, s.mean - s.sd))}" stroke="#000"/>`);
      }
      x += 22;
    }
    const hybrid = rowsOf(rows, arm, 'hybrid');
    const rho = hybrid.length ? `ρ=${meanOf(hybrid.map((r) => meanOf(r.rho))).toFixed(2)}` : '';
    parts.push(`<text x="${(groupStart + x) / 2}" y="${y(0) + 16}" text-anchor="middle">${arm}</text>`,
      `<text x="${(groupStart + x) / 2}" y="${y(0) + 30}" text-anchor="middle" fill="#555">${rho}</text>`);
    x += 24;
  }
  for (const [m, mode] of modes.entries()) {
    parts.push(`<rect x="${left + m * 90}" y="${H - 22}" width="12" height="12" fill="${colors[m % colors.length]}"/>`,
      `<text x="${left + m * 90 + 16}" y="${H - 12}">${mode}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
