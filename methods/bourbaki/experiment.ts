// Bourbaki at small scale (spec §5–6): generate theorems, split by canonical key, train the tactic, subgoal and
// whole-proof models on decider demonstrations (once: they are saved in models/ and loaded afterwards), then
// compare whole-proof sampling (B1), tactic MCTS (B2) and the sG-MDP search with conjectures (B3) and its
// ablations (B4: one tactic model; B5: no subgoal reward) at equal generation budgets.
//   --quick       the random prover stands for every model (CI)
//   --train-only  train and save the models that are not saved yet, score them, and stop
//   --models=S,W  with --train-only: only these models (separate processes can train separate models)
//   --run=run1    the full-tier run (protocol.ts FULL_RUNS; default DEFAULT_RUN): its models live in models/<run>/,
//                 its results in results/full-<run>/
// Each finished full-tier search is saved in results/full-<run>/runs/ and skipped by a later run (resumable), so a
// finished run's table is rebuilt from its records without searching again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { setDefaultDevice, nn, ready } from '../../index.js';
import { type Theorem } from './generator.js';
import { type Prover, lmProver, ensembleProver, randomProver } from './provers.js';
import { sgmdpSearch, wholeProofSampling, DEFAULT_SEARCH, type SearchResult } from './search.js';
import { checkScript } from './checker.js';
import { printSequent } from './sequent.js';
import { buildReport, type RunRecord } from './report.js';
import {
  QUICK,
  FULL_RUNS,
  DEFAULT_RUN,
  type FullRun,
  BUCKETS,
  ARMS,
  MODEL_NAMES,
  type Arm,
  type Protocol,
  type ModelName,
} from './protocol.js';
import { buildBuckets, buildModelData } from './data.js';
import { trainAndSave, loadModels, scoreModels, modelsSaved, modelDir, type ModelScores } from './models.js';
import { openRunsDir, runFile, saveRun, loadRun, countRuns } from './records.js';

const quick = process.argv.includes('--quick');
const trainOnly = process.argv.includes('--train-only');
const onlyModels = process.argv
  .find((a) => a.startsWith('--models='))
  ?.slice('--models='.length)
  .split(',') as ModelName[] | undefined;
const run = (process.argv.find((a) => a.startsWith('--run='))?.slice('--run='.length) ?? DEFAULT_RUN) as FullRun;
if (!(run in FULL_RUNS))
  throw new Error(`bourbaki: --run=${run} is not a full-tier run; valid: ${Object.keys(FULL_RUNS).join(', ')}`);
const FULL = FULL_RUNS[run];
const PROTOCOL: Protocol = quick ? QUICK : FULL;
const OUT = `methods/bourbaki/results/${quick ? 'quick' : `full-${run}`}`;
const MODELS = modelDir(run);
const RUNS = `${OUT}/runs`;

