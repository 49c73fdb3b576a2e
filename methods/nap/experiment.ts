// NAP small-scale experiment (spec §5-6). `npm run method:nap` (full tier) or `npm run ci:nap` (quick tier).
// Trains NAP, NAP-noNP and NP-EI on fresh tasks of each family, selects each model's checkpoint on 32 fixed
// validation tasks, then scores every policy (with GP-EI and random search) on fixed test tasks from the same
// initial point, and prints the §6 table, the validation curves, the sparsity check and the verdict.
// Flags: --quick, --device cpu|webgpu (default webgpu, measured faster: see README), --iterations N.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn, ready, setDefaultDevice, shutdown } from '../../index.js';
import { LearningCurves, makeRng } from '../shared/rl/index.js';
import { meanSd } from '../shared/stats.js';
import { BarDistribution } from './bar.js';
import { SMALL_SCALE } from './model.js';
import { evaluateRegret, heldOutNll } from './evaluate.js';
import { gpEiPolicy, randomPolicy } from './policies.js';
import { countRecords, harmonic } from './regret.js';
import { formatCi, markdownTable, meanCi, meanRanks } from './report.js';
import { fixedTasks, gpTaskFamily, hartmannTaskFamily, type TaskFamily } from './tasks.js';
import { trainNap, type NapFlags, type TrainConfig } from './train.js';

interface Arm {
  name: string;
  flags: NapFlags;
}

const ARMS: Record<string, Arm> = {
  nap: { name: 'NAP', flags: { ppoCoef: 1, npCoef: 1, detachBuckets: false } },
  noNp: { name: 'NAP-noNP', flags: { ppoCoef: 1, npCoef: 0, detachBuckets: false } },
  npEi: { name: 'NP-EI', flags: { ppoCoef: 0, npCoef: 1, detachBuckets: false } },
};

interface Tier {
  name: 'quick' | 'full';
  families: TaskFamily[];
  arms: Arm[];
  seeds: number[];
  iterations: number;
  validEvery: number;
  validTasks: number;
  testTasks: number;
  testSteps: number;
  reportSteps: number[];
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const argValue = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const device = (argValue('--device') ?? 'webgpu') as 'cpu' | 'webgpu';
if (device !== 'cpu' && device !== 'webgpu')
  throw new Error(`experiment: --device must be cpu or webgpu, got ${device}`);

const FULL: Tier = {
  name: 'full',
  families: [gpTaskFamily({ n: 48, d: 3 }), hartmannTaskFamily({ n: 48 })],
  arms: [ARMS.nap, ARMS.noNp, ARMS.npEi],
  seeds: [0, 1],
  iterations: 50,
  validEvery: 10,
  validTasks: 32,
  testTasks: 64,
  testSteps: 24,
  reportSteps: [3, 6, 12, 24],
};
const QUICK: Tier = {
  name: 'quick',
  families: [gpTaskFamily({ n: 32, d: 2 })],
  arms: [ARMS.nap],
  seeds: [0],
  iterations: 15,
  validEvery: 5,
  validTasks: 16,
  testTasks: 16,
  testSteps: 12,
  reportSteps: [3, 6, 12],
};
const tier = quick ? QUICK : FULL;
if (argValue('--iterations')) tier.iterations = Number(argValue('--iterations'));

const MODEL = { ...SMALL_SCALE, device };
const bar = BarDistribution.uniform(-0.1, 1.1, MODEL.buckets);
const TRAIN = {
  horizon: { steps: 12, nInit: 1 },
  episodes: 8,
  minibatch: 32,
  epochs: 1,
  lr: 1e-3,
  warmupIterations: Math.max(1, Math.round(tier.iterations / 10)),
  gradClip: 0.5,
  clipEps: 0.15,
  gamma: 0.98,
  lambda: 0.98,
  valueCoef: 1,
  topK: 5,
};

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'results', tier.name);
mkdirSync(outDir, { recursive: true });

