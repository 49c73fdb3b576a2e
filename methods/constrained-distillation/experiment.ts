// Distillation as constrained RL at small scale (spec §5-6): SFT a teacher on buggy addition data, warm-start a
// student on the teacher's samples, fix the budget d from the warm student's costs, then run every arm for every
// seed and print the §6 table, the curves (SVG) and the verdict. `--quick` is the CI tier.
// Usage: npx tsx methods/constrained-distillation/experiment.ts [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, ready, shutdown, type DeviceName } from '../../index.js';
import { sampleResponses } from '../shared/lm-rl/index.js';
import { FULL, QUICK, armParameter } from './protocol.js';
import { createModel, cloneModel, sft, padResponse, TEACHER_SIZE, STUDENT_SIZE } from './models.js';
import {
  generate,
  promptTokens,
  teacherTarget,
  isBugPrompt,
  EOS,
  PAD,
  MAX_RESPONSE,
  BUG_DROP_RATE,
  type Problem,
} from './task.js';
import { rolloutCosts } from './score.js';
import { quantile } from './calibration.js';
import { evaluate, type Metrics } from './evaluate.js';
import { trainArm, type CurvePoint } from './rl.js';
import { formatTable, verdict, overall, type Row } from './report.js';

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

// 1. the teacher learns the task from buggy SFT data
let t0 = performance.now();
const teacher = createModel(TEACHER_SIZE, 0, device).eval();
const teacherData = seededRandom(101);
await sft(
  teacher,
  () => {
    const problems = generate(P.teacherSft.batch, teacherData, 'train');
    return {
      prompts: problems.map(promptTokens),
      responses: problems.map((p) => padResponse(teacherTarget(p, teacherData))),
    };
  },
  {
    ...P.teacherSft,
    onStep: (s, l) => {
      if (s % 500 === 0 || s === P.teacherSft.steps) console.log(`  teacher SFT step ${s}: loss ${l.toFixed(4)}`);
    },
  },
);
const teacherSftSeconds = seconds(t0);

// 2. the student's warm start: SFT on teacher samples at T = 1 (so it inherits the bug)
t0 = performance.now();
const sampleRandom = seededRandom(202);
const pool: { prompt: number[]; response: number[] }[] = [];
for (let i = 0; i < P.studentData; i += 500) {
  const problems = generate(Math.min(500, P.studentData - i), sampleRandom, 'train');
  const rollout = await sampleResponses(teacher, problems.map(promptTokens), {
    maxNewTokens: MAX_RESPONSE,
    temperature: 1,
    eosToken: EOS,
    padToken: PAD,
    random: sampleRandom,
  });
  rollout.responses.forEach((r, b) => pool.push({ prompt: rollout.prompts[b], response: r }));
}
const warm = createModel(STUDENT_SIZE, 1, device);
await sft(
  warm,
  () => {
    const batch = Array.from({ length: P.studentSft.batch }, () => pool[Math.floor(sampleRandom() * pool.length)]);
    return { prompts: batch.map((e) => e.prompt), responses: batch.map((e) => e.response) };
  },
  {
    ...P.studentSft,
    onStep: (s, l) => {
      if (s % 500 === 0 || s === P.studentSft.steps) console.log(`  student SFT step ${s}: loss ${l.toFixed(4)}`);
    },
  },
);
const studentSftSeconds = seconds(t0);

