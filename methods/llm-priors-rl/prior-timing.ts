// Times prior training steps on cpu and webgpu (README "Prior training: cpu vs webgpu").
// Usage: npx tsx methods/llm-priors-rl/prior-timing.ts [cpu|webgpu] [batch]
import { ready } from '../../index.js';
import { collectDemos } from './demos.js';
import { makeHouseholdEnv } from './household.js';
import { makeKitchenEnv } from './kitchen.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { trainPrior, PRIOR_DEFAULTS } from './prior.js';

const device = (process.argv[2] ?? 'cpu') as 'cpu' | 'webgpu';
if (device === 'webgpu') await ready();
const batch = Number(process.argv[3] ?? 32);
if (process.argv[4] === 'stats')
  for (const [name, make] of [
    ['kitchen', makeKitchenEnv],
    ['frozenlake', makeFrozenLakeText],
    ['household', makeHouseholdEnv],
  ] as const) {
    const env = make();
    const demos = collectDemos(env, 600, 0.4, 11);
    const tok = (s: string) => s.split(' ').filter(Boolean).length;
    const maxLen = Math.max(...demos.map((d) => tok(d.context) + tok(d.action) + 2));
    const meanLen = demos.reduce((a, d) => a + tok(d.context) + tok(d.action) + 2, 0) / demos.length;
    console.log(
      `${name}: ${demos.length} demo steps, vocab ${env.words.length}, tokens max ${maxLen} mean ${meanLen.toFixed(1)}`,
    );
  }
const env = makeKitchenEnv();
const demos = collectDemos(env, 600, 0.4, 11).slice(0, batch * 4);
const times: number[] = [];
let t = performance.now();
await trainPrior(
  demos,
  env.words,
  { ...PRIOR_DEFAULTS, nEmbd: 64, blockSize: 96, batchSize: batch, epochs: 1, device },
  () => {
    const now = performance.now();
    times.push(now - t);
    t = now;
  },
);
console.log(`${device} batch ${batch}: step ms ${times.map((x) => x.toFixed(0)).join(', ')}`);
