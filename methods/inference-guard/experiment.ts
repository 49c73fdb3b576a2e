// InferenceGuard at small scale (spec §5-6): train the base LM on the safety world, train the latent critic on
// base rollouts from training prompts, then run every arm on the test prompts for every search seed and print the
// §6 table, the critic's held-out MSE and violation AUC, a safety-vs-reward scatter (SVG) and the verdict.
// Usage: npx tsx methods/inference-guard/experiment.ts [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, ready, type DeviceName } from '../../index.js';
import { sampleBlocks } from '../shared/lm-rl/index.js';
import { FULL, QUICK } from './protocol.js';
import { createLm, trainLm, worldSamples } from './lm.js';
import { EOS, TOPICS, samplePrompt } from './world.js';
import { prefixHiddens, criticRows, trainCritic, auc, type CriticRow } from './critic.js';
import { inferenceGuard, beamSearch } from './guard.js';
import { baseSampling, sampleCandidates, pickBestOfN, argsDecode } from './baselines.js';
import { summarise, aggregate, formatTable, verdict, type RunResult } from './report.js';
import type { Answer, BlockSampler } from './search.js';

const quick = process.argv.includes('--quick');
const tier = quick ? 'quick' : 'full';
const P = quick ? QUICK : FULL;
// measured here (README "Device"): a decode step at batch 1600 takes ~0.46 s on webgpu (lavapipe) vs ~6.4 s on
// cpu, an LM training step ~0.86 s vs ~9 s, so the LM lives on webgpu; the critic MLP too (its batches are large)
const device: DeviceName = 'webgpu';
const { seededRandom } = nn.data;
const started = performance.now();
const seconds = (since: number) => (performance.now() - since) / 1000;

await ready();
console.log(`InferenceGuard, ${tier} tier, device ${device}`);
console.log(`protocol (fixed before any run): ${JSON.stringify(P)}`);

// 1. the frozen base LM
let t0 = performance.now();
const lm = createLm(0, device).eval();
const data = worldSamples(P.lm.samples, seededRandom(101));
const lmBar = new nn.ProgressBar(P.lm.steps, { label: 'base LM' });
await trainLm(lm, data, { ...P.lm, seed: 102 }, (s, l) => lmBar.update(s, { loss: l }));
lmBar.finish();
const lmSeconds = seconds(t0);

const samplerFor =
  (random: () => number): BlockSampler =>
  (prefixes, len, logitBias) =>
    sampleBlocks(lm, prefixes, { len, eosToken: EOS, padToken: EOS, random, logitBias });

// 2. the critic: base rollouts from training prompts (train / held-out), every prefix, several budgets each
t0 = performance.now();
async function rolloutRows(count: number, seed: number): Promise<CriticRow[]> {
  const random = seededRandom(seed);
  const rows: CriticRow[] = [];
  for (let s = 0; s < count; s += 500) {
    const prompts = Array.from({ length: Math.min(500, count - s) }, () =>
      samplePrompt(Math.floor(random() * TOPICS), 'train', random),
    );
    const out = await samplerFor(random)(
      prompts,
      P.search.maxLen,
      prompts.map(() => null),
    );
    const hiddens = await prefixHiddens(lm, prompts, out.tokens);
    prompts.forEach((p, i) => {
      const budgets = Array.from({ length: P.critic.budgetsPerRollout }, () => random() * P.critic.budgetMax);
      rows.push(...criticRows(p, out.tokens[i], hiddens[i], budgets, P.critic.n));
    });
  }
  return rows;
}
const trainRows = await rolloutRows(P.critic.rollouts, 201);
const heldRows = await rolloutRows(P.critic.heldOut, 202);
const critic = await trainCritic(trainRows, { ...P.critic, seed: 203, device }, (e, l) =>
  console.log(`  critic epoch ${e}: train MSE ${l.toFixed(4)}`),
);
const heldValues = await critic.values(
  heldRows.map((r) => r.h),
  heldRows.map((r) => r.z),
);
const heldMse = heldValues.reduce((s, v, i) => s + (v - heldRows[i].target) ** 2, 0) / heldRows.length;
const targetMean = heldRows.reduce((s, r) => s + r.target, 0) / heldRows.length;
const heldVar = heldRows.reduce((s, r) => s + (r.target - targetMean) ** 2, 0) / heldRows.length;
// violation AUC: how well −V ranks the rows whose rollout overspent the budget above those that did not
const violationAuc = auc(
  heldValues.map((v) => -v),
  heldRows.map((r) => !r.safe),
);
const criticSeconds = seconds(t0);
console.log(
  `critic: ${trainRows.length} train rows, ${heldRows.length} held-out rows; held-out MSE ${heldMse.toFixed(4)} (target variance ${heldVar.toFixed(4)}), violation AUC ${violationAuc.toFixed(3)}`,
);

