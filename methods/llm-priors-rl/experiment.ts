// The LLM-prior experiment (spec §5-§6): trains one prior per environment on noisy-expert demonstrations, then the
// online tier (Kitchen: DQN, DQN-Prior, ablations, prior-only), the VI tier (FrozenLake: PPO, PPO-KL, prior-only)
// and the offline tier (Kitchen: CQL vs CQL-Prior over dataset sizes); prints and writes the three §6 tables,
// learning curves and the verdict to methods/llm-priors-rl/results/<tier>/.
//   npm run method:priors     full tier
//   npm run ci:priors         quick tier (Kitchen DQN vs DQN-Prior, one seed; offline N ∈ {500, 2000})
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn } from '../../index.js';
import { LearningCurves, makeRng } from '../shared/rl/index.js';
import { collectDemos, top1Agreement } from './demos.js';
import { successRate } from './evaluate.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { makeKitchenEnv } from './kitchen.js';
import { collectOffline, runCql } from './offline.js';
import { priorPolicy, runValueAgent, type RunResult, type ValueArm } from './online.js';
import { PriorOracle } from './oracle.js';
import { runPpoKl } from './ppo-kl.js';
import { trainPrior } from './prior.js';
import { FULL, QUICK, type Protocol } from './protocol.js';
import { offlineTable, onlineTable, verdict, type ArmRuns, type OfflineCell, type PriorSummary } from './report.js';
import type { TextEnv } from './text-env.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const P: Protocol = quick ? QUICK : FULL;
const tierName = quick ? 'quick' : 'full';
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

async function makePrior(
  name: string,
  makeEnv: () => TextEnv,
): Promise<{ oracle: PriorOracle; summary: PriorSummary }> {
  const env = makeEnv();
  const demos = collectDemos(env, P.demoEpisodes, P.demoNoise, 11);
  const steps = P.prior.epochs * Math.ceil(demos.length / P.prior.batchSize);
  const bar = new nn.ProgressBar(steps, { label: `prior ${name}` });
  const model = await trainPrior(demos, env.words, P.prior, (s, _t, loss) => bar.update(s, { loss: loss.toFixed(3) }));
  const oracle = new PriorOracle(model);
  const agreement = await top1Agreement(env, oracle, env.trainTasks);
  const rng = makeRng(5);
  const solo = {
    sampled: await successRate(makeEnv, env.trainTasks, 20, priorPolicy(oracle, 'sampled', rng)),
    greedy: await successRate(makeEnv, env.trainTasks, 20, priorPolicy(oracle, 'greedy', rng)),
  };
  const heldOut = env.heldOutTasks.length
    ? {
        sampled: await successRate(makeEnv, env.heldOutTasks, 20, priorPolicy(oracle, 'sampled', rng)),
        greedy: await successRate(makeEnv, env.heldOutTasks, 20, priorPolicy(oracle, 'greedy', rng)),
      }
    : { sampled: NaN, greedy: NaN };
  const summary = { env: name, demos: demos.length, agreement, solo, heldOut };
  console.log(
    `prior ${name}: ${demos.length} demo steps, top-1 agreement ${(100 * agreement).toFixed(0)}%, solo success sampled ${(100 * solo.sampled).toFixed(0)}% / greedy ${(100 * solo.greedy).toFixed(0)}% (${elapsed()})`,
  );
  return { oracle, summary };
}

