// The §6 table, the four acceptance criteria and the solved-vs-budget curves, from the per-run records.
import { nn } from '../../index.js';
import { type Sequent } from './sequent.js';
import { type SearchResult } from './search.js';
import { mean, sd, meanSd, solvedBy, generationsBy } from './stats.js';

export interface RunRecord {
  arm: string;
  seed: number;
  bucket: string;
  depth: number;
  key: string;
  theorem: Sequent;
  result: SearchResult;
}

export interface ReportOptions {
  arms: string[];
  budgets: number[];
  seeds: number[];
  /** items per bucket: the test buckets (shallow, medium, hard) and 'hand' */
  bucketSizes: Record<string, number>;
}

const TEST = ['shallow', 'medium', 'hard'];

/** Solves per seed of one arm at budget k, restricted to some buckets. */
export function solvesPerSeed(
  records: readonly RunRecord[],
  arm: string,
  k: number,
  buckets: readonly string[],
  seeds: readonly number[],
): number[] {
  return seeds.map(
    (s) =>
      records.filter((r) => r.arm === arm && r.seed === s && buckets.includes(r.bucket) && solvedBy(r.result, k))
        .length,
  );
}

/** Distinct proofs per solve: over theorems, distinct scripts found by the seeds that solved it, divided by those solves. */
export function distinctPerSolve(records: readonly RunRecord[], arm: string, k: number): number {
  const byTheorem = new Map<string, string[]>();
  for (const r of records) {
    if (r.arm !== arm || !solvedBy(r.result, k)) continue;
    const id = `${r.bucket}|${r.key}`;
    byTheorem.set(id, [...(byTheorem.get(id) ?? []), r.result.script!.join('; ')]);
  }
  const solves = [...byTheorem.values()].reduce((n, xs) => n + xs.length, 0);
  const distinct = [...byTheorem.values()].reduce((n, xs) => n + new Set(xs).size, 0);
  return solves ? distinct / solves : NaN;
}

