// The §6 table (mean ± sd over seeds) and the verdict against the §6 criteria.
import { meanSd } from '../shared/stats.js';
import type { Metrics } from './evaluate.js';

export interface Row {
  arm: string;
  parameter: string;
  runs: Metrics[];
}

const COLUMNS: [keyof Metrics, string][] = [
  ['accT1', 'acc@T1'],
  ['accGreedy', 'acc greedy'],
  ['csr', 'CSR = P(C ≤ d)'],
  ['meanC', 'mean C'],
  ['accBug', 'acc on bug prompts'],
  ['accElse', 'acc elsewhere'],
  ['length', 'mean length'],
];
const PERCENT = new Set<keyof Metrics>(['accT1', 'accGreedy', 'csr', 'accBug', 'accElse']);

export const stat = (row: Row, key: keyof Metrics) => meanSd(row.runs.map((m) => m[key]));

function cell(row: Row, key: keyof Metrics): string {
  const { mean, sd } = stat(row, key);
  return PERCENT.has(key)
    ? `${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)}`
    : `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
}

/** A markdown table: one line per arm, accuracies and CSR in percent. */
export function formatTable(rows: readonly Row[]): string {
  const head = `| arm | λ or n | ${COLUMNS.map(([, h]) => h).join(' | ')} |`;
  const rule = `|${'---|'.repeat(COLUMNS.length + 2)}`;
  return [
    head,
    rule,
    ...rows.map((r) => `| ${r.arm} | ${r.parameter} | ${COLUMNS.map(([k]) => cell(r, k)).join(' | ')} |`),
  ].join('\n');
}

export interface Criterion {
  name: string;
  pass: boolean | null;
  detail: string;
}

/** The warm-start gate (fixed with the protocol): RL on R needs correct samples, so the criteria are only tested
 *  when the warm student's acc@T1 reaches WARM_GATE (the spec's teacher is ~89% accurate). */
export const WARM_GATE = 0.5;

/** §6: task-only's CSR ≥ 10 points below the warm student's; modified n = 1 CSR ≥ 95% (and ≥ warm) with acc@T1 ≥ warm + 3
 *  points; no fixed λ beats modified n = 1 by more than one sd on both CSR and accuracy. */
export function verdict(warm: Row, taskOnly: Row, modified1: Row, fixedLambda: readonly Row[]): Criterion[] {
  const pts = (x: number) => `${(100 * x).toFixed(1)}`;
  const warmCsr = stat(warm, 'csr').mean,
    warmAcc = stat(warm, 'accT1').mean;
  const gate: Criterion = {
    name: `gate: warm student acc@T1 ≥ ${pts(WARM_GATE)}%`,
    pass: warmAcc >= WARM_GATE,
    detail: `${pts(warmAcc)}%`,
  };
  const taskCsr = stat(taskOnly, 'csr').mean;
  const mod = { csr: stat(modified1, 'csr'), acc: stat(modified1, 'accT1') };
  const beats = fixedLambda.filter((r) => {
    const csr = stat(r, 'csr'),
      acc = stat(r, 'accT1');
    return (
      csr.mean > mod.csr.mean + Math.max(mod.csr.sd, csr.sd) && acc.mean > mod.acc.mean + Math.max(mod.acc.sd, acc.sd)
    );
  });
  const criteria: Criterion[] = [
    {
      name: "task-only's CSR ≥ 10 points below the warm student's",
      pass: taskCsr <= warmCsr - 0.1,
      detail: `task-only ${pts(taskCsr)}% vs warm ${pts(warmCsr)}%`,
    },
    {
      name: 'modified n = 1: CSR ≥ 95% and ≥ warm',
      pass: mod.csr.mean >= 0.95 && mod.csr.mean >= warmCsr,
      detail: `${pts(mod.csr.mean)}% (warm ${pts(warmCsr)}%)`,
    },
    {
      name: 'modified n = 1: acc@T1 ≥ warm + 3 points',
      pass: mod.acc.mean >= warmAcc + 0.03,
      detail: `${pts(mod.acc.mean)}% vs warm ${pts(warmAcc)}%`,
    },
    {
      name: 'no fixed λ beats modified n = 1 by > 1 sd on both CSR and acc@T1',
      pass: beats.length === 0,
      detail: beats.length ? `beaten by ${beats.map((r) => r.parameter).join(', ')}` : 'none does',
    },
  ];
  if (!gate.pass)
    return [
      gate,
      ...criteria.map((c) => ({ ...c, pass: null, detail: `${c.detail}; not tested: the warm-start gate failed` })),
    ];
  return [gate, ...criteria];
}

/** 'reproduced' only when the gate and every criterion pass; 'not tested' when the gate failed. */
export function overall(criteria: readonly Criterion[]): string {
  if (criteria.some((c) => c.pass === null)) return 'not tested';
  return criteria.every((c) => c.pass) ? 'reproduced' : 'not reproduced';
}
