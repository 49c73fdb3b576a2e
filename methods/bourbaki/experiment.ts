// Bourbaki at small scale (spec §5–6): generate theorems, split by canonical key, train the tactic, subgoal and
// whole-proof models on decider demonstrations, then compare whole-proof sampling (B1), tactic MCTS (B2) and the
// sG-MDP search with conjectures (B3) and its ablations (B4: one tactic model; B5: no subgoal reward) at equal
// generation budgets. `--quick` swaps the models for the random prover (CI).
import { mkdirSync, writeFileSync } from 'node:fs';
import { setDefaultDevice, nn, ready, type DeviceName } from '../../index.js';
import { generateTheorems, splitByCanonical, type Theorem } from './generator.js';
import { handBenchmark } from './hand.js';
import { extractDemonstrations } from './demos.js';
import { encode } from './tokenizer.js';
import { createLM, trainLM, top1Accuracy, type Example } from './lm.js';
import { type Prover, lmProver, ensembleProver, randomProver } from './provers.js';
import { sgmdpSearch, wholeProofSampling, DEFAULT_SEARCH, type SearchResult } from './search.js';
import { checkScript } from './checker.js';
import { printSequent } from './sequent.js';
import { makeRng, shuffle } from './random.js';
import { buildReport, type RunRecord } from './report.js';

const quick = process.argv.includes('--quick');
const QUICK = {
  tier: 'quick',
  candidates: 1500,
  testPerBucket: 10,
  handStride: 1,
  budgets: [16, 64],
  seeds: [0],
  prover: 'randomProver',
  device: 'cpu' as DeviceName,
};
const FULL = {
  tier: 'full',
  candidates: 6000,
  testPerBucket: 8,
  handStride: 3,
  budgets: [8, 32, 128],
  seeds: [0, 1, 2],
  prover: 'trained LMs',
  device: 'webgpu' as DeviceName,
  trainTheorems: 1000,
  tacticPairsPerModel: 1500,
  subgoalPairs: 1500,
  scriptPairs: 500,
  model: { nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 160, wholeBlockSize: 256 },
  train: { lr: 3e-3, batch: 64, epochs: 2 },
  temperature: 1.1,
  /** wall-clock guard for the whole run on the shared machine: searches still running then stop (reported) */
  wallLimitMinutes: 37,
};
const PROTOCOL: typeof QUICK = quick ? QUICK : FULL;
const BUCKETS: [string, number, number][] = [
  ['shallow', 4, 7],
  ['medium', 8, 11],
  ['hard', 12, 16],
];
const ARMS = ['B1', 'B2', 'B3', 'B4', 'B5'] as const;
type Arm = (typeof ARMS)[number];
const OUT = `methods/bourbaki/results/${PROTOCOL.tier}`;

