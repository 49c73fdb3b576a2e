// The Quad2D experiment (spec §5-§6): every arm × seed trained and evaluated, the §6 table, the verdict, learning
// curves (CSV + SVG) and an arena SVG of trajectories; writes methods/lbac/results/<tier>/.
//   npm run method:lbac        full tier (5 arms × 3 seeds, two worker processes)
//   npm run ci:lbac            quick tier (SAC vs LBAC, 1 seed, shorter budget)
//   add --report-only to aggregate the runs saved so far without training
// A worker (`--worker ARM SEED TIER`) trains one run and writes its JSON; the parent only schedules and reports.
// --resume reuses the runs already saved under the same protocol (an interrupted full tier).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn } from '../../index.js';
import { LearningCurves } from '../shared/rl/index.js';
import { FULL, QUICK, type Tier } from './protocol.js';
import { trainArm, type RunResult } from './train.js';
import { arenaSvg, resultsTable, verdict } from './report.js';
import type { ArmName } from './safe-ac.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);

async function worker(arm: ArmName, seed: number, tierName: string): Promise<void> {
  const tier = tierName === 'quick' ? QUICK : FULL;
  const result = await trainArm(arm, seed, tier.protocol, (step) => console.log(`@progress ${step}`));
  const dir = join(here, 'results', tierName, 'runs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(runFile(tierName, arm, seed), JSON.stringify({ protocol: tier.protocol, result }));
}

const runFile = (tierName: string, arm: ArmName, seed: number) =>
  join(here, 'results', tierName, 'runs', `${arm}-${seed}.json`);

/** A finished run saved under the same protocol (for --resume and --report-only). */
function savedRun(tier: Tier, tierName: string, arm: ArmName, seed: number): RunResult | null {
  const file = runFile(tierName, arm, seed);
  if (!existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { protocol: unknown; result: RunResult };
  return JSON.stringify(saved.protocol) === JSON.stringify(tier.protocol) ? saved.result : null;
}

/** Runs every (arm, seed) in `tier.workers` child processes, reporting their progress on one bar. */
async function runAll(tier: Tier, tierName: string): Promise<RunResult[]> {
  // seed-major (every arm has seed 0 first), LBAC first within a seed: every verdict criterion compares LBAC with
  // another arm, so an interrupted tier has as many testable comparisons as its finished runs allow
  const order = [...tier.arms].sort((a, b) => Number(b === 'LBAC') - Number(a === 'LBAC'));
  const jobs = tier.seeds.flatMap((seed) => order.map((arm) => ({ arm, seed })));
  const total = jobs.length * tier.protocol.envSteps;
  const bar = new nn.ProgressBar(total, { label: `lbac ${tierName}` });
  const doneSteps = new Map<string, number>();
  const report = () =>
    bar.update(
      [...doneSteps.values()].reduce((a, b) => a + b, 0),
      { runs: `${[...doneSteps.values()].filter((s) => s >= tier.protocol.envSteps).length}/${jobs.length}` },
    );
  const runOne = (arm: ArmName, seed: number) =>
    new Promise<void>((resolve) => {
      const key = `${arm}-${seed}`;
      const child = spawn(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--worker', arm, String(seed), tierName],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      child.stdout.on('data', (buf: Buffer) => {
        for (const line of buf.toString().split('\n')) {
          const m = /^@progress (\d+)/.exec(line);
          if (m) {
            doneSteps.set(key, Number(m[1]));
            report();
          }
        }
      });
      child.on('exit', (code) => {
        // a failed run is reported and left out (the table then says PARTIAL); the other runs go on
        if (code !== 0) failed.push(`${key} (exit code ${code})`);
        finished++;
        console.log(`run ${key} ${code === 0 ? 'done' : 'FAILED'} (${finished}/${queued} of this invocation)`);
        resolve();
      });
    });
  const resume = args.includes('--resume');
  if (resume)
    for (const { arm, seed } of jobs)
      if (savedRun(tier, tierName, arm, seed)) doneSteps.set(`${arm}-${seed}`, tier.protocol.envSteps);
  const queue = jobs.filter(({ arm, seed }) => !(resume && savedRun(tier, tierName, arm, seed)));
  const queued = queue.length;
  let finished = 0;
  const failed: string[] = [];
  await Promise.all(
    Array.from({ length: tier.workers }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await runOne(job.arm, job.seed);
    }),
  );
  if (failed.length) {
    console.log(`FAILED runs: ${failed.join(', ')}; rerun with --resume to train only the missing ones.`);
    process.exitCode = 1;
  }
  return jobs.map(({ arm, seed }) => savedRun(tier, tierName, arm, seed)).filter((r): r is RunResult => r !== null);
}

