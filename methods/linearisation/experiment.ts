// The experiment of spec §5–6: train a softmax teacher on "MQAR + local", convert it into every arm, evaluate every
// arm in every attention mode, and print Table 1, Table 2 and the verdict; writes results/<tier>.json and .svg.
//   npm run method:linearisation              full tier (3 seeds)
//   npm run method:linearisation -- --quick   quick tier (CI: 1 seed, half the steps)
//   npm run method:linearisation -- --zero-recall   the local-only conversion-data experiment (protocol.ts zeroRecall)
//   add --device cpu to run on the cpu backend (default webgpu)
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, manualSeed, ready, setDefaultDevice, shutdown, type DeviceName } from '../../index.js';
import { FULL, QUICK, type Protocol } from './protocol.js';
import { fillerMap, makeBatch, vocabulary, type Batch } from './task.js';
import { tokenTensor } from './metrics.js';
import { convertAttention, setAttentionMode } from './convert.js';
import { trainStage1, trainStage2, trainTeacher, type BatchFn, type TransferObjective } from './training.js';
import { evaluate } from './evaluate.js';
import { ATTENTION_MODES, type AttentionMode } from './hybridAttention.js';
import { armsOf, barChartSvg, deltasOf, table1, table2, type Deltas, type EvalRow } from './report.js';

const args = process.argv.slice(2);
const tier = args.includes('--quick') ? 'quick' : 'full';
const zeroRecallRun = args.includes('--zero-recall');
const P: Protocol = tier === 'quick' ? QUICK : FULL;
const device = (args.includes('--device') ? args[args.indexOf('--device') + 1] : 'webgpu') as DeviceName;
const TASK_SEED = 1234;
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
const say = (msg: string) => console.log(`[${elapsed()}] ${msg}`);

const filler = fillerMap(TASK_SEED);
const batchesOf = (n: number, recallFraction: number, seed: number): BatchFn => {
  const r = nn.data.seededRandom(seed);
  return () => tokenTensor(makeBatch(n, recallFraction, P.task, filler, r), device);
};
function heldOut(kind: 'filler' | 'recall', seed: number): Batch[] {
  const r = nn.data.seededRandom(seed);
  const size = Math.min(P.evalBatch, P.evalSequences);
  return Array.from({ length: Math.ceil(P.evalSequences / size) }, () => makeBatch(size, kind === 'recall' ? 1 : 0, P.task, filler, r));
}
const evalData = { filler: heldOut('filler', 9001), recall: heldOut('recall', 9002) };
const logEvery = (label: string, total: number) => (s: number, loss: number) => {
  if ((s + 1) % Math.max(1, Math.floor(total / 4)) === 0) say(`  ${label} step ${s + 1}/${total} loss ${loss.toFixed(4)}`);
};

/** What each training run did: stage-1 rate reductions, stage-2 steps run (fewer than the budget: early-stopped). */
interface TrainingRecord { stage: 1 | 2; label: string; seed: number; lrReductions?: number; steps?: number; budget?: number }
const training: TrainingRecord[] = [];

function newGPT(): nn.GPT {
  const t = P.teacher;
  return new nn.GPT({ vocabSize: vocabulary(P.task).size, blockSize: P.task.seqLen, nLayer: t.nLayer, nHead: t.nHead, nEmbd: t.nEmbd,
    mlpHidden: t.mlpHidden, seed: 7, device });
}

/** A copy of `source` converted with feature dim F (feature maps initialised from `seed`), weights loaded after. */
function convertedCopy(source: nn.GPT, featureDim: number, seed: number, convertedSource: boolean): nn.GPT {
  const model = newGPT();
  if (!convertedSource) model.loadStateDict(source.stateDict());
  convertAttention(model, { featureDim, window: P.task.window, seed });
  if (convertedSource) model.loadStateDict(source.stateDict());
  return model;
}

