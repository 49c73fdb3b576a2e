// Distillation as constrained RL at small scale (spec §5-6): SFT a teacher on buggy addition data, warm-start a
// student on the teacher's samples, fix the budget d from the warm student's costs, then run every arm for every
// seed and print the §6 table, the curves (SVG) and the verdict. `--quick` is the CI tier.
// Usage: npx tsx methods/constrained-distillation/experiment.ts [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, ready, shutdown, type DeviceName } from '../../index.js';
import { FULL, QUICK, armParameter } from './protocol.js';
import { createModel, cloneModel, TEACHER_SIZE, STUDENT_SIZE } from './models.js';
import { generate, isBugPrompt, BUG_DROP_RATE, type Problem } from './task.js';
import { trainWarmStart, warmStartProtocol } from './warm-start.js';
import { hasWarmStart, saveWarmStart, loadWarmStart } from './checkpoint.js';
import { evaluate, type Metrics } from './evaluate.js';
import { trainArm, type CurvePoint } from './rl.js';
import { formatTable, verdict, overall, WARM_GATE, type Row } from './report.js';

const quick = process.argv.includes('--quick');
const tier = quick ? 'quick' : 'full';
const P = quick ? QUICK : FULL;
// webgpu (lavapipe) beat cpu f64/f32 by 6x on a student RL step here (README "Device"), so both models live there
const device: DeviceName = 'webgpu';
const { seededRandom } = nn.data;
const started = performance.now();
const seconds = (since: number) => (performance.now() - since) / 1000;

await ready();
console.log(`constrained distillation, ${tier} tier, device ${device}`);
console.log(`protocol (fixed before any run): ${JSON.stringify(P, null, 1).replace(/\n\s*/g, ' ')}`);

// 1-3. teacher, warm student and budget d: trained and saved once the gate passes, or reused from the saved files
const checkpoints = fileURLToPath(new URL(`./results/${tier}/checkpoints/`, import.meta.url));
const fresh = process.argv.includes('--fresh-warm-start');
const reuse = !fresh && hasWarmStart(checkpoints);
console.log(
  reuse
    ? `warm start: reused from ${checkpoints} (pass --fresh-warm-start to retrain)`
    : `warm start: trained now${fresh ? ' (--fresh-warm-start)' : ''}, saved to ${checkpoints}${quick ? '' : ' if it passes the gate'}`,
);
if (!reuse) {
  const trained = await trainWarmStart(warmStartProtocol(P), device, WARM_GATE);
  const { accT1, studentSftLoss, studentAttempts } = trained.calibration;
  const gate = `warm-start gate: warm student acc@T1 ${(100 * accT1).toFixed(1)}% on the calibration samples (needs ≥ ${100 * WARM_GATE}%), student SFT loss ${studentSftLoss.toFixed(4)}, attempt ${studentAttempts.length} of ${P.studentSft.attempts}`;
  if (!trained.passed && !quick) {
    // RL on R from a student without correct samples tests nothing (every criterion would be "not tested")
    console.error(`${gate}: FAILED, the student stayed on the addition plateau; no RL is run and nothing is saved.`);
    console.error('Rerun to retrain (webgpu SFT is not bitwise deterministic).');
    shutdown();
    process.exit(1);
  }
  // the quick tier is a smoke test of the pipeline: its tiny SFT never passes, it runs RL anyway ("not tested")
  console.log(`${gate}: ${trained.passed ? 'passed' : 'failed (quick tier: RL runs as a smoke test)'}`);
  await saveWarmStart(checkpoints, trained.teacher, trained.warm, trained.calibration);
  trained.teacher.dispose();
  trained.warm.dispose();
}
// every RL arm starts from the saved files, whether trained now or earlier
const teacher = createModel(TEACHER_SIZE, 0, device).eval();
const warm = createModel(STUDENT_SIZE, 1, device);
const calibration = await loadWarmStart(checkpoints, warmStartProtocol(P), teacher, warm);
const { d } = calibration;
console.log(
  `warm start of ${calibration.trainedAt}: teacher SFT loss ${calibration.teacherSftLoss.toFixed(4)}, student SFT loss ${calibration.studentSftLoss.toFixed(4)}, warm acc@T1 ${(100 * calibration.accT1).toFixed(1)}% on calibration samples`,
);
console.log(
  `budget d = ${d.toFixed(4)} nats (q${100 * P.calibration.quantile} of C over ${calibration.costs.length} calibration prompts), fixed before RL`,
);

// 4. references on the held-out test prompts
const test: Problem[] = generate(P.testPrompts, seededRandom(404), 'test');
const curvePrompts = generate(P.curvePrompts, seededRandom(505), 'validation');
console.log(`test: ${test.length} prompts, ${test.filter(isBugPrompt).length} bug prompts`);
const teacherMetrics = await evaluate(teacher, teacher, test, d, { random: seededRandom(606) });
const warmRuns: Metrics[] = [];
for (const seed of P.seeds) warmRuns.push(await evaluate(warm, teacher, test, d, { random: seededRandom(700 + seed) }));
console.log(
  `teacher: acc@T1 ${(100 * teacherMetrics.accT1).toFixed(1)}%, drop rate on bug prompts ${teacherMetrics.dropRate.toFixed(3)} (built in: ${BUG_DROP_RATE}; within ±0.07: ${Math.abs(teacherMetrics.dropRate - BUG_DROP_RATE) <= 0.07 ? 'yes' : 'no'})`,
);