async function main() {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
  console.log(`Bourbaki ${quick ? 'quick tier' : `full tier, ${run}`}. Protocol (fixed before running):`);
  console.log(JSON.stringify({ ...PROTOCOL, buckets: BUCKETS, arms: ARMS, search: DEFAULT_SEARCH }, null, 0));
  console.log(
    'Reproduced iff: hard@max(k) B3 > B2 > B1 with gaps > one seed sd; the B3−B1 gap grows with depth; B3 reaches B1@max(k) at k ≤ 32; B3 has more distinct proofs per solve than B1.',
  );
  if (PROTOCOL.device === 'webgpu') await ready();
  await setDefaultDevice(PROTOCOL.device);

  // ---- data
  const bar = new nn.ProgressBar(PROTOCOL.candidates, { label: 'generate' });
  const data = buildBuckets(PROTOCOL, (d, kept) => {
    if (d % 100 === 0) bar.update(d, { kept });
  });
  const { all, train, test, extraHard, buckets, hand } = data;
  const depthHist = Object.fromEntries(
    [...new Set(all.map((t) => t.depth))]
      .sort((a, b) => a - b)
      .map((d) => [d, all.filter((t) => t.depth === d).length]),
  );
  console.log(
    `[${elapsed()}] kept ${all.length} theorems (depths ${JSON.stringify(depthHist)}); train ${train.length}, test ${test.length}; ${extraHard.length} extra test-only theorems of depth ≥ 12 from ${PROTOCOL.hardCandidates} random-source candidates; buckets ${buckets.map((b) => `${b.name} ${b.items.length}`).join(', ')}; hand ${hand.length}`,
  );

  // ---- provers
  let scores: Record<string, ModelScores> = {};
  let modelMeta: Record<string, Record<string, string>> = {};
  let provers: Record<Arm, Prover>;
  let tokens = () => 0;
  if (PROTOCOL.tier === 'quick') {
    provers = Object.fromEntries(ARMS.map((a, i) => [a, randomProver(i)])) as Record<Arm, Prover>;
  } else {
    const p = FULL;
    const md = buildModelData(data, p);
    console.log(
      `[${elapsed()}] demonstrations: T1 ${md.train.T1.length}, T2 ${md.train.T2.length} tactic pairs, S ${md.train.S.length} hindsight subgoal pairs, W ${md.train.W.length} scripts and sub-proof scripts; validation (training-side theorems) ${md.valid.T1.length} / ${md.valid.S.length} / ${md.valid.W.length}; held out (test side) ${md.held.tactic.length} / ${md.held.subgoal.length} / ${md.held.script.length}`,
    );
    const names = onlyModels ?? MODEL_NAMES;
    const unknown = names.filter((n) => !MODEL_NAMES.includes(n));
    if (unknown.length)
      throw new Error(`bourbaki: --models names ${unknown.join(', ')}; valid: ${MODEL_NAMES.join(', ')}`);
    if (!modelsSaved(MODELS) || trainOnly)
      await trainAndSave(md, p, MODELS, (line) => console.log(`[${elapsed()}] ${line}`), names);
    if (trainOnly && !modelsSaved(MODELS)) return;
    const { models, meta } = await loadModels(p, MODELS);
    modelMeta = meta;
    console.log(
      `[${elapsed()}] models loaded: ${Object.entries(meta)
        .map(
          ([k, m]) =>
            `${k} ${m.steps} steps (kept ${m.bestStep}, validation loss ${m.validationLoss}), loss ${m.firstLoss} → ${m.lastLoss}, ${m.seconds} s`,
        )
        .join('; ')}`,
    );
    scores = await scoreModels(models, md, p.temperature);
    console.log(
      `[${elapsed()}] held-out scores (top-1 greedy accuracy; valid share of samples at T = ${p.temperature}): ${Object.entries(
        scores,
      )
        .map(([k, v]) => `${k} top-1 ${(100 * v.top1).toFixed(1)}%, valid ${(100 * v.valid).toFixed(1)}% (n ${v.n})`)
        .join('; ')}`,
    );
    if (trainOnly) return;
    // one sampler per model, shared by every arm and seed so that each sampling call serves them all
    const opts = { temperature: p.temperature, seed: 0 };
    const [t1, t2, s, w] = [
      lmProver('T1', { tactic: models.T1 }, opts),
      lmProver('T2', { tactic: models.T2 }, opts),
      lmProver('S', { subgoal: models.S }, opts),
      lmProver('W', { whole: models.W }, opts),
    ];
    const full = ensembleProver('T1+T2+S', [t1, t2, s]);
    provers = { B1: w, B2: ensembleProver('T1+T2', [t1, t2]), B3: full, B4: ensembleProver('T1+S', [t1, s]), B5: full };
    tokens = () => [t1, t2, s, w].reduce((n, c) => n + c.tokens(), 0);
  }

  // ---- arms: every (seed, arm, theorem) runs concurrently, so one batched sampling call serves them all; a seed
  // fixes the search's own draws (subgoal shares) and, through the shared samplers' stream, the samples
  const K = Math.max(...PROTOCOL.budgets);
  const limitMinutes = quick ? undefined : FULL.wallLimitMinutes;
  const keepRecords = !quick;
  if (keepRecords) {
    openRunsDir(RUNS, { protocol: PROTOCOL, search: DEFAULT_SEARCH, models: modelMeta });
    console.log(`[${elapsed()}] ${countRuns(RUNS)} finished runs already in ${RUNS} are read back, not rerun`);
  }
  let stoppedEarly = false;
  const searchStarted = performance.now();
  const shouldStop = () => {
    if (limitMinutes !== undefined && performance.now() - searchStarted > limitMinutes * 60_000) stoppedEarly = true;
    return stoppedEarly;
  };
  const items: { bucket: string; index: number; theorem: Theorem }[] = [
    ...buckets.flatMap((b) => b.items.map((theorem, index) => ({ bucket: b.name, index, theorem }))),
    ...hand.map((theorem, index) => ({ bucket: 'hand', index, theorem })),
  ];
  const records: RunRecord[] = [];
  const total = PROTOCOL.seeds.length * ARMS.length * items.length;
  const progress = new nn.ProgressBar(total, { label: 'search' });
  let done = 0;
  let resumed = 0;
  await Promise.all(
    PROTOCOL.seeds.flatMap((seed) =>
      ARMS.flatMap((arm) =>
        items.map(async (item, i) => {
          const file = runFile(RUNS, arm, seed, item.bucket, item.index);
          const saved = keepRecords ? loadRun(file) : null;
          let record: RunRecord;
          if (saved) {
            record = saved;
            resumed++;
          } else {
            const opts = {
              ...DEFAULT_SEARCH,
              budget: K,
              seed: seed * 100_000 + i,
              allowHave: arm !== 'B2',
              subgoalReward: arm !== 'B5',
              shouldStop,
            };
            const result: SearchResult =
              arm === 'B1'
                ? await wholeProofSampling(item.theorem.sequent, provers.B1, K, PROTOCOL.budgets, 8, shouldStop)
                : await sgmdpSearch(item.theorem.sequent, provers[arm], opts, PROTOCOL.budgets);
            record = {
              arm,
              seed,
              bucket: item.bucket,
              depth: item.theorem.depth,
              key: item.theorem.key,
              theorem: item.theorem.sequent,
              result,
            };
            // a run cut by the wall-clock guard is not saved: the next run redoes it
            if (keepRecords && (result.solved || result.generations >= K)) saveRun(file, record);
          }
          records.push(record);
          progress.update(++done, { solved: records.filter((r) => r.result.solved).length });
        }),
      ),
    ),
  );
  const truncated = records.filter((r) => !r.result.solved && r.result.generations < K).length;
  const truncation = stoppedEarly
    ? `WALL-CLOCK LIMIT HIT: ${truncated} of ${records.length} runs stopped before their budget of ${K} (not saved; unsolved runs counted as unsolved here; solves up to then are exact).`
    : `every run used its full budget or solved its theorem${keepRecords ? ` (${resumed} of ${records.length} read back from ${RUNS})` : ''}.`;
  console.log(`[${elapsed()}] searches done; symbols generated this run ${tokens()}; ${truncation}`);

  // ---- report
  const report = buildReport(records, {
    arms: [...ARMS],
    budgets: PROTOCOL.budgets,
    seeds: PROTOCOL.seeds,
    bucketSizes: Object.fromEntries([...buckets.map((b) => [b.name, b.items.length]), ['hand', hand.length]]),
  });
  const scoreText = Object.keys(scores).length
    ? `Held-out model scores (top-1 greedy accuracy; share of valid samples at the search temperature): ${Object.entries(
        scores,
      )
        .map(([k, v]) => `${k} ${(100 * v.top1).toFixed(1)}% / ${(100 * v.valid).toFixed(1)}%`)
        .join(', ')}`
    : '';
  console.log(report.table);
  console.log(report.criteria);
  if (scoreText) console.log(scoreText);
  console.log(report.extras);
  // one found proof, printed whole and re-checked
  const shown = records
    .filter((r) => r.arm === 'B3' && r.result.solved && r.bucket !== 'hand')
    .sort(
      (a, b) =>
        b.depth - a.depth ||
        (b.result.script!.some((l) => l.startsWith('have')) ? 1 : 0) -
          (a.result.script!.some((l) => l.startsWith('have')) ? 1 : 0),
    )[0];
  let proofText = 'no B3 proof on the test buckets';
  if (shown) {
    const ok = checkScript(shown.theorem, shown.result.script!);
    proofText = `A proof found by B3 (seed ${shown.seed}, depth ${shown.depth}, ${shown.result.solvedAt} generations):\n  ${printSequent(shown.theorem)}\n${shown.result.script!.map((l) => `    ${l}`).join('\n')}\n  re-checked by checkScript: ${ok ? 'valid' : 'INVALID'}`;
  }
  console.log(proofText);
  const wall = (performance.now() - started) / 1000;
  console.log(`wall time ${wall.toFixed(0)} s`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    `${OUT}/table.md`,
    `${report.table}\n\n${truncation}\n\n${report.criteria}\n\n${scoreText}\n\n${report.extras}\n\n${proofText}\n\nwall time ${wall.toFixed(0)} s\n`,
  );
  writeFileSync(`${OUT}/solved-vs-budget.svg`, report.svg);
  writeFileSync(`${OUT}/solved-vs-budget-hard.svg`, report.svgHard);
  writeFileSync(
    `${OUT}/results.json`,
    JSON.stringify(
      { protocol: PROTOCOL, scores, models: modelMeta, summary: report.summary, wallSeconds: wall, tokens: tokens() },
      null,
      1,
    ),
  );
}

await main();
process.exit(0);