export function buildReport(records: readonly RunRecord[], o: ReportOptions) {
  const all = [...TEST, 'hand'];
  const K = Math.max(...o.budgets);
  const header = `| arm | k | ${TEST.map((b) => `${b}/${o.bucketSizes[b] ?? 0}`).join(' | ')} | total/${TEST.reduce((n, b) => n + (o.bucketSizes[b] ?? 0), 0)} | hand/${o.bucketSizes.hand ?? 0} | generations per solve | checker calls per theorem | distinct proofs per solve |`;
  const rows = [header, `|${'---|'.repeat(10)}`];
  const summary: Record<string, unknown>[] = [];
  for (const arm of o.arms) {
    for (const [ki, k] of o.budgets.entries()) {
      const cols = [
        ...TEST.map((b) => solvesPerSeed(records, arm, k, [b], o.seeds)),
        solvesPerSeed(records, arm, k, TEST, o.seeds),
        solvesPerSeed(records, arm, k, ['hand'], o.seeds),
      ];
      const perSeed = o.seeds.map((s) =>
        records.filter((r) => r.arm === arm && r.seed === s && all.includes(r.bucket)),
      );
      const gensPerSolve = perSeed.map(
        (rs) => rs.reduce((n, r) => n + generationsBy(r.result, k), 0) / rs.filter((r) => solvedBy(r.result, k)).length,
      );
      const checker = perSeed.map((rs) => mean(rs.map((r) => r.result.checkerAt[ki])));
      const distinct = distinctPerSolve(records, arm, k);
      rows.push(
        `| ${arm} | ${k} | ${cols.map((c) => meanSd(c)).join(' | ')} | ${gensPerSolve.some((g) => !Number.isFinite(g)) ? '– (a seed with no solve)' : meanSd(gensPerSolve)} | ${meanSd(checker)} | ${Number.isNaN(distinct) ? '–' : distinct.toFixed(2)} |`,
      );
      summary.push({
        arm,
        k,
        shallow: cols[0],
        medium: cols[1],
        hard: cols[2],
        total: cols[3],
        hand: cols[4],
        gensPerSolve,
        checker,
        distinct,
      });
    }
  }

  // ---- criteria (spec §6), each "not tested" when its data is missing
  const lines: string[] = [];
  const verdicts: boolean[] = [];
  const judge = (name: string, ok: boolean | null, detail: string) => {
    lines.push(`- ${name}: ${ok === null ? 'not tested' : ok ? 'holds' : 'fails'} (${detail})`);
    if (ok !== null) verdicts.push(ok);
    else verdicts.push(false);
  };
  const hard = (arm: string) => solvesPerSeed(records, arm, K, ['hard'], o.seeds);
  if (!o.bucketSizes.hard) judge(`hard@${K}: B3 > B2 > B1 by more than one seed sd`, null, 'empty hard bucket');
  else {
    const [b1, b2, b3] = [hard('B1'), hard('B2'), hard('B3')];
    const gap = (x: number[], y: number[]) => mean(x) - mean(y) > Math.max(sd(x), sd(y));
    const ok = o.seeds.length > 1 ? gap(b3, b2) && gap(b2, b1) : null;
    judge(
      `hard@${K}: B3 > B2 > B1 by more than one seed sd`,
      ok,
      `B3 ${meanSd(b3)}, B2 ${meanSd(b2)}, B1 ${meanSd(b1)}${o.seeds.length > 1 ? '' : '; one seed, no sd'}`,
    );
  }
  const rate = (arm: string, b: string) =>
    mean(solvesPerSeed(records, arm, K, [b], o.seeds)) / Math.max(1, o.bucketSizes[b] ?? 0);
  const gaps = TEST.map((b) => rate('B3', b) - rate('B1', b));
  judge(
    'the B3−B1 gap (solve rate) grows with depth',
    TEST.every((b) => o.bucketSizes[b]) ? gaps[0] < gaps[1] && gaps[1] < gaps[2] : null,
    `gaps ${gaps.map((g) => g.toFixed(2)).join(' < ? ')}`,
  );
  const target = mean(solvesPerSeed(records, 'B1', K, TEST, o.seeds));
  const grid = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].filter((k) => k <= K);
  const match = grid.find((k) => mean(solvesPerSeed(records, 'B3', k, TEST, o.seeds)) >= target) ?? null;
  judge(
    `B3 matches B1@${K} at k ≤ 32`,
    target === 0 ? null : match !== null && match <= 32,
    `B1@${K} solves ${target.toFixed(1)}; smallest k with B3 ≥ that: ${match ?? `none ≤ ${K}`}`,
  );
  const [d3, d1] = [distinctPerSolve(records, 'B3', K), distinctPerSolve(records, 'B1', K)];
  judge(
    'B3 yields more distinct proofs per solve than B1',
    o.seeds.length > 1 && !Number.isNaN(d3) && !Number.isNaN(d1) ? d3 > d1 : null,
    `B3 ${d3.toFixed(2)}, B1 ${d1.toFixed(2)}`,
  );
  const reproduced = verdicts.every((v) => v);
  const criteria = `Acceptance (spec §6):\n${lines.join('\n')}\nVerdict: ${reproduced ? 'REPRODUCED' : 'NOT REPRODUCED'} at this scale.`;

  // ---- extras: `have` provability, invalid outputs
  const extras = o.arms
    .map((arm) => {
      const rs = records.filter((r) => r.arm === arm);
      const gens = rs.reduce((n, r) => n + r.result.generations, 0);
      const invalid = rs.reduce((n, r) => n + r.result.invalid, 0);
      const haves = rs.reduce((n, r) => n + r.result.haveProposals, 0);
      const provable = rs.reduce((n, r) => n + r.result.haveProvable, 0);
      return `${arm}: ${gens} generations, ${((100 * invalid) / Math.max(1, gens)).toFixed(1)}% invalid or rejected${haves ? `, ${haves} have proposals of which ${((100 * provable) / haves).toFixed(1)}% provable` : ''}`;
    })
    .join('\n');

  // ---- curves: mean test solves against budget
  const series = (buckets: string[]) =>
    o.arms.map((arm) => ({
      name: arm,
      points: grid.map((k) => [k, mean(solvesPerSeed(records, arm, k, buckets, o.seeds))] as [number, number]),
    }));
  const svg = nn.linePlot(series(TEST), {
    title: 'Test theorems solved vs generation budget (mean over seeds)',
    xLabel: 'budget k (generations)',
    yLabel: 'solved',
  });
  const svgHard = nn.linePlot(series(['hard']), {
    title: 'Hard bucket (depth ≥ 12) solved vs budget',
    xLabel: 'budget k (generations)',
    yLabel: 'solved',
  });
  return {
    table: rows.join('\n'),
    criteria,
    extras: `Generation outcomes per arm:\n${extras}`,
    svg,
    svgHard,
    summary,
    reproduced,
  };
}
