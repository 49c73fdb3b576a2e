// The experiment's tables (spec §6), the verdict, and the plots.
import { nn } from '../../index.js';
import { meanSd, formatMeanSd } from '../shared/stats.js';
import type { SpecStats, DisconnectionStats } from './evaluate.js';

export interface SingleRow {
  drafter: string;
  mode: 'chain' | 'tree';
  seeds: SpecStats[];
}
export interface NetworkRow {
  drafter: string;
  profile: string;
  callsPerToken: number;
  kbPerToken: number;
  msPerToken: number;
  lossless?: boolean;
}
export interface DisconnectRow {
  drafter: string;
  seeds: DisconnectionStats[];
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );

export function singleTable(rows: SingleRow[], depth: number): string {
  const head = [
    'drafter',
    'mode',
    'seeds',
    'τ',
    ...Array.from({ length: depth }, (_, k) => `α${k + 1}`),
    'calls/token',
    'ms/token (cpu)',
    'lossless',
  ];
  return table(
    head,
    rows.map((r) => [
      r.drafter,
      r.mode,
      String(r.seeds.length),
      formatMeanSd(
        r.seeds.map((s) => s.tau),
        2,
      ),
      ...Array.from({ length: depth }, (_, k) => f(meanSd(r.seeds.map((s) => s.alphaByDepth[k] ?? 0)).mean)),
      f(meanSd(r.seeds.map((s) => s.callsPerToken)).mean, 3),
      f(meanSd(r.seeds.map((s) => s.msPerToken)).mean, 1),
      r.seeds.every((s) => s.lossless) ? 'yes' : 'NO',
    ]),
  );
}

export function networkTable(rows: NetworkRow[]): string {
  return table(
    ['drafter', 'profile', 'calls/token', 'KB/token', 'ms/token'],
    rows.map((r) => [r.drafter, r.profile, f(r.callsPerToken, 3), f(r.kbPerToken, 3), f(r.msPerToken, 1)]),
  );
}

export function disconnectTable(rows: DisconnectRow[]): string {
  return table(
    ['drafter', 'seeds', 'matched prefix', 'agreement %', 'target NLL/char'],
    rows.map((r) => [
      r.drafter,
      String(r.seeds.length),
      formatMeanSd(
        r.seeds.map((s) => s.matchedPrefix),
        1,
      ),
      formatMeanSd(
        r.seeds.map((s) => s.agreement),
        1,
      ),
      formatMeanSd(
        r.seeds.map((s) => s.nll),
        3,
      ),
    ]),
  );
}

export function acceptancePlot(rows: SingleRow[], depth: number): string {
  return nn.linePlot(
    rows
      .filter((r) => r.mode === 'tree')
      .map((r) => ({
        name: r.drafter,
        points: Array.from({ length: depth }, (_, k): [number, number] => [
          k + 1,
          meanSd(r.seeds.map((s) => s.alphaByDepth[k])).mean,
        ]),
      })),
    { title: 'Tree mode: share of cycles accepting depth k', xLabel: 'depth k', yLabel: 'α_k', markers: true },
  );
}

export function latencyPlot(rows: NetworkRow[], rtts: Record<string, number>): string {
  const names = [...new Set(rows.map((r) => r.drafter))];
  return nn.linePlot(
    names.map((name) => ({
      name,
      points: rows.filter((r) => r.drafter === name).map((r): [number, number] => [rtts[r.profile], r.msPerToken]),
    })),
    {
      title: 'Client–server: ms per token by network profile',
      xLabel: 'RTT (ms): lan 5, mobile 60, poor 250',
      yLabel: 'ms/token',
      logY: true,
      markers: true,
    },
  );
}

export interface Criterion {
  name: string;
  result: 'pass' | 'fail' | 'not tested';
  detail: string;
}

export function verdictText(criteria: Criterion[]): string {
  const lines = criteria.map((c) => `- [${c.result}] ${c.name}: ${c.detail}`);
  const tested = criteria.filter((c) => c.result !== 'not tested');
  const all = tested.length === criteria.length && tested.every((c) => c.result === 'pass');
  const verdict = all
    ? 'REPRODUCED'
    : tested.some((c) => c.result === 'fail')
      ? 'NOT REPRODUCED'
      : 'INCOMPLETE (some criteria not tested)';
  return [
    ...lines,
    '',
    `Verdict: ${verdict} (${tested.filter((c) => c.result === 'pass').length}/${criteria.length} criteria pass)`,
  ].join('\n');
}