// 3. the budget d: a quantile of C under the warm student on calibration prompts, before any RL
const calibrationRandom = seededRandom(303);
const calibration = generate(P.calibration.prompts, calibrationRandom, 'validation');
const C: number[] = [];
for (let i = 0; i < calibration.length; i += 250) {
  const rollout = await sampleResponses(warm, calibration.slice(i, i + 250).map(promptTokens), {
    maxNewTokens: MAX_RESPONSE,
    temperature: 1,
    eosToken: EOS,
    padToken: PAD,
    random: calibrationRandom,
  });
  C.push(...(await rolloutCosts(warm, teacher, rollout)).C);
}
const d = quantile(C, P.calibration.quantile);
console.log(
  `budget d = ${d.toFixed(4)} nats (q${100 * P.calibration.quantile} of C over ${C.length} calibration prompts), fixed before RL`,
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
t0 = performance.now();
const rows: Row[] = [
  { arm: 'teacher (reference)', parameter: '-', runs: [teacherMetrics] },
  { arm: 'warm student (reference)', parameter: '-', runs: warmRuns },
];
const curves = new Map<string, CurvePoint[][]>();
const totalIterations = P.arms.length * P.seeds.length * P.rl.iterations;
const bar = new nn.ProgressBar(totalIterations, { label: 'RL' });
let done = 0;
for (const arm of P.arms) {
  const label = `${arm.name} ${armParameter(arm)}`;
  const row: Row = { arm: arm.name, parameter: armParameter(arm), runs: [] };
  curves.set(label, []);
  for (const seed of P.seeds) {
    const student = cloneModel(warm);
    const random = seededRandom(1000 + seed);
    const curve = await trainArm(student, teacher, arm, { ...P.rl, d, curvePrompts }, random, (_, info) => {
      bar.update(++done, { arm: label, seed, R: info.R, C: info.C });
    });
    curves.get(label)!.push(curve);
    row.runs.push(await evaluate(student, teacher, test, d, { random: seededRandom(700 + seed) }));
    student.dispose();
  }
  rows.push(row);
}
bar.finish();
const rlSeconds = seconds(t0);

// 6. table, verdict, curves
const table = formatTable(rows);
const find = (kind: string, parameter?: string) =>
  rows.find((r, i) => i >= 2 && P.arms[i - 2].kind === kind && (parameter === undefined || r.parameter === parameter))!;
const criteria = verdict(
  rows[1],
  find('task'),
  find('modified', 'n=1'),
  rows.filter((_, i) => i >= 2 && P.arms[i - 2].kind === 'lagrangian'),
);
const outcome = overall(criteria);
const wall = {
  teacherSft: teacherSftSeconds,
  studentWarmStart: studentSftSeconds,
  rl: rlSeconds,
  total: seconds(started),
};
console.log(`\n${table}\n`);
console.log(`budget d = ${d.toFixed(4)}; seeds ${P.seeds.join(', ')}; ${test.length} test prompts`);
for (const c of criteria)
  console.log(`${c.pass === null ? 'not tested' : c.pass ? 'PASS' : 'FAIL'}: ${c.name} (${c.detail})`);
console.log(`verdict (${tier}): ${outcome}`);
console.log(
  `wall: teacher SFT ${wall.teacherSft.toFixed(0)} s, warm start ${wall.studentWarmStart.toFixed(0)} s, RL ${wall.rl.toFixed(0)} s, total ${wall.total.toFixed(0)} s`,
);

const dir = fileURLToPath(new URL(`./results/${tier}/`, import.meta.url));
mkdirSync(dir, { recursive: true });
const meanCurve = (runs: CurvePoint[][], key: keyof Metrics): [number, number][] =>
  runs[0].map((p, i) => [p.iteration, runs.reduce((a, r) => a + r[i][key], 0) / runs.length]);
const plot = (key: keyof Metrics, yLabel: string, extra: nn.Series[] = []) =>
  nn.linePlot([...[...curves].map(([name, runs]) => ({ name, points: meanCurve(runs, key) })), ...extra], {
    title: `${yLabel} on ${P.curvePrompts} validation prompts (mean over ${P.seeds.length} seed${P.seeds.length > 1 ? 's' : ''})`,
    xLabel: 'RL iteration',
    yLabel,
  });
writeFileSync(`${dir}curve-accuracy.svg`, plot('accT1', 'acc@T1'));
writeFileSync(`${dir}curve-csr.svg`, plot('csr', 'CSR = P(C ≤ d)'));
writeFileSync(
  `${dir}curve-cost.svg`,
  plot('meanC', 'mean C (nats)', [
    {
      name: 'budget d',
      points: [
        [0, d],
        [P.rl.iterations, d],
      ],
    },
  ]),
);
writeFileSync(`${dir}curve-bug-accuracy.svg`, plot('accBug', 'acc@T1 on bug prompts'));
writeFileSync(
  `${dir}table.md`,
  `${table}\n\nbudget d = ${d.toFixed(4)} nats\n\n${criteria.map((c) => `- ${c.pass === null ? 'not tested' : c.pass ? 'PASS' : 'FAIL'}: ${c.name} (${c.detail})`).join('\n')}\n\nverdict: ${outcome}\n`,
);
writeFileSync(
  `${dir}results.json`,
  JSON.stringify(
    {
      tier,
      device,
      protocol: P,
      d,
      calibrationCosts: C,
      rows,
      criteria,
      verdict: outcome,
      wallSeconds: wall,
      curves: Object.fromEntries(curves),
    },
    null,
    1,
  ),
);
shutdown();
