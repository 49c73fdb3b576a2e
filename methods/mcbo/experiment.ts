// The MCBO experiment (spec §5–6): `npm run method:mcbo` (full tier) or `npm run ci:mcbo` (quick tier). The
// protocol is fixed here and printed before anything runs; the runs go through the local sweep pool (one result
// file per run under results/<tier>/runs, so the full tier resumes where it stopped), then the tables, the
// Wilcoxon matrix, the model fits, the regret SVGs and the reproduced-if checks are printed and written.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelFit } from './model-fit.js';
import { buildReport, formatReport, regretPlot, type Report } from './report.js';
import { gridJobs, type Job } from './sweep/job.js';
import { runPool } from './sweep/pool.js';
import { makeTask } from './tasks.js';
import type { RunRecord } from './stats.js';

const quick = process.argv.includes('--quick');
const workersArg = process.argv.indexOf('--workers');
const workers = workersArg > 0 ? Number(process.argv[workersArg + 1]) : 2;
const tier = quick ? 'quick' : 'full';

const PROTOCOL = quick
  ? {
      tasks: ['ackley20c'],
      solvers: ['RS', 'GA', 'TO+GA+TR', 'Casmopolitan'],
      seeds: [0],
      options: { nInit: 10, budget: 40, epochs: 50 },
      at: [25, 40],
    }
  : {
      tasks: ['ackley20c', 'ackley20cShifted', 'pestControl', 'ackley53'],
      solvers: [
        'RS',
        'HC',
        'SA',
        'GA',
        'Casmopolitan',
        'TO+GA+TR',
        'TO+GA',
        'O+GA+TR',
        'TO+SA+TR',
        'BODi',
        'COMBO-lite',
        'CoCaBO',
      ],
      seeds: [0, 1, 2],
      options: { nInit: 10, budget: 100, epochs: 30 },
      at: [25, 50, 100],
    };

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, 'results', tier);
const runDir = join(outDir, 'runs');
if (quick) rmSync(runDir, { recursive: true, force: true }); // the quick tier always recomputes (it is CI's check)
mkdirSync(runDir, { recursive: true });

// seed-major order: if a long sweep is cut short, the finished seeds form complete (task, seed) blocks
const jobs: Job[] = PROTOCOL.seeds.flatMap((seed) =>
  gridJobs(PROTOCOL.tasks, PROTOCOL.solvers, [seed], PROTOCOL.options),
);
console.log(`MCBO ${tier} tier protocol (fixed before running):`);
console.log(`  tasks: ${PROTOCOL.tasks.join(', ')}`);
console.log(`  solvers: ${PROTOCOL.solvers.join(', ')} (CoCaBO on the mixed task ackley53 only)`);
console.log(
  `  seeds: ${PROTOCOL.seeds.join(', ')}; n_init ${PROTOCOL.options.nInit}; ${PROTOCOL.options.budget} evaluations; ${PROTOCOL.options.epochs} warm-started Adam epochs per GP fit`,
);
console.log(
  `  ranks at evaluations ${PROTOCOL.at.join(', ')}; ${jobs.length} runs on ${workers} local worker processes (cpu, float64)`,
);
console.log(
  "  reproduced if: TR beats no TR; TO+GA+TR in the top 3; RS last; diffusion ranks and fits worse than TO and O; BODi's edge on ackley20c vanishes on ackley20cShifted",
);

const pool = await runPool(jobs, { workers, outDir: runDir });
if (pool.failed.length)
  console.log(
    `failed runs: ${pool.failed.map((f) => `${f.job.task}/${f.job.solver}/${f.job.seed}: ${f.error}`).join('; ')}`,
  );
const runs: RunRecord[] = pool.results.map((r) => ({ ...r.job, ys: r.ys }));
const runSeconds = pool.results.map((r) => r.wallSeconds);
console.log(
  `sweep: ${pool.results.length - pool.skipped} runs now, ${pool.skipped} from earlier files, ${pool.retried} retried; wall ${pool.wallSeconds.toFixed(0)} s; ` +
    `per-run wall mean ${(runSeconds.reduce((a, b) => a + b, 0) / runSeconds.length).toFixed(1)} s, max ${Math.max(...runSeconds).toFixed(1)} s`,
);

const report = buildReport(runs, PROTOCOL.tasks, PROTOCOL.at);
const text = formatReport(report, PROTOCOL.tasks, PROTOCOL.at);
console.log(text);
console.log('\nWilcoxon–Pratt p-values at the last evaluation (blocks = task x seed):');
console.log(report.wilcoxonCsv);

