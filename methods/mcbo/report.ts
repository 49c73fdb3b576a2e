// The tables of spec §6 from a set of runs: mean ranks at chosen evaluations (per task and overall), best f as
// mean ± SE, primitive ablations, the Friedman p-value, the Wilcoxon–Pratt matrix (CSV), regret-curve SVGs.
import { nn } from '../../index.js';
import { SOLVERS } from './solvers.js';
import { bestSoFar, friedmanTest, rankTable, wilcoxonPratt, type RunRecord } from './stats.js';

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const se = (v: readonly number[]) =>
  v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1) / v.length) : 0;

export interface Report {
  /** solvers that ran on every task (the overall ranking uses only these) */
  common: string[];
  /** rank tables: at evaluation → { task | 'overall' → solver → mean rank } */
  ranks: Record<number, Record<string, Record<string, number>>>;
  bestF: Record<string, Record<string, { mean: number; se: number; n: number }>>;
  primitives: Record<string, Record<string, number>>;
  friedman: { chi2: number; p: number; blocks: number } | null;
  wilcoxonCsv: string;
}

export function buildReport(runs: readonly RunRecord[], tasks: readonly string[], at: readonly number[]): Report {
  const solversOf = (task: string) => [...new Set(runs.filter((r) => r.task === task).map((r) => r.solver))];
  const common = [...new Set(runs.map((r) => r.solver))].filter((s) => tasks.every((t) => solversOf(t).includes(s)));
  const ranks: Report['ranks'] = {};
  for (const a of at) {
    ranks[a] = {};
    for (const task of tasks) {
      const solvers = solversOf(task);
      const t = rankTable(
        runs.filter((r) => r.task === task),
        solvers,
        a,
      );
      ranks[a][task] = Object.fromEntries(solvers.map((s, i) => [s, t.perTask[task]?.[i] ?? NaN]));
    }
    const all = rankTable(runs, common, a);
    ranks[a].overall = Object.fromEntries(common.map((s, i) => [s, all.overall[i]]));
  }
  const bestF: Report['bestF'] = {};
  for (const task of tasks) {
    bestF[task] = {};
    for (const s of solversOf(task)) {
      const finals = runs.filter((r) => r.task === task && r.solver === s).map((r) => Math.min(...r.ys));
      bestF[task][s] = { mean: mean(finals), se: se(finals), n: finals.length };
    }
  }
  // primitive ablation (spec §6 table 2): the mean overall final rank of the BO solvers sharing a primitive
  const last = Math.max(...at);
  const final = ranks[last].overall;
  const group = (pick: (p: NonNullable<(typeof SOLVERS)[string]['primitives']>) => string) => {
    const out: Record<string, number[]> = {};
    for (const s of common) {
      const p = SOLVERS[s]?.primitives;
      if (p) (out[pick(p)] ??= []).push(final[s]);
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, mean(v)]));
  };
  const primitives = {
    'trust region': group((p) => (p.tr ? 'TR' : 'no TR')),
    'acquisition optimiser': group((p) => p.acqOpt),
    kernel: group((p) => p.kernel),
  };
  const blocks = rankTable(runs, common, last).blocks;
  const friedman = blocks.length && common.length >= 2 ? { ...friedmanTest(blocks), blocks: blocks.length } : null;
  const rows = [['solver', ...common].join(',')];
  for (let i = 0; i < common.length; i++) {
    rows.push(
      [
        common[i],
        ...common.map((_, j) => (i === j ? '' : wilcoxonPratt(blocks.map((b) => b[i] - b[j])).p.toPrecision(3))),
      ].join(','),
    );
  }
  return {
    common,
    ranks,
    bestF,
    primitives,
    friedman: friedman && { chi2: friedman.chi2, p: friedman.p, blocks: friedman.blocks },
    wilcoxonCsv: rows.join('\n') + '\n',
  };
}

const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** The report as markdown tables. */
export function formatReport(r: Report, tasks: readonly string[], at: readonly number[]): string {
  const out: string[] = [];
  for (const task of [...tasks, 'overall']) {
    const solvers = Object.keys(r.ranks[at[0]][task]).sort(
      (a, b) => r.ranks[Math.max(...at)][task][a] - r.ranks[Math.max(...at)][task][b],
    );
    out.push(`\nMean rank (lower is better), ${task}${task === 'overall' ? ' (solvers run on every task)' : ''}:`);
    out.push(`| solver | ${at.map((a) => `@${a}`).join(' | ')} |${task === 'overall' ? '' : ' best f (mean ± SE) |'}`);
    out.push(`|---|${at.map(() => '---').join('|')}|${task === 'overall' ? '' : '---|'}`);
    for (const s of solvers) {
      const b = r.bestF[task]?.[s];
      out.push(
        `| ${s} | ${at.map((a) => fmt(r.ranks[a][task][s])).join(' | ')} |${b ? ` ${fmt(b.mean, 3)} ± ${fmt(b.se, 3)} (n=${b.n}) |` : ''}`,
      );
    }
  }
  out.push('\nPrimitive ablation (mean overall final rank of the BO solvers with that primitive):');
  for (const [k, v] of Object.entries(r.primitives)) {
    const entries = Object.entries(v).sort((a, b) => a[1] - b[1]);
    out.push(
      `- ${k}: ${entries.length ? entries.map(([n, x]) => `${n} ${fmt(x)}`).join(', ') : 'no BO solver in these runs'}`,
    );
  }
  out.push(
    r.friedman
      ? `\nFriedman test over ${r.friedman.blocks} (task, seed) blocks at the last evaluation: χ² = ${fmt(r.friedman.chi2)}, p = ${r.friedman.p.toExponential(2)}`
      : '\nFriedman test: not tested (fewer than 2 solvers or no complete block)',
  );
  return out.join('\n');
}

/** Mean best-so-far regret (value − optimum, or the value itself when the optimum is unknown) per solver. */
export function regretPlot(
  runs: readonly RunRecord[],
  task: string,
  optimum: number | undefined,
  tier: string,
): string {
  const series = [...new Set(runs.filter((r) => r.task === task).map((r) => r.solver))].map((s) => {
    const curves = runs.filter((r) => r.task === task && r.solver === s).map((r) => bestSoFar(r.ys));
    const len = Math.min(...curves.map((c) => c.length));
    return {
      name: s,
      points: Array.from(
        { length: len },
        (_, i) => [i + 1, mean(curves.map((c) => c[i])) - (optimum ?? 0)] as [number, number],
      ),
    };
  });
  return nn.linePlot(series, {
    title: `${task} (${tier}): mean best-so-far ${optimum === undefined ? 'value' : 'regret'}`,
    xLabel: 'evaluations',
    yLabel: optimum === undefined ? 'best f' : 'regret',
    width: 760,
    height: 460,
  });
}
