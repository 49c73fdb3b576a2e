// A probe of the VI tier's failure (README "Why PPO stays at 0% on FrozenLake"): the same PPO (runPpoKl, α = 0,
// the full tier's settings) on FrozenLake, but with one-hot (cell, action) features and a uniform prior in place of
// the trained prior's frozen features. If this learns, the environment, the budget and the PPO loop are not what
// keeps the full tier at 0%; the prior's features are.
// Usage: npx tsx methods/llm-priors-rl/feature-probe.ts
import { FULL } from './protocol.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { runPpoKl } from './ppo-kl.js';
import type { ActionScorer } from './oracle.js';

const CELLS = 16;
const ACTIONS = 4;
const width = CELLS * ACTIONS;
/** observations start "at <row> <col>" on the 4×4 map */
const oneHotScorer: ActionScorer = {
  featureDim: width,
  get: async (obs, admissible) => {
    const [, row, col] = obs.split(' ').map(Number);
    const cell = row * 4 + col;
    const features = admissible.map((_, a) =>
      Float64Array.from({ length: width }, (_, j) => +(j === cell * ACTIONS + a)),
    );
    return { features, probs: Float64Array.from(admissible, () => 1 / admissible.length) };
  },
};

const cfg = { ...FULL.vi!, evalEvery: 50 };
console.log(`PPO on FrozenLake with one-hot features: ${cfg.episodes} episodes, seeds ${FULL.seeds.join(', ')}`);
console.log('| seed | greedy success by episode |\n|---|---|');
for (const seed of FULL.seeds) {
  const r = await runPpoKl(makeFrozenLakeText, oneHotScorer, cfg, seed);
  console.log(`| ${seed} | ${r.curve.map((p) => `${p.episode}: ${(100 * p.success).toFixed(0)}%`).join(', ')} |`);
}