// model fit (spec §6): mean test log-likelihood of points 76–100 of an SA run, trained on 1–75
const fits: Record<string, Record<string, number>> = {};
for (const t of PROTOCOL.tasks) fits[t] = modelFit(makeTask(t), 0);
console.log('Model fit: mean test log-likelihood per point (SA run, train 1–75, test 76–100; higher is better):');
for (const [t, f] of Object.entries(fits))
  console.log(
    `  ${t}: ${Object.entries(f)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ')}`,
  );

const checks = reproducedIf(report, fits, PROTOCOL.at[PROTOCOL.at.length - 1]);
console.log('\nReproduced-if list (spec §6):');
for (const c of checks) console.log(`  ${c.result.padEnd(10)} ${c.claim}: ${c.detail}`);
if (checks.some((c) => c.result === 'FAIL'))
  console.log(`  (${PROTOCOL.seeds.length} seed(s): the intervals are wide; see the tables)`);

for (const t of PROTOCOL.tasks) writeFileSync(join(outDir, `${t}.svg`), regretPlot(runs, t, makeTask(t).optimum, tier));
writeFileSync(join(outDir, 'wilcoxon.csv'), report.wilcoxonCsv);
writeFileSync(join(outDir, 'tables.md'), text + '\n');
writeFileSync(
  join(outDir, 'results.json'),
  JSON.stringify(
    {
      protocol: PROTOCOL,
      workers,
      sweepWallSeconds: pool.wallSeconds,
      runWallSeconds: runSeconds,
      report,
      modelFit: fits,
      checks,
    },
    null,
    1,
  ),
);
console.log(`wrote ${outDir}/{tables.md,wilcoxon.csv,results.json,*.svg}`);

function reproducedIf(r: Report, fit: Record<string, Record<string, number>>, last: number) {
  const overall = r.ranks[last].overall;
  const order = Object.keys(overall).sort((a, b) => overall[a] - overall[b]);
  const out: { claim: string; result: 'PASS' | 'FAIL' | 'not tested'; detail: string }[] = [];
  const tr = r.primitives['trust region'];
  out.push(
    tr.TR !== undefined && tr['no TR'] !== undefined
      ? {
          claim: 'TR beats no TR',
          result: tr.TR < tr['no TR'] ? 'PASS' : 'FAIL',
          detail: `mean rank TR ${tr.TR.toFixed(2)} vs no TR ${tr['no TR'].toFixed(2)}`,
        }
      : { claim: 'TR beats no TR', result: 'not tested', detail: 'no BO solver without a TR in this tier' },
  );
  const pos = order.indexOf('TO+GA+TR');
  out.push({
    claim: 'TO+GA+TR in the top 3',
    result: pos < 0 ? 'not tested' : pos < 3 ? 'PASS' : 'FAIL',
    detail: `position ${pos + 1} of ${order.length}`,
  });
  out.push({
    claim: 'RS last',
    result: !order.includes('RS') ? 'not tested' : order[order.length - 1] === 'RS' ? 'PASS' : 'FAIL',
    detail: `last: ${order[order.length - 1]} (RS rank ${overall.RS?.toFixed(2)})`,
  });
  const k = r.primitives.kernel;
  const fitMean = (name: string) => Object.values(fit).reduce((a, f) => a + f[name], 0) / Object.keys(fit).length;
  if (k.diffusion === undefined || k.TO === undefined || k.O === undefined) {
    out.push({
      claim: 'diffusion ranks and fits worse than TO and O',
      result: 'not tested',
      detail: 'diffusion, TO and O solvers are not all in this tier',
    });
  } else {
    const ok =
      k.diffusion > k.TO &&
      k.diffusion > k.O &&
      fitMean('diffusion') < fitMean('TO') &&
      fitMean('diffusion') < fitMean('O');
    out.push({
      claim: 'diffusion ranks and fits worse than TO and O',
      result: ok ? 'PASS' : 'FAIL',
      detail: `rank diffusion ${k.diffusion.toFixed(2)}, TO ${k.TO.toFixed(2)}, O ${k.O.toFixed(2)}; test LL diffusion ${fitMean('diffusion').toFixed(3)}, TO ${fitMean('TO').toFixed(3)}, O ${fitMean('O').toFixed(3)}`,
    });
  }
  const plain = r.ranks[last].ackley20c?.BODi;
  const shifted = r.ranks[last].ackley20cShifted?.BODi;
  out.push(
    plain === undefined || shifted === undefined
      ? {
          claim: "BODi's edge on ackley20c vanishes when shifted",
          result: 'not tested',
          detail: 'BODi or the shifted task is not in this tier',
        }
      : {
          claim: "BODi's edge on ackley20c vanishes when shifted",
          result: shifted > plain + 1 ? 'PASS' : 'FAIL',
          detail: `BODi rank ${plain.toFixed(2)} on ackley20c vs ${shifted.toFixed(2)} shifted (pass: worse by more than 1)`,
        },
  );
  return out;
}
