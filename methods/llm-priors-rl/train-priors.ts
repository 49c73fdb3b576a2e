// Trains the three priors of the experiment (Kitchen, FrozenLake-text, Household) once with PRIOR_RECIPE and saves
// them to priors/<env>.safetensors; every tier and arm then loads them.
// Usage: npx tsx methods/llm-priors-rl/train-priors.ts [kitchen|frozenlake|household ...]
import { ready } from '../../index.js';
import { makeFrozenLakeText } from './frozen-lake.js';
import { makeHouseholdEnv } from './household.js';
import { makeKitchenEnv } from './kitchen.js';
import { trainAndSavePrior } from './prior-store.js';
import { PRIOR_RECIPE } from './protocol.js';

const ENVS = { kitchen: makeKitchenEnv, frozenlake: makeFrozenLakeText, household: makeHouseholdEnv };
const names = process.argv.slice(2);
for (const n of names)
  if (!(n in ENVS)) throw new Error(`train-priors: unknown environment ${n} (valid: ${Object.keys(ENVS).join(', ')})`);
if (PRIOR_RECIPE.cfg.device === 'webgpu') await ready();
for (const [name, make] of Object.entries(ENVS)) {
  if (names.length && !names.includes(name)) continue;
  const { demos, trainSeconds } = await trainAndSavePrior(make(), PRIOR_RECIPE);
  console.log(`prior ${name}: ${demos} demonstration steps, trained in ${trainSeconds.toFixed(0)} s`);
}