if (device === 'webgpu') await ready();
await setDefaultDevice(device);
const started = performance.now();
const lines: string[] = [];
const say = (s = '') => {
  console.log(s);
  lines.push(s);
};
say(`# NAP small-scale experiment, ${tier.name} tier (device ${device})`);
say();
say(
  `Protocol (fixed in advance): families ${tier.families.map((f) => `${f.name} (N=${f.n})`).join(', ')}; arms ` +
    `${tier.arms.map((a) => a.name).join(', ')}, GP-EI, RS; ${tier.iterations} iterations × ${TRAIN.episodes} episodes × ` +
    `T=${TRAIN.horizon.steps}, training seeds [${tier.seeds}], checkpoint chosen on ${tier.validTasks} validation tasks ` +
    `(every ${tier.validEvery} iterations); ${tier.testTasks} test tasks, test horizon ${tier.testSteps}, n_init 1 shared ` +
    `by all policies. Regret cells: mean ± 95% CI over tasks × seeds.`,
);

interface FamilyResult {
  family: string;
  rows: { policy: string; regret: Float64Array[]; nll: number[]; minutes: number[] }[];
  curves: LearningCurves;
  /** validation regret per arm, per seed, in iteration order */
  valid: Record<string, number[][]>;
  records: number[];
}
const results: FamilyResult[] = [];