async function main() {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
  console.log(`Bourbaki ${PROTOCOL.tier} tier. Protocol (fixed before running):`);
  console.log(JSON.stringify({ ...PROTOCOL, buckets: BUCKETS, arms: ARMS, search: DEFAULT_SEARCH }, null, 0));
  console.log(
    'Reproduced iff: hard@max(k) B3 > B2 > B1 with gaps > one seed sd; the B3−B1 gap grows with depth; B3 reaches B1@max(k) at k ≤ 32; B3 has more distinct proofs per solve than B1.',
  );
  if (PROTOCOL.device === 'webgpu') await ready();
  await setDefaultDevice(PROTOCOL.device);

  // ---- data
  const bar = new nn.ProgressBar(PROTOCOL.candidates, { label: 'generate' });
  const all = generateTheorems({
    n: PROTOCOL.candidates,
    depthRange: [4, 16],
    seed: 2507,
    onProgress: (d, kept) => {
      if (d % 100 === 0) bar.update(d, { kept });
    },
  });
  const { train, test } = splitByCanonical(all, 0.2, 2507, (t) => t.depth >= BUCKETS[2][1]);
  const rng = makeRng(2507);
  const buckets = BUCKETS.map(([name, lo, hi]) => ({
    name,
    items: shuffle(
      rng,
      test.filter((t) => t.depth >= lo && t.depth <= hi),
    ).slice(0, PROTOCOL.testPerBucket),
  }));
  const hand = handBenchmark().filter((_, i) => i % PROTOCOL.handStride === 0);
  const depthHist = Object.fromEntries(
    [...new Set(all.map((t) => t.depth))]
      .sort((a, b) => a - b)
      .map((d) => [d, all.filter((t) => t.depth === d).length]),
  );
  console.log(
    `[${elapsed()}] kept ${all.length} theorems (depths ${JSON.stringify(depthHist)}); train ${train.length}, test ${test.length}; buckets ${buckets.map((b) => `${b.name} ${b.items.length}`).join(', ')}; hand ${hand.length}`,
  );

  // ---- provers
  const accuracies: Record<string, number> = {};
  let provers: Record<Arm, Prover>;
  let tokens = () => 0;
  if (PROTOCOL.tier === 'quick') {
    provers = Object.fromEntries(ARMS.map((a, i) => [a, randomProver(i)])) as Record<Arm, Prover>;
  } else {
    const p = FULL;
    const trainSet = train.slice(0, p.trainTheorems);
    const demos = extractDemonstrations(trainSet);
    const held = extractDemonstrations(test.filter((t) => !buckets.some((b) => b.items.includes(t))).slice(0, 150));
    const ex = (s: Parameters<typeof printSequent>[0], answer: string): Example | null => {
      const prompt = encode(printSequent(s));
      const target = encode(answer);
      return prompt && target ? { prompt, target } : null;
    };
    const keepEx = (xs: (Example | null)[]) => xs.filter((x): x is Example => x !== null);
    const tacticAll = keepEx(shuffle(rng, demos.tactic).map((d) => ex(d.sequent, d.tactic)));
    const half = Math.floor(tacticAll.length / 2);
    const data = {
      T1: tacticAll.slice(0, half).slice(0, p.tacticPairsPerModel),
      T2: tacticAll.slice(half).slice(0, p.tacticPairsPerModel),
      S: keepEx(
        shuffle(rng, demos.subgoal)
          .slice(0, p.subgoalPairs)
          .map((d) => ex(d.sequent, d.psi)),
      ),
      W: keepEx(demos.script.slice(0, p.scriptPairs).map((d) => ex(d.sequent, d.script.join('; ')))),
    };
    console.log(
      `[${elapsed()}] demonstrations: ${demos.tactic.length} tactic pairs (T1 ${data.T1.length}, T2 ${data.T2.length}), ${demos.subgoal.length} hindsight subgoal pairs (S ${data.S.length}), ${demos.script.length} scripts (W ${data.W.length})`,
    );
    const models: Record<string, nn.GPT> = {};
    for (const [name, seed] of [
      ['T1', 1],
      ['T2', 2],
      ['S', 3],
      ['W', 4],
    ] as [keyof typeof data, number][]) {
      const blockSize = name === 'W' ? p.model.wholeBlockSize : p.model.blockSize;
      const model = createLM({ ...p.model, blockSize, seed, device: p.device });
      let steps: nn.ProgressBar | null = null;
      const losses = await trainLM(model, data[name], {
        ...p.train,
        seed,
        onStep: (s, total, loss) => {
          steps ??= new nn.ProgressBar(total, { label: `train ${name}` });
          steps.update(s, { loss });
        },
      });
      models[name] = model;
      console.log(
        `[${elapsed()}] ${name}: ${nn.countParameters(model).total} parameters, ${losses.length} steps, loss ${losses[0].toFixed(3)} → ${losses[losses.length - 1].toFixed(3)}`,
      );
    }
    const heldTactic = keepEx(held.tactic.slice(0, 150).map((d) => ex(d.sequent, d.tactic)));
    accuracies.T1 = await top1Accuracy(models.T1, heldTactic, 6);
    accuracies.T2 = await top1Accuracy(models.T2, heldTactic, 6);
    accuracies.S = await top1Accuracy(
      models.S,
      keepEx(held.subgoal.slice(0, 100).map((d) => ex(d.sequent, d.psi))),
      40,
    );
    accuracies.W = await top1Accuracy(
      models.W,
      keepEx(held.script.slice(0, 30).map((d) => ex(d.sequent, d.script.join('; ')))),
      128,
    );
    console.log(
      `[${elapsed()}] held-out top-1 accuracy: ${Object.entries(accuracies)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`)
        .join(', ')}`,
    );
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
  const limitMinutes = (PROTOCOL as { wallLimitMinutes?: number }).wallLimitMinutes;
  let stoppedEarly = false;
  const shouldStop = () => {
    if (limitMinutes !== undefined && performance.now() - started > limitMinutes * 60_000) stoppedEarly = true;
    return stoppedEarly;
  };
  const items: { bucket: string; theorem: Theorem }[] = [
    ...buckets.flatMap((b) => b.items.map((theorem) => ({ bucket: b.name, theorem }))),
    ...hand.map((theorem) => ({ bucket: 'hand', theorem })),
  ];
  const records: RunRecord[] = [];
  const progress = new nn.ProgressBar(PROTOCOL.seeds.length * ARMS.length * items.length, { label: 'search' });
  let done = 0;
  await Promise.all(
    PROTOCOL.seeds.flatMap((seed) =>
      ARMS.flatMap((arm) =>
        items.map(async (item, i) => {
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
          records.push({
            arm,
            seed,
            bucket: item.bucket,
            depth: item.theorem.depth,
            key: item.theorem.key,
            theorem: item.theorem.sequent,
            result,
          });
          progress.update(++done, { solved: records.filter((r) => r.result.solved).length });
        }),
      ),
    ),
  );
  const truncated = records.filter((r) => !r.result.solved && r.result.generations < K).length;
  const truncation = stoppedEarly
    ? `WALL-CLOCK LIMIT HIT: ${truncated} of ${records.length} runs stopped before their budget of ${K} (unsolved runs counted as unsolved; solves up to then are exact).`
    : 'every run used its full budget or solved its theorem.';
  console.log(`[${elapsed()}] searches done; symbols generated ${tokens()}; ${truncation}`);

  // ---- report
  const report = buildReport(records, {
    arms: [...ARMS],
    budgets: PROTOCOL.budgets,
    seeds: PROTOCOL.seeds,
    bucketSizes: Object.fromEntries([...buckets.map((b) => [b.name, b.items.length]), ['hand', hand.length]]),
  });
  console.log(report.table);
  console.log(report.criteria);
  if (Object.keys(accuracies).length)
    console.log(
      `Held-out top-1 accuracy: ${Object.entries(accuracies)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`)
        .join(', ')}`,
    );
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
    `${report.table}\n\n${truncation}\n\n${report.criteria}\n\n${report.extras}\n\n${proofText}\n\nwall time ${wall.toFixed(0)} s\n`,
  );
  writeFileSync(`${OUT}/solved-vs-budget.svg`, report.svg);
  writeFileSync(`${OUT}/solved-vs-budget-hard.svg`, report.svgHard);
  writeFileSync(
    `${OUT}/results.json`,
    JSON.stringify(
      { protocol: PROTOCOL, accuracies, summary: report.summary, wallSeconds: wall, tokens: tokens() },
      null,
      1,
    ),
  );
}

await main();
process.exit(0);
