// A probe of the failures of the full tier (README "The prior's features, not the loops"): the same agents with the
// full tier's settings and seeds, but with tabular features (a one-hot per (observation, action) pair, assigned on
// first sight) and a uniform prior in place of the trained prior's frozen features. PPO (runPpoKl, α = 0) runs on
// FrozenLake, DQN (runValueAgent) on Kitchen. If they learn here, the environments, the budgets and the training
// loops are not what keeps the full tier at 0%; the prior's features are.
// Usage: npx tsx methods/llm-priors-rl/feature-probe.ts [--only frozenlake|kitchen] [--seeds 1,2,3]
import { FULL } from './protocol.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { makeKitchenEnv } from './kitchen.js';
import { runPpoKl } from './ppo-kl.js';
import { runValueAgent, type CurvePoint } from './online.js';
import type { ActionScorer } from './oracle.js';

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

const row = (name: string, seed: number, curve: CurvePoint[]) =>
  console.log(
    `| ${name} | ${seed} | ${curve.map((p) => `${p.episode}: ${(100 * p.success).toFixed(0)}%`).join(', ')} |`,
  );

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = arg('--only');
if (only !== undefined && only !== 'frozenlake' && only !== 'kitchen')
  throw new Error(`feature-probe: --only takes frozenlake or kitchen, got ${only}`);
const seeds = arg('--seeds')?.split(',').map(Number) ?? FULL.seeds;
console.log(`tabular features, full-tier settings, seeds ${seeds.join(', ')}`);
console.log('| agent on env | seed | greedy success by episode |\n|---|---|---|');
if (only !== 'kitchen') {
  for (const seed of seeds) {
    const r = await runPpoKl(makeFrozenLakeText, tabularScorer(64), { ...FULL.vi!, evalEvery: 50 }, seed);
    row('PPO on FrozenLake', seed, r.curve);
  }
}
if (only !== 'frozenlake') {
  for (const seed of seeds) {
    const r = await runValueAgent(makeKitchenEnv, tabularScorer(4096), { kind: 'dqn' }, FULL.online, seed);
    row('DQN on Kitchen', seed, r.curve);
  }
}