async function evalModes(model: nn.GPT, arm: string, featureDim: number, seed: number, modes: readonly AttentionMode[],
  useGate = true): Promise<EvalRow[]> {
  const rows: EvalRow[] = [];
  for (const mode of modes) {
    setAttentionMode(model, mode, { useGate });
    const r = await evaluate(model, evalData, P.task.window, device);
    rows.push({ arm, featureDim, seed, mode, ...r });
  }
  setAttentionMode(model, 'hybrid', { useGate: true });
  say(`  ${arm} seed ${seed}: ` + rows.map((r) => `${r.mode} local ${r.local.toFixed(1)} recall ${r.recall.toFixed(1)}`).join(' | '));
  return rows;
}

async function stage1(teacher: nn.GPT, featureDim: number, objective: TransferObjective, seed: number, recallFraction: number): Promise<nn.GPT> {
  const student = convertedCopy(teacher, featureDim, seed, false);
  setAttentionMode(student, objective === 'outputMse' ? 'hybrid' : 'laFull');
  const { lrReductions } = await trainStage1(teacher, student, { objective, steps: P.stage1.steps, lr: P.stage1.lr, plateau: P.stage1.plateau,
    batch: batchesOf(P.batch, recallFraction, 100 + seed), log: logEvery(`stage 1 ${objective} F=${featureDim}`, P.stage1.steps) });
  training.push({ stage: 1, label: `${objective} F=${featureDim} recall ${recallFraction * 100}%`, seed, lrReductions });
  return student;
}

/** Stage 2 from a stage-1 model: LoRA on q, k, v, o in `mode`, then evaluation in every mode. */
async function stage2(arm: string, from: nn.GPT, featureDim: number, seed: number, mode: AttentionMode, recallFraction: number,
  extra: { ssd?: boolean; earlyStop?: boolean; useGateAtEval?: boolean } = {}): Promise<EvalRow[]> {
  const model = convertedCopy(from, featureDim, seed, true);
  nn.applyLoRA(model, /attn\.[qkvo]Proj$/, { r: P.stage2.rank, alpha: P.stage2.alpha });
  setAttentionMode(model, mode);
  const ran = await trainStage2(model, {
    steps: P.stage2.steps, lr: P.stage2.lr, batch: batchesOf(P.batch, recallFraction, 200 + seed), log: logEvery(`${arm} LoRA`, P.stage2.steps),
    ssd: extra.ssd ? { random: nn.data.seededRandom(300 + seed) } : undefined,
    earlyStop: extra.earlyStop ? { ...P.earlyStop, heldOut: batchesOf(P.earlyStop.heldOut, recallFraction, 400 + seed)(0) } : undefined,
  });
  if (ran < P.stage2.steps) say(`  ${arm}: early-stopped after ${ran} steps`);
  training.push({ stage: 2, label: arm, seed, steps: ran, budget: P.stage2.steps });
  const modes = mode === 'swaOnly' ? (['swaOnly', 'sinks', 'zero'] as const) : ATTENTION_MODES;
  const rows = await evalModes(model, arm, featureDim, seed, modes, extra.useGateAtEval ?? true);
  model.dispose();
  return rows;
}

/** Arms A and E (the ones the pre-registered 2% rerun repeats) from one LoLCATs stage 1. */
async function lolcatsArms(teacher: nn.GPT, seed: number, recallFraction: number, suffix = ''): Promise<EvalRow[]> {
  const s1 = await stage1(teacher, P.featureDim, 'outputMse', seed, recallFraction);
  const rows = [
    ...await stage2(`A LoLCATs${suffix}`, s1, P.featureDim, seed, 'hybrid', recallFraction),
    ...await stage2(`E SSD${suffix}`, s1, P.featureDim, seed, 'hybrid', recallFraction, { ssd: true }),
  ];
  s1.dispose();
  return rows;
}