async function main(): Promise<void> {
  const tierName = args.includes('--quick') ? 'quick' : 'full';
  const tier = tierName === 'quick' ? QUICK : FULL;
  const out = join(here, 'results', tierName);
  mkdirSync(out, { recursive: true });
  console.log(`LBAC on Quad2D obstacle (Dawson-style), ${tierName} tier. Protocol (fixed before running):`);
  console.log(JSON.stringify({ ...tier.protocol, arms: tier.arms, seeds: tier.seeds, workers: tier.workers }));
  console.log(
    'Verdict rules (spec §6), on each start set: LBAC violation ≤ SAC and ≤ LAC; LBAC success ≥ SAC-Lag; Barrier-only lower success or slower reach than LBAC; each gap larger than the larger seed sd.',
  );
  const t0 = performance.now();
  // --report-only: aggregate the runs already saved under this protocol (an interrupted tier), run nothing
  const runs = args.includes('--report-only')
    ? tier.seeds
        .flatMap((seed) => tier.arms.map((arm) => savedRun(tier, tierName, arm, seed)))
        .filter((r): r is RunResult => r !== null)
    : await runAll(tier, tierName);
  const planned = tier.arms.length * tier.seeds.length;
  if (runs.length < planned)
    console.log(`PARTIAL: ${runs.length} of ${planned} runs finished; the table's n per arm is smaller than planned.`);
  const wall = (performance.now() - t0) / 1000;

  const table = resultsTable(runs, tier.arms);
  const v = verdict(runs);
  const runTimes = runs.map((r) => `${r.arm}/${r.seed} ${r.seconds.toFixed(0)}s`).join(', ');
  const partial =
    runs.length < planned
      ? [
          `PARTIAL: ${runs.length} of ${planned} planned runs finished (runs: ${runs.map((r) => `${r.arm}/${r.seed}`).join(', ')}).`,
          '',
        ]
      : [];
  const summary = [
    `# LBAC ${tierName} tier`,
    '',
    ...partial,
    `Wall time ${args.includes('--report-only') ? 'of the runs' : `${wall.toFixed(0)} s`} (${tier.workers} worker process(es)); per run: ${runTimes}.`,
    '',
    table,
    '',
    '```',
    v.text,
    '```',
    '',
  ].join('\n');
  console.log(`\n${table}\n\n${v.text}\nwall ${wall.toFixed(0)} s`);
  writeFileSync(join(out, 'summary.md'), summary);

  const curves = new LearningCurves();
  for (const r of runs) for (const { step, ...values } of r.curve) curves.add(r.arm, r.seed, step, values);
  writeFileSync(join(out, 'curves.csv'), curves.toCsv());
  writeFileSync(
    join(out, 'curve-success.svg'),
    curves.svg('success', { title: 'Mean-action success % on training starts (mean over seeds)' }),
  );
  writeFileSync(
    join(out, 'curve-violation.svg'),
    curves.svg('violation', { title: 'Mean-action violation % on training starts (mean over seeds)' }),
  );
  writeFileSync(
    join(out, 'curve-training-violations.svg'),
    curves.svg('trainingViolations', { title: 'Cumulative training violations (mean over seeds)' }),
  );
  const seed0 = runs.filter((r) => r.seed === tier.seeds[0]);
  for (const set of ['train', 'wide'] as const) {
    const paths = seed0.flatMap((r) => r.eval[set].paths.slice(0, 4).map((path) => ({ arm: r.arm, path })));
    writeFileSync(
      join(out, `arena-${set}.svg`),
      arenaSvg(paths, `Quad2D obstacle: mean-action paths from ${set} starts (seed ${tier.seeds[0]})`),
    );
  }
}

if (args[0] === '--worker') await worker(args[1] as ArmName, Number(args[2]), args[3]);
else await main();