for (const [fi, family] of tier.families.entries()) {
  const validTasks = fixedTasks(family, tier.validTasks, makeRng(1000 + fi));
  const testTasks = fixedTasks(family, tier.testTasks, makeRng(2000 + fi));
  const testHorizon = { steps: tier.testSteps, nInit: 1 };
  const curves = new LearningCurves();
  const traces = new LearningCurves();
  const valid: Record<string, number[][]> = {};
  const rows: FamilyResult['rows'] = [];
  for (const arm of tier.arms) {
    const row = { policy: arm.name, regret: [] as Float64Array[], nll: [] as number[], minutes: [] as number[] };
    for (const seed of tier.seeds) {
      const cfg: TrainConfig = {
        ...TRAIN,
        family,
        model: MODEL,
        bar,
        iterations: tier.iterations,
        validEvery: tier.validEvery,
        validTasks,
        seed: 10 * seed + fi + 1,
      };
      const progress = new nn.ProgressBar(tier.iterations, { label: `${family.name} ${arm.name} seed ${seed}` });
      const r = await trainNap(cfg, arm.flags, arm.name, (it, t) =>
        progress.update(it, {
          regret: t.trainRegret.toFixed(3),
          H: t.entropy.toFixed(2),
          kl: t.kl.toFixed(4),
          nll: t.npNll.toFixed(2),
        }),
      );
      progress.finish({ best: r.bestIteration });
      for (const p of r.curve) curves.add(arm.name, seed, p.iteration, { validRegret: p.regret });
      for (const t of r.traces)
        traces.add(arm.name, seed, t.iteration, {
          trainRegret: t.trainRegret,
          entropy: t.entropy,
          kl: t.kl,
          npNll: t.npNll,
        });
      (valid[arm.name] ??= []).push(r.curve.map((p) => p.regret));
      row.regret.push(...(await evaluateRegret(r.policy, testTasks, testHorizon, 1)));
      row.nll.push(await heldOutNll(r.model, bar, testTasks, TRAIN.horizon, makeRng(3000 + seed)));
      row.minutes.push(r.minutes);
      r.model.dispose();
    }
    rows.push(row);
  }
  // baselines: GP-EI is deterministic given the shared initial point, so its runs repeat across training seeds
  const gp = await evaluateRegret(gpEiPolicy(), testTasks, testHorizon, 1);
  rows.push({ policy: 'GP-EI', regret: tier.seeds.flatMap(() => gp), nll: [], minutes: [] });
  const rs: Float64Array[] = [];
  for (const seed of tier.seeds)
    rs.push(...(await evaluateRegret(randomPolicy(makeRng(4000 + seed)), testTasks, testHorizon, 1)));
  rows.push({ policy: 'RS', regret: rs, nll: [], minutes: [] });
  // sparsity: incumbent improvements among the first 12 evaluations of each random-search run
  const records = rs.map((curve) => countRecords(Array.from(curve.subarray(0, 12), (v) => -v)));
  results.push({ family: family.name, rows, curves, valid, records });

  say();
  say(`## ${family.name}`);
  say();
  const ranks = meanRanks(rows.map((r) => r.regret));
  const fmtSd = (v: number[], d: number) =>
    v.length ? `${meanSd(v).mean.toFixed(d)} ± ${meanSd(v).sd.toFixed(d)}` : '—';
  say(
    markdownTable(
      ['policy', ...tier.reportSteps.map((k) => `regret@${k}`), 'mean rank', 'held-out NP NLL', 'training minutes'],
      rows.map((r, p) => [
        r.policy,
        ...tier.reportSteps.map((k) => formatCi(r.regret.map((c) => c[k]))),
        ranks[p].toFixed(2),
        fmtSd(r.nll, 3),
        fmtSd(r.minutes, 1),
      ]),
    ),
  );
  say();
  say(`Validation regret@${TRAIN.horizon.steps} (mean over seeds) by iteration:`);
  say();
  const series = curves.meanSeries('validRegret');
  const iters = series[0].points.map(([x]) => x);
  say(
    markdownTable(
      ['iteration', ...series.map((s) => s.name)],
      iters.map((it, i) => [String(it), ...series.map((s) => s.points[i]?.[1].toFixed(4) ?? '')]),
    ),
  );
  const sparsity = meanCi(records);
  say();
  say(
    `Sparsity check: random search sets a new incumbent ${sparsity.mean.toFixed(3)} ± ${sparsity.half.toFixed(3)} times ` +
      `in its first 12 evaluations (H_12 = ${harmonic(12).toFixed(4)}), so ${((100 * sparsity.mean) / 12).toFixed(0)}% of steps change the reward.`,
  );
  writeFileSync(join(outDir, `validation-${family.name}.csv`), curves.toCsv());
  writeFileSync(join(outDir, `traces-${family.name}.csv`), traces.toCsv());
  writeFileSync(
    join(outDir, `validation-${family.name}.svg`),
    curves.svg('validRegret', {
      title: `${family.name}: validation regret@12`,
      xLabel: 'iteration',
      yLabel: 'regret',
      markers: true,
    }),
  );
  writeFileSync(
    join(outDir, `test-regret-${family.name}.svg`),
    nn.linePlot(
      rows.map((r) => ({
        name: r.policy,
        points: Array.from(
          { length: tier.testSteps + 1 },
          (_, k) => [k, meanCi(r.regret.map((c) => c[k])).mean] as [number, number],
        ),
      })),
      { title: `${family.name}: test regret`, xLabel: 'step', yLabel: 'simple regret', markers: true },
    ),
  );
}