/** The local-only experiment's arms for one seed and recall fraction: A and E (one LoLCATs stage 1) and C. */
async function zeroRecallArms(teacher: nn.GPT, seed: number, recallFraction: number): Promise<EvalRow[]> {
  const suffix = ` (${recallFraction * 100}% recall)`;
  const rows = await lolcatsArms(teacher, seed, recallFraction, suffix);
  const s1C = await stage1(teacher, P.featureDim, 'weightXent', seed, recallFraction);
  rows.push(...await stage2(`C HedgeCATs${suffix}`, s1C, P.featureDim, seed, 'hybrid', recallFraction, { earlyStop: true }));
  s1C.dispose();
  return rows;
}

/** Early stopping and stage-1 rate reductions, as printed lines. */
function trainingSummary(): string[] {
  const withEarlyStop = training.filter((r) => r.stage === 2 && r.label.startsWith('C'));
  const stopped = withEarlyStop.filter((r) => r.steps! < r.budget!);
  return [
    `stage 2: early stopping (the C arms) fired in ${stopped.length} of ${withEarlyStop.length} runs` +
      `${stopped.length ? ` (${stopped.map((r) => `${r.label} seed ${r.seed}: ${r.steps}/${r.budget} steps`).join('; ')})` : ''}`,
    `stage 1: learning-rate reductions per run: ${training.filter((r) => r.stage === 1).map((r) => `${r.label} seed ${r.seed}: ${r.lrReductions}`).join('; ')}`,
  ];
}

async function runSeed(teacher: nn.GPT, seed: number): Promise<EvalRow[]> {
  say(`seed ${seed}`);
  manualSeed(seed);
  const f = P.recallFraction;
  const rows = await lolcatsArms(teacher, seed, f);
  const s1B = await stage1(teacher, P.featureDimB, 'outputMse', seed, f);
  rows.push(...await stage2('B LoLCATs 2F', s1B, P.featureDimB, seed, 'hybrid', f));
  s1B.dispose();
  const s1C = await stage1(teacher, P.featureDim, 'weightXent', seed, f);
  rows.push(...await stage2('C HedgeCATs', s1C, P.featureDim, seed, 'hybrid', f, { earlyStop: true }));
  // D: linear-only (laFull) LoRA, then hybrid only at evaluation with γ = λ = 1
  rows.push(...await stage2('D inference-time hybrid', s1C, P.featureDim, seed, 'laFull', f, { useGateAtEval: false }));
  s1C.dispose();
  const swaRef = convertedCopy(teacher, P.featureDim, seed, false);
  rows.push(...await stage2('SWA-only LoRA', swaRef, P.featureDim, seed, 'swaOnly', f));
  swaRef.dispose();
  return rows;
}

/** Spec §6 criteria, per arm; `teacherLocal` is the teacher's local accuracy. */
function verdicts(deltas: Deltas[], teacherLocal: number) {
  const by = (prefix: string) => deltas.find((d) => d.arm.startsWith(prefix));
  const a = by('A'), b = by('B');
  const criteria = {
    a: deltas.every((d) => Math.abs(d.dLocal.mean) < 1),
    b: !!a && a.dRecall.mean < 5,
    c: ['C', 'D', 'E'].every((p) => { const d = by(p); return !!d && d.dRecall.mean >= 20 && d.hybridLocal.mean >= 0.95 * teacherLocal; }),
    d: !!a && !!b && b.dRecall.mean >= a.dRecall.mean,
  };
  const perArm = (d: Deltas) => {
    const notes = [Math.abs(d.dLocal.mean) < 1 ? 'local same' : 'local differs'];
    if (d.arm.startsWith('A')) notes.push(d.dRecall.mean < 5 ? 'collapsed onto SWA' : 'LA carries recall (no collapse)');
    else if (/^[CDE]/.test(d.arm)) notes.push(d.dRecall.mean >= 20 ? 'LA carries recall' : 'LA does not carry recall');
    else if (d.arm.startsWith('B')) notes.push(a && d.dRecall.mean >= a.dRecall.mean ? 'Δrecall ≥ A' : 'Δrecall < A');
    return notes.join('; ');
  };
  return { criteria, perArm };
}

