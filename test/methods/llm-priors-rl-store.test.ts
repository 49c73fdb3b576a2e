import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFrozenLakeText } from '../../methods/llm-priors-rl/frozen-lake.js';
import { priorProbs, PRIOR_DEFAULTS } from '../../methods/llm-priors-rl/prior.js';
import { loadPrior, trainAndSavePrior, type PriorRecipe } from '../../methods/llm-priors-rl/prior-store.js';
import { RunStore } from '../../methods/llm-priors-rl/run-store.js';

const s = suite('llm-priors-rl store');
/** asserts that `p` rejects with a message matching `re` */
async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error && re.test(err.message), `expected a rejection matching ${re}, got ${String(err)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'priors-store-'));

s('RunStore: a finished unit is read back, not run again; NaN and Infinity survive', async () => {
  const store = new RunStore(join(dir, 'runs'));
  let calls = 0;
  const run = async () => ({ heldOut: NaN, e80: Infinity, success: [0.5, 1], calls: ++calls });
  const a = await store.once('online-kitchen-dqn-seed1', run);
  const b = await store.once('online-kitchen-dqn-seed1', run);
  assert.is(calls, 1);
  assert.is(a.cached, false);
  assert.is(b.cached, true);
  assert.ok(Number.isNaN(b.value.heldOut));
  assert.is(b.value.e80, Infinity);
  assert.equal(b.value.success, [0.5, 1]);
  await store.once('online-kitchen-dqn-seed2', run);
  assert.is(calls, 2, 'another key runs');
  assert.throws(() => store.get('a/b'), /file name/);
});

s('prior store: a saved prior loads with the same probabilities; another recipe is refused', async () => {
  const env = makeFrozenLakeText();
  const recipe: PriorRecipe = {
    demoEpisodes: 2,
    demoNoise: 0.4,
    demoSeed: 3,
    cfg: { ...PRIOR_DEFAULTS, nEmbd: 16, nHead: 2, nLayer: 1, epochs: 1, device: 'cpu' },
  };
  const trained = await trainAndSavePrior(env, recipe, dir);
  const loaded = await loadPrior(env, recipe, 'cpu', dir);
  assert.is(loaded.demos, trained.demos);
  const o = env.reset(0);
  const p = await priorProbs(trained.model, o.obs, o.admissible);
  const q = await priorProbs(loaded.model, o.obs, o.admissible);
  p.forEach((v, i) => assert.ok(Math.abs(v - q[i]) < 1e-6, `action ${i}: ${v} vs ${q[i]}`));
  await rejects(loadPrior(env, { ...recipe, demoSeed: 4 }, 'cpu', dir), /trained with/);
  await rejects(loadPrior(env, recipe, 'cpu', join(dir, 'none')), /no saved prior/);
});

s.after(() => rmSync(dir, { recursive: true, force: true }));
s.run();