async function main(): Promise<void> {
  console.log(`llm-priors-rl ${tierName} tier; protocol:\n${JSON.stringify(P, null, 1)}`);
  const curves = new LearningCurves();
  const priors: PriorSummary[] = [];
  const online: ArmRuns[] = [];

  // online tier: Kitchen
  const kitchen = await makePrior('kitchen', makeKitchenEnv);
  priors.push(kitchen.summary);
  const arms: [string, ValueArm, number[]][] = [
    ['DQN', { kind: 'dqn' }, P.seeds],
    ['DQN-Prior (k=5, β=10)', { kind: 'dqn-prior', k: 5, beta: 10 }, P.seeds],
  ];
  if (P.ablations) {
    for (const k of [1, 3, 10]) arms.push([`ablation k=${k}`, { kind: 'dqn-prior', k, beta: 10 }, [P.seeds[0]]]);
    for (const beta of [1, 100]) arms.push([`ablation β=${beta}`, { kind: 'dqn-prior', k: 5, beta }, [P.seeds[0]]]);
    arms.push(['ablation dedup uniform', { kind: 'dqn-prior', k: 5, beta: 10, dedupe: true }, [P.seeds[0]]]);
  }
  for (const [name, arm, seeds] of arms) {
    const runs: RunResult[] = [];
    for (const seed of seeds) {
      const r = await runValueAgent(makeKitchenEnv, kitchen.oracle, arm, P.online, seed, (p) =>
        curves.add(`kitchen ${name}`, seed, p.envSteps, { success: p.success }),
      );
      runs.push(r);
      console.log(
        `kitchen ${name} seed ${seed}: final ${r.curve.at(-1)!.success.toFixed(2)}, held-out ${r.heldOut.toFixed(2)} (${elapsed()})`,
      );
    }
    online.push({ env: 'kitchen', arm: name, runs });
  }
  online.push(priorOnlyRow('kitchen', kitchen.summary, 'sampled'), priorOnlyRow('kitchen', kitchen.summary, 'greedy'));

  // VI tier: FrozenLake
  const vi: ArmRuns[] = [];
  if (P.vi) {
    const lake = await makePrior('frozenlake', makeFrozenLakeText);
    priors.push(lake.summary);
    for (const alpha of [0, ...P.viAlphas]) {
      const name = alpha === 0 ? 'PPO (entropy 0.01)' : `PPO-KL (α=${alpha})`;
      const runs: RunResult[] = [];
      for (const seed of P.seeds) {
        const r = await runPpoKl(
          makeFrozenLakeText,
          lake.oracle,
          { ...P.vi, alpha, entropyCoef: alpha === 0 ? P.vi.entropyCoef : 0 },
          seed,
          (p) => curves.add(`frozenlake ${name}`, seed, p.envSteps, { success: p.success }),
        );
        runs.push(r);
        console.log(
          `frozenlake ${name} seed ${seed}: final ${r.curve.at(-1)!.success.toFixed(2)}, KL ${r.finalKl!.toFixed(3)} (${elapsed()})`,
        );
      }
      vi.push({ env: 'frozenlake', arm: name, runs });
    }
    vi.push(priorOnlyRow('frozenlake', lake.summary, 'sampled'), priorOnlyRow('frozenlake', lake.summary, 'greedy'));
  }

  // offline tier: Kitchen
  const cells: OfflineCell[] = [];
  for (const n of P.offlineSizes) {
    for (const seed of P.offlineSeeds) {
      const data = await collectOffline(makeKitchenEnv(), kitchen.oracle, n, makeRng(100 + seed));
      const cql = await runCql(makeKitchenEnv, kitchen.oracle, data, 'all', P.offline, seed);
      const cqlPrior = await runCql(makeKitchenEnv, kitchen.oracle, data, 'prior', P.offline, seed);
      cells.push({ n, seed, cql, cqlPrior });
      console.log(
        `offline N=${n} seed ${seed}: CQL ${cql.toFixed(2)}, CQL-Prior ${cqlPrior.toFixed(2)} (${elapsed()})`,
      );
    }
  }

  const priorHeader = priors
    .map(
      (p) =>
        `- prior ${p.env}: ${p.demos} demonstration steps; top-1 agreement with the expert ${(100 * p.agreement).toFixed(0)}%; ` +
        `acting alone: sampled ${(100 * p.solo.sampled).toFixed(0)}%, greedy ${(100 * p.solo.greedy).toFixed(0)}% success on training tasks`,
    )
    .join('\n');
  const onlineMd = onlineTable(online, P.online.evalEvery, P.online.episodes);
  const viMd = P.vi
    ? onlineTable(vi, P.vi.evalEvery, P.vi.episodes, true)
    : 'VI tier: not run in this tier (not tested).';
  const offlineMd = offlineTable(cells);
  const verdictMd = verdict(online, vi, cells, P);
  const summary = [
    `# llm-priors-rl, ${tierName} tier (wall time ${elapsed()})`,
    '',
    priorHeader,
    '',
    '## Online (Kitchen)',
    '',
    onlineMd,
    '',
    '## VI (FrozenLake)',
    '',
    viMd,
    '',
    '## Offline (Kitchen)',
    '',
    offlineMd,
    '',
    '## Verdict',
    '',
    verdictMd,
    '',
  ].join('\n');
  console.log(summary);
  const out = join(here, 'results', tierName);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'summary.md'), summary);
  writeFileSync(join(out, 'curves.csv'), curves.toCsv());
  writeFileSync(
    join(out, 'curve-kitchen.svg'),
    nn.linePlot(
      curves.meanSeries('success').filter((s) => s.name.startsWith('kitchen')),
      { title: 'Kitchen: evaluation success (mean over seeds)', xLabel: 'environment steps', yLabel: 'success' },
    ),
  );
  if (P.vi)
    writeFileSync(
      join(out, 'curve-frozenlake.svg'),
      nn.linePlot(
        curves.meanSeries('success').filter((s) => s.name.startsWith('frozenlake')),
        { title: 'FrozenLake: greedy success (mean over seeds)', xLabel: 'environment steps', yLabel: 'success' },
      ),
    );
}

/** the prior acting alone, as a one-run row with a flat curve */
function priorOnlyRow(env: string, p: PriorSummary, mode: 'sampled' | 'greedy'): ArmRuns {
  return {
    env,
    arm: `prior-only (${mode})`,
    runs: [{ curve: [], heldOut: p.heldOut[mode], envSteps: 0, priorQueries: 0, flat: p.solo[mode] }],
  };
}

await main();