// verdict (spec §6), on the full tier's families
say();
say('## Verdict');
say();
const at = (fam: FamilyResult, policy: string, k: number) => {
  const row = fam.rows.find((r) => r.policy === policy);
  return row ? meanCi(row.regret.map((c) => c[k])) : null;
};
const hart = results.find((r) => r.family === 'hartmann3');
let reproduced = true;
if (hart && hart.rows.some((r) => r.policy === 'NP-EI')) {
  const [nap, npEi, gpEi, rs] = ['NAP', 'NP-EI', 'GP-EI', 'RS'].map((p) => at(hart, p, 12)!);
  const order = nap.mean <= npEi.mean && npEi.mean < gpEi.mean && gpEi.mean < rs.mean;
  reproduced &&= order;
  say(
    `- Hartmann-3, regret@12: NAP ${nap.mean.toFixed(4)}, NP-EI ${npEi.mean.toFixed(4)}, GP-EI ${gpEi.mean.toFixed(4)}, ` +
      `RS ${rs.mean.toFixed(4)}: NAP ≤ NP-EI < GP-EI < RS ${order ? 'holds' : 'does NOT hold'} (on means).`,
  );
} else {
  reproduced = false;
  say('- Hartmann-3 ordering NAP ≤ NP-EI < GP-EI < RS: not tested in this tier.');
}
const ablation = results.filter((r) => r.rows.some((x) => x.policy === 'NAP-noNP'));
if (ablation.length) {
  for (const fam of ablation) {
    // per-seed final validation regret and mean validation regret over the curve (learning speed)
    const perSeed = (arm: string, finalOnly: boolean) =>
      fam.valid[arm].map((pts) => (finalOnly ? pts[pts.length - 1] : pts.reduce((a, b) => a + b, 0) / pts.length));
    const compare = (finalOnly: boolean) => {
      const a = meanSd(perSeed('NAP', finalOnly));
      const b = meanSd(perSeed('NAP-noNP', finalOnly));
      return { nap: a.mean, noNp: b.mean, spread: Math.max(a.sd, b.sd), worse: b.mean - a.mean > Math.max(a.sd, b.sd) };
    };
    const fin = compare(true);
    const area = compare(false);
    const ok = fin.worse || area.worse;
    if (fam.family === 'hartmann3') reproduced &&= ok;
    say(
      `- ${fam.family}: NAP-noNP vs NAP, final validation regret ${fin.noNp.toFixed(4)} vs ${fin.nap.toFixed(4)} ` +
        `(larger seed sd ${fin.spread.toFixed(4)}: ${fin.worse ? 'worse' : 'not worse'}), mean over the curve ` +
        `${area.noNp.toFixed(4)} vs ${area.nap.toFixed(4)} (larger seed sd ${area.spread.toFixed(4)}: ${area.worse ? 'slower' : 'not slower'}): ` +
        `${ok ? 'noNP is worse or slower by more than the seed spread' : 'no difference beyond the seed spread'}.`,
    );
  }
} else {
  reproduced = false;
  say('- NAP-noNP learns more slowly or finishes worse than NAP: not tested in this tier.');
}
const gpFam = results.find((r) => r.family.startsWith('gp'));
if (gpFam) {
  const [nap, gpEi, rs] = ['NAP', 'GP-EI', 'RS'].map((p) => at(gpFam, p, Math.min(12, tier.testSteps))!);
  say(
    `- ${gpFam.family} (GP-EI is well specified; parity is acceptable): regret@12 NAP ${nap.mean.toFixed(4)} ± ${nap.half.toFixed(4)}, ` +
      `GP-EI ${gpEi.mean.toFixed(4)} ± ${gpEi.half.toFixed(4)}, RS ${rs.mean.toFixed(4)} ± ${rs.half.toFixed(4)}.`,
  );
}
say();
say(
  tier.name === 'full'
    ? `**Verdict: the paper's small-scale claim is ${reproduced ? 'REPRODUCED' : 'NOT reproduced'} under the protocol above.**`
    : '**Verdict: quick tier (smoke test of the pipeline); the claim is not tested here.**',
);
const minutes = (performance.now() - started) / 60000;
say();
say(`Wall time: ${minutes.toFixed(1)} minutes.`);
writeFileSync(join(outDir, 'table.md'), lines.join('\n') + '\n');
writeFileSync(
  join(outDir, 'results.json'),
  JSON.stringify(
    {
      tier: tier.name,
      device,
      iterations: tier.iterations,
      seeds: tier.seeds,
      minutes,
      families: results.map((r) => ({
        family: r.family,
        records: meanCi(r.records),
        policies: r.rows.map((row) => ({
          policy: row.policy,
          regret: Object.fromEntries(tier.reportSteps.map((k) => [k, meanCi(row.regret.map((c) => c[k]))])),
          nll: row.nll,
          minutes: row.minutes,
        })),
      })),
    },
    null,
    2,
  ),
);
shutdown();