// 5. every arm, every seed
// 5. every arm, every seed; seed-major, so that a run stopped early loses seeds, never whole arms, and the results
// files are rewritten after each seed with the seeds done so far
const t0 = performance.now();
const armRows: Row[] = P.arms.map((arm) => ({ arm: arm.name, parameter: armParameter(arm), runs: [] }));
const labels = P.arms.map((arm) => `${arm.name} ${armParameter(arm)}`);
const curves = new Map<string, CurvePoint[][]>(labels.map((l) => [l, []]));
const bar = new nn.ProgressBar(P.arms.length * P.seeds.length * P.rl.iterations, { label: 'RL' });
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
let done = 0;
for (const [k, seed] of P.seeds.entries()) {
  for (const [i, arm] of P.arms.entries()) {
    const student = cloneModel(warm);
    const random = seededRandom(1000 + seed);
    const curve = await trainArm(student, teacher, arm, { ...P.rl, d, curvePrompts }, random, (_, info) => {
      bar.update(++done, { arm: labels[i], seed, R: info.R, C: info.C });
    });
    curves.get(labels[i])!.push(curve);
    const m = await evaluate(student, teacher, test, d, { random: seededRandom(700 + seed) });
    armRows[i].runs.push(m);
    console.log(
      `${labels[i]} seed ${seed}: acc@T1 ${pct(m.accT1)}, greedy ${pct(m.accGreedy)}, CSR ${pct(m.csr)}, mean C ${m.meanC.toFixed(3)}, bug ${pct(m.accBug)}, else ${pct(m.accElse)}, length ${m.length.toFixed(2)}`,
    );
    student.dispose();
  }
  writeResults(k + 1);
}
bar.finish();
shutdown();

// 6. table, verdict, curves over the first `seedsDone` seeds (all of them at the end)
function writeResults(seedsDone: number) {
  const final = seedsDone === P.seeds.length;
  const seedsNote = final ? '' : ` (partial: ${seedsDone} of ${P.seeds.length} seeds done)`;
  const rows: Row[] = [
    { arm: 'teacher (reference)', parameter: '-', runs: [teacherMetrics] },
    { arm: 'warm student (reference)', parameter: '-', runs: warmRuns.slice(0, seedsDone) },
    ...armRows,
  ];
  const table = formatTable(rows);
  const arm = (kind: string, parameter?: string) =>
    armRows.find((r, i) => P.arms[i].kind === kind && (parameter === undefined || r.parameter === parameter))!;
  const criteria = verdict(
    rows[1],
    arm('task'),
    arm('modified', 'n=1'),
    armRows.filter((_, i) => P.arms[i].kind === 'lagrangian'),
  );
  const outcome = overall(criteria);
  const criteriaLines = criteria.map(
    (c) => `${c.pass === null ? 'not tested' : c.pass ? 'PASS' : 'FAIL'}: ${c.name} (${c.detail})`,
  );
  const wall = { warmStartReused: reuse, ...calibration.wallSeconds, rl: seconds(t0), total: seconds(started) };
  console.log(`\n${table}\n`);
  console.log(
    `budget d = ${d.toFixed(4)}; seeds ${P.seeds.slice(0, seedsDone).join(', ')}${seedsNote}; ${test.length} test prompts`,
  );
  for (const line of criteriaLines) console.log(line);
  console.log(`verdict (${tier})${seedsNote}: ${outcome}`);
  console.log(
    `wall: teacher SFT ${wall.teacherSft.toFixed(0)} s, warm start ${wall.studentWarmStart.toFixed(0)} s${reuse ? ` (both from the saved run of ${calibration.trainedAt}, not this one)` : ''}, RL ${wall.rl.toFixed(0)} s, total ${wall.total.toFixed(0)} s`,
  );

  const dir = fileURLToPath(new URL(`./results/${tier}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  const meanCurve = (runs: CurvePoint[][], key: keyof Metrics): [number, number][] =>
    runs[0].map((p, i) => [p.iteration, runs.reduce((a, r) => a + r[i][key], 0) / runs.length]);
  const plot = (key: keyof Metrics, yLabel: string, extra: nn.Series[] = []) =>
    nn.linePlot([...[...curves].map(([name, runs]) => ({ name, points: meanCurve(runs, key) })), ...extra], {
      title: `${yLabel} on ${P.curvePrompts} validation prompts (mean over ${seedsDone} seed${seedsDone > 1 ? 's' : ''})`,
      xLabel: 'RL iteration',
      yLabel,
    });
  const budgetLine: nn.Series = {
    name: 'budget d',
    points: [
      [0, d],
      [P.rl.iterations, d],
    ],
  };
  writeFileSync(`${dir}curve-accuracy.svg`, plot('accT1', 'acc@T1'));
  writeFileSync(`${dir}curve-csr.svg`, plot('csr', 'CSR = P(C ≤ d)'));
  writeFileSync(`${dir}curve-cost.svg`, plot('meanC', 'mean C (nats)', [budgetLine]));
  writeFileSync(`${dir}curve-bug-accuracy.svg`, plot('accBug', 'acc@T1 on bug prompts'));
  writeFileSync(
    `${dir}table.md`,
    `${table}\n\nbudget d = ${d.toFixed(4)} nats${seedsNote}\n\n${criteriaLines.map((l) => `- ${l}`).join('\n')}\n\nverdict${seedsNote}: ${outcome}\n`,
  );
  const results = {
    tier,
    device,
    protocol: P,
    seedsDone,
    d,
    warmStart: { reused: reuse, ...calibration },
    rows,
    criteria,
    verdict: outcome,
    wallSeconds: wall,
    curves: Object.fromEntries(curves),
  };
  writeFileSync(`${dir}results.json`, JSON.stringify(results, null, 1));
}
