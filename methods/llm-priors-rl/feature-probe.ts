// A probe of whether features tell states apart (README "Do the prior's features separate states?"): the agents of
// the full tier with the full tier's settings, on either the trained prior's frozen features (loaded from
// priors/, scored on the protocol's device) or tabular features (a one-hot per (observation, action) pair,
// assigned on first sight) with a uniform prior. PPO (runPpoKl, α = 0) runs on FrozenLake, DQN (runValueAgent) on
// Kitchen and Household. If an agent learns with tabular features and not with the prior's, the features are what
// holds it back.
// Usage: npx tsx methods/llm-priors-rl/feature-probe.ts --features tabular|prior|prior-standardized [--env frozenlake|kitchen|household]
//        [--seeds 1,2,3] [--episodes 100]
import { ready } from '../../index.js';
import { FEATURE_NORM_STATES, FULL, PRIOR_RECIPE } from './protocol.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { makeHouseholdEnv } from './household.js';
import { makeKitchenEnv } from './kitchen.js';
import { runPpoKl } from './ppo-kl.js';
import { runValueAgent, type CurvePoint } from './online.js';
import { PriorOracle, type ActionScorer } from './oracle.js';
import { loadOracle, loadPrior } from './prior-store.js';
import type { TextEnv } from './text-env.js';

/** One-hot features over the first `capacity` distinct (observation, action) pairs; more raise. */
function tabularScorer(capacity: number): ActionScorer {
  const ids = new Map<string, number>();
  const idOf = (key: string) => {
    let id = ids.get(key);
    if (id === undefined) {
      if (ids.size === capacity) throw new Error(`tabularScorer: more than ${capacity} (observation, action) pairs`);
      ids.set(key, (id = ids.size));
    }
    return id;
  };
  return {
    featureDim: capacity,
    get: async (obs, admissible) => {
      const features = admissible.map((a) => {
        const f = new Float64Array(capacity);
        f[idOf(`${obs} | ${a}`)] = 1;
        return f;
      });
      return { features, probs: Float64Array.from(admissible, () => 1 / admissible.length) };
    },
  };
}

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const ENVS: Record<string, () => TextEnv> = {
  frozenlake: makeFrozenLakeText,
  kitchen: makeKitchenEnv,
  household: makeHouseholdEnv,
};
const features = arg('--features') ?? 'tabular';
if (features !== 'tabular' && features !== 'prior' && features !== 'prior-standardized')
  throw new Error(`feature-probe: --features takes tabular, prior or prior-standardized, got ${features}`);
const only = arg('--env');
if (only !== undefined && !(only in ENVS))
  throw new Error(`feature-probe: --env takes ${Object.keys(ENVS).join(', ')}, got ${only}`);
const seeds = arg('--seeds')?.split(',').map(Number) ?? FULL.seeds;
const episodes = Number(arg('--episodes') ?? 100);
if (features !== 'tabular' && FULL.scoreDevice === 'webgpu') await ready();

const scorer = async (env: string, capacity: number): Promise<ActionScorer> =>
  features === 'tabular'
    ? tabularScorer(capacity)
    : features === 'prior'
      ? new PriorOracle((await loadPrior(ENVS[env](), PRIOR_RECIPE, FULL.scoreDevice)).model)
      : (await loadOracle(ENVS[env](), PRIOR_RECIPE, FULL.scoreDevice, FEATURE_NORM_STATES)).oracle;
const row = (name: string, seed: number, curve: CurvePoint[]) =>
  console.log(
    `| ${name} | ${seed} | ${curve.map((p) => `${p.episode}: ${(100 * p.success).toFixed(0)}%`).join(', ')} |`,
  );

console.log(`${features} features, full-tier settings, ${episodes} episodes, seeds ${seeds.join(', ')}`);
console.log('| agent on env | seed | greedy success by episode |\n|---|---|---|');
for (const env of Object.keys(ENVS)) {
  if (only !== undefined && env !== only) continue;
  for (const seed of seeds) {
    if (env === 'frozenlake') {
      const r = await runPpoKl(
        makeFrozenLakeText,
        await scorer(env, 64),
        { ...FULL.vi!, episodes, evalEvery: 50 },
        seed,
      );
      row('PPO on FrozenLake', seed, r.curve);
    } else {
      const cfg = { ...FULL.online, episodes, evalEvery: 10 };
      const r = await runValueAgent(
        ENVS[env],
        await scorer(env, env === 'kitchen' ? 4096 : 8192),
        { kind: 'dqn' },
        cfg,
        seed,
      );
      row(`DQN on ${env}`, seed, r.curve);
    }
  }
}
