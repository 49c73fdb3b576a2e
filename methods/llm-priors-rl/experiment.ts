// The LLM-prior experiment (spec §5-§6): loads the three saved priors (train-priors.ts), then runs the online tier
// (Kitchen and Household: DQN, DQN-Prior, prior-only; Kitchen ablations), the VI tier (FrozenLake: PPO, PPO-KL,
// prior-only) and the offline tier (Kitchen: CQL vs CQL-Prior over dataset sizes). Every (arm, seed) unit is stored
// when it finishes (run-store.ts), so a rerun resumes; after each unit the three §6 tables, the learning curves and
// the verdict are rewritten to methods/llm-priors-rl/results/<tier>/ from everything stored so far.
//   npm run method:priors     full tier
//   npm run ci:priors         quick tier (Household DQN vs DQN-Prior, one seed; offline N ∈ {500, 5k})
//   add --tiers online,vi,offline to run only some tiers (the report still covers everything stored)
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '../../index.js';
import { makeRng } from '../shared/rl/index.js';
import { top1Agreement } from './demos.js';
import { successRate } from './evaluate.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { makeHouseholdEnv } from './household.js';
import { makeKitchenEnv } from './kitchen.js';
import { collectOffline, runCql } from './offline.js';
import { priorPolicy, runValueAgent, type ValueArm } from './online.js';
import { PriorOracle } from './oracle.js';
import { runPpoKl } from './ppo-kl.js';
import { loadOracle } from './prior-store.js';
import { FEATURE_NORM_STATES, FULL, PRIOR_RECIPE, QUICK, type Protocol } from './protocol.js';
import { writeReport, type Stored } from './report-files.js';
import type { PriorSummary } from './report.js';
import { RunStore } from './run-store.js';
import type { TextEnv } from './text-env.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const P: Protocol = quick ? QUICK : FULL;
const tierName = quick ? 'quick' : 'full';
const out = join(here, 'results', tierName);
// the quick tier (CI) always starts afresh; the full tier resumes from what is stored unless --fresh
if (quick || process.argv.includes('--fresh')) rmSync(join(out, 'runs'), { recursive: true, force: true });
const store = new RunStore(join(out, 'runs'));
// --tiers online,vi,offline (default all): the tiers this invocation runs, e.g. two processes on disjoint tiers
const tiersArg = process.argv.indexOf('--tiers');
const tiers = new Set(tiersArg >= 0 ? process.argv[tiersArg + 1].split(',') : ['online', 'vi', 'offline']);
for (const t of tiers)
  if (!['online', 'vi', 'offline'].includes(t))
    throw new Error(`experiment: --tiers takes online, vi, offline; got ${t}`);
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

const ENVS: Record<string, () => TextEnv> = {
  kitchen: makeKitchenEnv,
  household: makeHouseholdEnv,
  frozenlake: makeFrozenLakeText,
};

/** a stored unit: its result and the wall seconds it took when it ran */
async function unit<T>(key: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const { value, cached } = await store.once(key, async () => ({
    result: await run(),
    seconds: (performance.now() - start) / 1000,
  }));
  if (!cached) {
    console.log(`${key}: ${value.seconds.toFixed(0)} s (${elapsed()})`);
    writeReport(out, tierName, P, store, expected);
  }
  return value.result;
}

async function priorOf(name: string): Promise<{ oracle: PriorOracle; summary: PriorSummary }> {
  const makeEnv = ENVS[name];
  const env = makeEnv();
  const {
    oracle,
    stored: { demos, trainSeconds },
  } = await loadOracle(env, PRIOR_RECIPE, P.scoreDevice, FEATURE_NORM_STATES);
  const summary = await unit(`prior-${name}`, async (): Promise<PriorSummary> => {
    const rng = makeRng(5);
    const rate = (tasks: number[], mode: 'sampled' | 'greedy') =>
      successRate(makeEnv, tasks, P.priorEvalEpisodes, priorPolicy(oracle, mode, rng));
    return {
      env: name,
      demos,
      trainSeconds,
      agreement: await top1Agreement(env, oracle, env.trainTasks),
      solo: { sampled: await rate(env.trainTasks, 'sampled'), greedy: await rate(env.trainTasks, 'greedy') },
      heldOut: env.heldOutTasks.length
        ? { sampled: await rate(env.heldOutTasks, 'sampled'), greedy: await rate(env.heldOutTasks, 'greedy') }
        : { sampled: NaN, greedy: NaN },
    };
  });
  console.log(
    `prior ${name}: ${demos} demo steps, trained in ${trainSeconds.toFixed(0)} s, top-1 agreement ${(100 * summary.agreement).toFixed(0)}%, solo success sampled ${(100 * summary.solo.sampled).toFixed(0)}% / greedy ${(100 * summary.solo.greedy).toFixed(0)}%`,
  );
  return { oracle, summary };
}