// 3. the arms on the test prompts, per search seed
const promptRandom = seededRandom(303);
const prompts = Array.from({ length: TOPICS * P.testPromptsPerTopic }, (_, i) =>
  samplePrompt(i % TOPICS, 'test', promptRandom),
);
const S = P.search;
type Job = {
  name: string;
  run: (sample: BlockSampler) => Promise<{ arm: string; N: number; d: number; answers: Answer[] }[]>;
};
const guard = (N: number, d: number, withCritic: boolean): Job => ({
  name: `${withCritic ? 'IG+critic' : 'IG'} N=${N} d=${d}`,
  run: async (sample) => [
    {
      arm: withCritic ? 'IG+critic' : 'IG',
      N,
      d,
      answers: await inferenceGuard(sample, prompts, {
        ...S,
        N,
        K: Math.min(S.K, N),
        d,
        scorer: withCritic ? 'critic' : 'partialReward',
        critic,
      }),
    },
  ],
});
const beam = (N: number, scoring: 'lagrangian' | 'augmented'): Job => ({
  name: `beam-${scoring} N=${N}`,
  run: async (sample) => [
    {
      arm: scoring === 'augmented' ? 'beam-aug' : `beam-λ${P.beamLambda}`,
      N,
      d: S.d,
      answers: await beamSearch(sample, prompts, { ...S, N, K: Math.min(S.K, N), scoring, lambda: P.beamLambda }),
    },
  ],
});
const jobs: Job[] = [
  {
    name: 'base',
    run: async (sample) => [{ arm: 'base', N: 1, d: S.d, answers: await baseSampling(sample, prompts, S) }],
  },
  {
    name: `BoN-${S.N}`,
    run: async (sample) => {
      const cands = await sampleCandidates(sample, prompts, S.N, S.maxLen);
      return [
        ...P.bonLambdas.map((lambda) => ({
          arm: `BoN-λ${lambda}`,
          N: S.N,
          d: S.d,
          answers: pickBestOfN(prompts, cands, { d: S.d, scorer: 'lagrangian', lambda }),
        })),
        { arm: 'BoN-aug', N: S.N, d: S.d, answers: pickBestOfN(prompts, cands, { d: S.d, scorer: 'augmented' }) },
      ];
    },
  },
  beam(S.N, 'lagrangian'),
  ...(['reward', 'cost'] as const).map((guide): Job => ({
    name: `ARGS-${guide}`,
    run: async () => [
      {
        arm: `ARGS-${guide}`,
        N: P.args.topK,
        d: S.d,
        answers: await argsDecode(lm, prompts, { ...P.args, guide, maxLen: S.maxLen, d: S.d }),
      },
    ],
  })),
  ...P.sweepN.flatMap((N) => [beam(N, 'augmented'), guard(N, S.d, false), guard(N, S.d, true)]),
  ...P.extraBudgets.flatMap((d) => [guard(S.N, d, false), guard(S.N, d, true)]),
];
const runs: RunResult[] = [];
const bar = new nn.ProgressBar(jobs.length * P.seeds.length, { label: 'arms × seeds' });
for (const seed of P.seeds) {
  for (const [j, job] of jobs.entries()) {
    const t = performance.now();
    const results = await job.run(samplerFor(seededRandom(seed * 1000 + j)));
    const elapsed = seconds(t);
    for (const r of results) runs.push(summarise(r.arm, r.N, r.d, seed, r.answers, elapsed));
    bar.update(P.seeds.indexOf(seed) * jobs.length + j + 1, { job: job.name, s: elapsed.toFixed(1) });
  }
}
bar.finish();

// 4. table, plots, verdict
const rows = aggregate(runs);
const table = formatTable(rows);
const criteria = verdict(rows, S.d, S.N, P.sweepN);
const reproduced = criteria.every((c) => c.status === 'pass');
const verdictLines = criteria.map((c) => `- ${c.status}: ${c.name} (${c.detail})`);
const summary = [
  `## InferenceGuard, ${tier} tier (${prompts.length} test prompts, seeds ${P.seeds.join(', ')}, device ${device})`,
  '',
  table,
  '',
  `Critic: held-out MSE ${heldMse.toFixed(4)} (target variance ${heldVar.toFixed(4)}), violation AUC ${violationAuc.toFixed(3)}; ${trainRows.length} train rows.`,
  '',
  `Verdict (d = ${S.d}, N = ${S.N}): ${
    reproduced
      ? 'REPRODUCED'
      : `NOT reproduced (failed: ${criteria
          .filter((c) => c.status !== 'pass')
          .map((c) => c.name.split('.')[0])
          .join(', ')})`
  }`,
  ...verdictLines,
  '',
  `Wall time: LM ${lmSeconds.toFixed(0)} s, critic ${criticSeconds.toFixed(0)} s, total ${seconds(started).toFixed(0)} s.`,
].join('\n');
console.log(`\n${summary}`);

const dir = fileURLToPath(new URL(`./results/${tier}/`, import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}table.md`, `${summary}\n`);
writeFileSync(
  `${dir}results.json`,
  JSON.stringify(
    {
      protocol: P,
      device,
      runs,
      rows,
      critic: { heldMse, heldVar, violationAuc, trainRows: trainRows.length },
      criteria,
      reproduced,
      wallSeconds: { lm: lmSeconds, critic: criticSeconds, total: seconds(started) },
    },
    null,
    1,
  ),
);
const primary = rows.filter((r) => r.d === S.d && (r.N === S.N || r.arm === 'base' || r.arm.startsWith('ARGS')));
writeFileSync(
  `${dir}safety-vs-reward.svg`,
  nn.linePlot(
    primary.map((r) => ({ name: r.arm, points: [[r.reward.mean, r.safety.mean]] })),
    {
      title: `Safety vs reward at d = ${S.d}, N = ${S.N} (mean over seeds)`,
      xLabel: 'reward',
      yLabel: 'safety %',
      markers: true,
    },
  ),
);
writeFileSync(
  `${dir}safety-vs-N.svg`,
  nn.linePlot(
    ['IG', 'IG+critic', 'beam-aug'].map((arm) => ({
      name: arm,
      points: P.sweepN.map(
        (N) => [N, rows.find((r) => r.arm === arm && r.N === N && r.d === S.d)?.safety.mean ?? NaN] as [number, number],
      ),
    })),
    { title: `Safety vs N at d = ${S.d}`, xLabel: 'N', yLabel: 'safety %', markers: true },
  ),
);
console.log(`wrote ${dir}`);
process.exit(0);
