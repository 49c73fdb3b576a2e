// The host cost of a GPT training step at issue 11's sizes, from the command line (bench/step-costs.ts does the work;
// the bench's gpt suite prints the same rows):
//   npx tsx bench/step-cost.ts [small|gpt19m|both] [steps]
// A script of its own: a "run when executed directly" block inside step-costs.ts also ran inside the bundle that
// bench/gpu.sh makes, where every module shares the bundle's import.meta.url.
import { ready, shutdown } from '../index.js';
import { STEP_SIZES, describeCost, stepCost } from './step-costs.js';

const which = process.argv[2] ?? 'small';
const steps = Number(process.argv[3] ?? 5);
if (!['small', 'gpt19m', 'both'].includes(which) || !(steps >= 1))
  throw new Error(`bench/step-cost: usage [small|gpt19m|both] [steps >= 1], got ${process.argv.slice(2).join(' ')}`);
await ready();
for (const s of STEP_SIZES.filter((_, i) => which === 'both' || (which === 'small') === (i === 0))) {
  console.log(`${s.label}: ${describeCost(await stepCost(s, steps))}`);
}
shutdown();
