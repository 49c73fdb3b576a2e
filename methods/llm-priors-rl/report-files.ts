// Rebuilds the report of a tier from the stored units (run-store.ts): the prior header, the three §6 tables, the
// verdict and the learning curves (CSV and SVG, success against training episodes, mean over the finished seeds),
// written to results/<tier>/. Called after every finished unit, so an interrupted run still has a report.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nn } from '../../index.js';
import { LearningCurves } from '../shared/rl/index.js';
import type { RunResult } from './online.js';
import type { Protocol } from './protocol.js';
import { offlineTable, onlineTable, verdict, type ArmRuns, type OfflineCell, type PriorSummary } from './report.js';
import type { RunStore } from './run-store.js';

export interface ArmPlan {
  env: string;
  key: string;
  name: string;
  seeds: number[];
}
/** the units a protocol plans (the report shows how many of each have finished) */
export interface Stored {
  onlineEnvs: string[];
  online: ArmPlan[];
  vi: ArmPlan[];
  offlineSizes: number[];
  offlineSeeds: number[];
  priors: string[];
}

interface Unit<T> {
  result: T;
  seconds: number;
}

export function writeReport(out: string, tier: string, P: Protocol, store: RunStore, plan: Stored): string {
  let seconds = 0;
  const get = <T>(key: string): T | undefined => {
    const u = store.get<Unit<T>>(key);
    if (u) seconds += u.seconds;
    return u?.result;
  };
  const priors = plan.priors.map((env) => get<PriorSummary>(`prior-${env}`)).filter((p) => p !== undefined);
  const curves = new LearningCurves();
  const rows = (prefix: string, arms: ArmPlan[]): ArmRuns[] =>
    arms.flatMap(({ env, key, name, seeds }) => {
      const runs = seeds.flatMap((seed) => {
        const r = get<RunResult>(`${prefix}-${env}-${key}-seed${seed}`);
        if (r) for (const p of r.curve) curves.add(`${env} ${name}`, seed, p.episode, { success: p.success });
        return r ? [r] : [];
      });
      return runs.length ? [{ env, arm: name, runs, planned: seeds.length }] : [];
    });
  const priorOnly = (env: string): ArmRuns[] => {
    const p = priors.find((q) => q.env === env);
    if (!p) return [];
    return (['sampled', 'greedy'] as const).map((mode) => ({
      env,
      arm: `prior-only (${mode})`,
      runs: [{ curve: [], heldOut: p.heldOut[mode], envSteps: 0, priorQueries: 0, flat: p.solo[mode] }],
      planned: 1,
    }));
  };
  const online = [...rows('online', plan.online), ...plan.onlineEnvs.flatMap(priorOnly)].sort(
    (a, b) => plan.onlineEnvs.indexOf(a.env) - plan.onlineEnvs.indexOf(b.env),
  );
  const vi = P.vi ? [...rows('vi', plan.vi), ...priorOnly('frozenlake')] : [];
  const cells: OfflineCell[] = [];
  for (const n of plan.offlineSizes)
    for (const seed of plan.offlineSeeds) {
      const cql = get<number>(`offline-n=${n}-cql-seed${seed}`);
      const cqlPrior = get<number>(`offline-n=${n}-cql-prior-seed${seed}`);
      if (cql !== undefined && cqlPrior !== undefined) cells.push({ n, seed, cql, cqlPrior });
    }

  const header = priors
    .map(
      (p) =>
        `- prior ${p.env}: ${p.demos} demonstration steps, trained in ${p.trainSeconds.toFixed(0)} s; top-1 agreement with the expert ${(100 * p.agreement).toFixed(0)}%; ` +
        `acting alone: sampled ${(100 * p.solo.sampled).toFixed(0)}%, greedy ${(100 * p.solo.greedy).toFixed(0)}% success on training tasks` +
        (Number.isNaN(p.heldOut.sampled)
          ? ''
          : `, held-out sampled ${(100 * p.heldOut.sampled).toFixed(0)}%, greedy ${(100 * p.heldOut.greedy).toFixed(0)}%`),
    )
    .join('\n');
  const summary = [
    `# llm-priors-rl, ${tier} tier`,
    '',
    `Compute time of the finished units: ${seconds.toFixed(0)} s (summed over resumed invocations).`,
    ...(P.reductions.length
      ? ['', 'Reductions from the spec (declared before running):', ...P.reductions.map((r) => `- ${r}`)]
      : []),
    '',
    header,
    '',
    `## Online (${plan.onlineEnvs.join(', ')})`,
    '',
    online.length ? onlineTable(online, P.online.evalEvery, P.online.episodes) : 'no unit finished yet',
    '',
    '## VI (FrozenLake)',
    '',
    P.vi
      ? vi.length
        ? onlineTable(vi, P.vi.evalEvery, P.vi.episodes, true)
        : 'no unit finished yet'
      : 'VI tier: not run in this tier (not tested).',
    '',
    '## Offline (Kitchen)',
    '',
    cells.length ? offlineTable(cells) : 'no unit finished yet',
    '',
    '## Verdict',
    '',
    verdict(online, vi, cells, P),
    '',
  ].join('\n');
  writeFileSync(join(out, 'summary.md'), summary);
  writeFileSync(join(out, 'curves.csv'), curves.toCsv());
  for (const env of [...plan.onlineEnvs, ...(P.vi ? ['frozenlake'] : [])]) {
    const series = curves.meanSeries('success').filter((s) => s.name.startsWith(`${env} `));
    if (series.length)
      writeFileSync(
        join(out, `curve-${env}.svg`),
        nn.linePlot(series, {
          title: `${env}: evaluation success (mean over finished seeds)`,
          xLabel: 'training episodes',
          yLabel: 'success',
        }),
      );
  }
  return summary;
}