/** the online arms: [key, table name, arm, seeds]; the main arms come first, then the ablations */
function onlineArms(env: string, ablations = P.ablations): [string, string, ValueArm, number[]][] {
  const arms: [string, string, ValueArm, number[]][] = [
    ['dqn', 'DQN', { kind: 'dqn' }, P.seeds],
    ['dqn-prior', 'DQN-Prior (k=5, β=10)', { kind: 'dqn-prior', k: 5, beta: 10 }, P.seeds],
  ];
  if (ablations && env === 'kitchen') {
    const s = [P.seeds[0]];
    for (const k of [1, 3, 10]) arms.push([`k=${k}`, `ablation k=${k}`, { kind: 'dqn-prior', k, beta: 10 }, s]);
    for (const beta of [1, 100])
      arms.push([`beta=${beta}`, `ablation β=${beta}`, { kind: 'dqn-prior', k: 5, beta }, s]);
    arms.push(['dedup', 'ablation dedup uniform', { kind: 'dqn-prior', k: 5, beta: 10, dedupe: true }, s]);
  }
  return arms;
}
const viArms = (): [string, string, number][] =>
  [0, ...P.viAlphas].map((a) => [
    a === 0 ? 'ppo' : `ppo-kl-alpha=${a}`,
    a === 0 ? 'PPO (entropy 0.01)' : `PPO-KL (α=${a})`,
    a,
  ]);

/** every unit of the protocol, so that the report can say how many seeds of each row have finished */
const expected: Stored = {
  onlineEnvs: P.onlineEnvs,
  online: P.onlineEnvs.flatMap((env) => onlineArms(env).map(([key, name, , seeds]) => ({ env, key, name, seeds }))),
  vi: P.vi ? viArms().map(([key, name]) => ({ env: 'frozenlake', key, name, seeds: P.seeds })) : [],
  offlineSizes: P.offlineSizes,
  offlineSeeds: P.offlineSeeds,
  priors: [...new Set([...P.onlineEnvs, 'kitchen', ...(P.vi ? ['frozenlake'] : [])])],
};

async function main(): Promise<void> {
  console.log(`llm-priors-rl ${tierName} tier; prior recipe and protocol:`);
  console.log(JSON.stringify({ prior: PRIOR_RECIPE, ...P }, null, 1));
  if (P.reductions.length)
    console.log(`reductions from the spec (declared before running):\n- ${P.reductions.join('\n- ')}`);
  if (P.scoreDevice === 'webgpu') await ready();
  // priors are loaded (and their summaries made) on first use, so a --tiers run loads only the ones it needs
  const loaded = new Map<string, PriorOracle>();
  const prior = async (name: string) => {
    if (!loaded.has(name)) loaded.set(name, (await priorOf(name)).oracle);
    return loaded.get(name)!;
  };
  if (tiers.has('online')) for (const env of P.onlineEnvs) await prior(env);

  // seed-major order: an interrupted run has every arm at (nearly) the same number of seeds
  for (const seed of P.seeds) {
    if (tiers.has('online'))
      for (const env of P.onlineEnvs) {
        for (const [key, , arm] of onlineArms(env, false)) {
          const oracle = await prior(env);
          await unit(`online-${env}-${key}-seed${seed}`, () => runValueAgent(ENVS[env], oracle, arm, P.online, seed));
        }
      }
    if (P.vi && tiers.has('vi'))
      for (const [key, , alpha] of viArms()) {
        const lake = await prior('frozenlake');
        await unit(`vi-frozenlake-${key}-seed${seed}`, () =>
          runPpoKl(
            makeFrozenLakeText,
            lake,
            { ...P.vi!, alpha, entropyCoef: alpha === 0 ? P.vi!.entropyCoef : 0 },
            seed,
          ),
        );
      }
    if (P.offlineSeeds.includes(seed) && tiers.has('offline')) {
      for (const n of P.offlineSizes) {
        for (const method of ['cql', 'cql-prior'] as const) {
          const kitchen = await prior('kitchen');
          await unit(`offline-n=${n}-${method}-seed${seed}`, async () => {
            const data = await collectOffline(makeKitchenEnv(), kitchen, n, makeRng(100 + seed));
            return runCql(makeKitchenEnv, kitchen, data, method === 'cql' ? 'all' : 'prior', P.offline, seed);
          });
        }
      }
    }
  }
  if (tiers.has('online'))
    for (const env of P.onlineEnvs)
      for (const [key, , arm, seeds] of onlineArms(env).slice(2)) {
        const oracle = await prior(env);
        await unit(`online-${env}-${key}-seed${seeds[0]}`, () =>
          runValueAgent(ENVS[env], oracle, arm, P.online, seeds[0]),
        );
      }
  const summary = writeReport(out, tierName, P, store, expected);
  console.log(summary);
  console.log(`wall time of this invocation ${elapsed()}`);
}

await main();
