// Times four prior training steps (PRIOR_RECIPE's model, Kitchen demonstrations) on cpu or webgpu (README "cpu vs
// webgpu"); with `stats`, first prints each environment's demonstration count, vocabulary and token lengths.
// Usage: npx tsx methods/llm-priors-rl/prior-timing.ts [cpu|webgpu] [batch] [stats]
import { ready } from '../../index.js';
import { collectDemos } from './demos.js';
import { makeHouseholdEnv } from './household.js';
import { makeKitchenEnv } from './kitchen.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { trainPrior } from './prior.js';
import { PRIOR_RECIPE } from './protocol.js';

const device = process.argv[2] ?? 'cpu';
if (device !== 'cpu' && device !== 'webgpu')
  throw new Error(`prior-timing: device must be cpu or webgpu, got ${device}`);
if (device === 'webgpu') await ready();
const batch = Number(process.argv[3] ?? 32);
if (process.argv[4] === 'stats')
  for (const [name, make] of [
    ['kitchen', makeKitchenEnv],
    ['frozenlake', makeFrozenLakeText],
    ['household', makeHouseholdEnv],
  ] as const) {
    const env = make();
    const demos = collectDemos(env, PRIOR_RECIPE.demoEpisodes, PRIOR_RECIPE.demoNoise, PRIOR_RECIPE.demoSeed);
    const tok = (s: string) => s.split(' ').filter(Boolean).length;
    const maxLen = Math.max(...demos.map((d) => tok(d.context) + tok(d.action) + 2));
    const meanLen = demos.reduce((a, d) => a + tok(d.context) + tok(d.action) + 2, 0) / demos.length;
    console.log(
      `${name}: ${demos.length} demo steps, vocab ${env.words.length}, tokens max ${maxLen} mean ${meanLen.toFixed(1)}`,
    );
  }
const env = makeKitchenEnv();
const demos = collectDemos(env, PRIOR_RECIPE.demoEpisodes, PRIOR_RECIPE.demoNoise, PRIOR_RECIPE.demoSeed).slice(
  0,
  batch * 4,
);
const times: number[] = [];
let t = performance.now();
await trainPrior(demos, env.words, { ...PRIOR_RECIPE.cfg, batchSize: batch, epochs: 1, device }, () => {
  const now = performance.now();
  times.push(now - t);
  t = now;
});
console.log(`${device} batch ${batch}: step ms ${times.map((x) => x.toFixed(0)).join(', ')}`);