async function main(): Promise<void> {
  await ready();
  await setDefaultDevice(device);
  say(`tier ${tier} on ${device}: task ${JSON.stringify(P.task)}, seeds ${P.seeds.join(', ')}`);
  manualSeed(0);
  const teacher = newGPT();
  await trainTeacher(teacher, { steps: P.teacher.steps, lr: P.teacher.lr, batch: batchesOf(P.teacher.batch, P.teacherRecallFraction, 1),
    log: logEvery('teacher', P.teacher.steps) });
  teacher.requiresGrad_(false);
  const teacherEval = await evaluate(teacher, evalData, P.task.window, device);
  const gateMet = teacherEval.recall >= P.gate.recall && teacherEval.local >= P.gate.local;
  say(`teacher: local ${teacherEval.local.toFixed(1)}, recall ${teacherEval.recall.toFixed(1)} — gate ${gateMet ? 'met' : 'NOT met'}`);
  const rows: EvalRow[] = [{ arm: 'teacher (softmax)', featureDim: 0, seed: 0, mode: 'softmax', ...teacherEval }];
  if (zeroRecallRun) {
    await zeroRecallExperiment(teacher, teacherEval, gateMet, rows);
    teacher.dispose();
    return;
  }
  for (const seed of P.seeds) rows.push(...await runSeed(teacher, seed));

  const armNames = [...new Set(rows.map((r) => r.arm))];
  let deltas = armNames.map((a) => deltasOf(rows, a)).filter((d): d is Deltas => d !== null);
  let { criteria, perArm } = verdicts(deltas, teacherEval.local);
  let rerun = false;
  if (!criteria.b) {
    say(`A did not collapse; pre-registered rerun of A and E with ${P.rerunRecallFraction * 100}% recall data`);
    rerun = true;
    for (const seed of P.seeds) rows.push(...await lolcatsArms(teacher, seed, P.rerunRecallFraction, ' (2% recall)'));
    deltas = [...new Set(rows.map((r) => r.arm))].map((a) => deltasOf(rows, a)).filter((d): d is Deltas => d !== null);
  }
  console.log(`\nTable 1 (${tier} tier, ${P.seeds.length} seed(s), mean ± sd; accuracies in %; ρ = linear share of attention mass, i ≥ W)\n`);
  console.log(table1(rows));
  console.log('\nTable 2\n');
  console.log(table2(deltas, perArm));
  const rerunA = deltas.find((d) => d.arm === 'A LoLCATs (2% recall)');
  const collapse = criteria.b || (rerun && !!rerunA && rerunA.dRecall.mean < 5);
  const reproduced = gateMet && criteria.a && collapse && criteria.c && criteria.d;
  console.log(`\nteacher gate (recall ≥ ${P.gate.recall}, local ≥ ${P.gate.local}): ${gateMet ? 'met' : 'NOT met'}`);
  console.log(`criteria: (a) |Δlocal| < 1 every arm: ${criteria.a}; (b) A collapses (Δrecall < 5): ${criteria.b}` +
    `${rerun ? ` (2% rerun: ${collapse})` : ''}; (c) C, D, E Δrecall ≥ 20 with local ≥ 95% of teacher: ${criteria.c}; ` +
    `(d) B Δrecall ≥ A: ${criteria.d}`);
  if (!collapse) {
    const a = deltas.find((d) => d.arm.startsWith('A'))!;
    console.log(`collapse not reproduced at toy scale (A: Δrecall ${a.dRecall.mean.toFixed(1)}, Δlocal ${a.dLocal.mean.toFixed(1)})`);
  }
  if (!gateMet) console.log('the teacher did not pass its gate, so these criteria say nothing about the claim (expected in the quick tier)');
  for (const line of trainingSummary()) console.log(line);
  console.log(`claim reproduced: ${reproduced ? 'YES' : 'NO'}; wall time ${elapsed()}`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}${tier}.json`, JSON.stringify({ protocol: P, device, teacher: teacherEval, gateMet, criteria, collapse, reproduced,
    wallSeconds: (performance.now() - t0) / 1000, training, rows }, null, 1));
  writeFileSync(`${dir}${tier}.svg`, barChartSvg(rows.filter((r) => r.arm !== 'teacher (softmax)'), ['hybrid', 'swaOnly', 'laFull', 'sinks'],
    `Recall accuracy by attention mode (${tier} tier, mean ± sd over ${P.seeds.length} seed(s))`));
  teacher.dispose();
}

/**
 * The local-only conversion-data experiment, registered before it ran (README "Local-only conversion data"):
 * A, C and E converted with 0% recall data beside the same arms with the main run's 10%, on P.zeroRecall.seeds.
 * Criterion: A with local-only data collapses onto the window (Δrecall = hybrid − swaOnly recall < 5 points);
 * reported beside it, whether C and E keep Δrecall ≥ 20 with local-only data.
 */
async function zeroRecallExperiment(teacher: nn.GPT, teacherEval: { local: number }, gateMet: boolean, rows: EvalRow[]): Promise<void> {
  const fractions = [P.recallFraction, P.zeroRecall.fraction];
  for (const seed of P.zeroRecall.seeds) {
    say(`seed ${seed}`);
    manualSeed(seed);
    for (const f of fractions) rows.push(...await zeroRecallArms(teacher, seed, f));
  }
  const deltas = armsOf(rows).map((a) => deltasOf(rows, a)).filter((d): d is Deltas => d !== null);
  const by = (arm: string) => deltas.find((d) => d.arm === `${arm} (${P.zeroRecall.fraction * 100}% recall)`);
  const a0 = by('A LoLCATs');
  const collapsed = !!a0 && a0.dRecall.mean < 5;
  const remedies = ['C HedgeCATs', 'E SSD'].map((arm) => [arm, by(arm)] as const);
  const perArm = (d: Deltas) => (d.dRecall.mean < 5 ? 'collapsed onto SWA (Δrecall < 5)' : d.dRecall.mean >= 20 ? 'LA carries recall (Δrecall ≥ 20)' : 'between (5 ≤ Δrecall < 20)');
  console.log(`\nLocal-only conversion data (${tier} tier, seeds ${P.zeroRecall.seeds.join(', ')}, mean ± sd; accuracies in %)\n`);
  console.log(table1(rows));
  console.log('\n');
  console.log(table2(deltas, perArm));
  console.log(`\nteacher gate: ${gateMet ? 'met' : 'NOT met (the verdict says nothing about the claim)'}; teacher local ${teacherEval.local.toFixed(1)}`);
  console.log(`registered criterion: A with ${P.zeroRecall.fraction * 100}% recall data collapses (Δrecall < 5): ` +
    `${a0 ? `${collapsed ? 'PASS' : 'FAIL'} (Δrecall ${a0.dRecall.mean.toFixed(1)} ± ${a0.dRecall.sd.toFixed(1)})` : 'not tested'}`);
  for (const [arm, d] of remedies) {
    console.log(`reported: ${arm} with ${P.zeroRecall.fraction * 100}% recall data, Δrecall ${d ? `${d.dRecall.mean.toFixed(1)} ± ${d.dRecall.sd.toFixed(1)}: ${d.dRecall.mean >= 20 ? '≥ 20' : '< 20'}` : 'not run'}`);
  }
  for (const line of trainingSummary()) console.log(line);
  console.log(`wall time ${elapsed()}`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}zero-recall-${tier}.json`, JSON.stringify({ protocol: P, device, teacher: teacherEval, gateMet, collapsed,
    wallSeconds: (performance.now() - t0) / 1000, training, rows }, null, 1));
}

try {
  await main();
} finally {
  shutdown();
}
