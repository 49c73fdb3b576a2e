// The trained priors, one per environment, trained once and saved as safetensors (priors/<env>.safetensors) so
// that every tier and arm loads the same weights (spec §6 "never tune the prior per arm"). The file's metadata
// keeps the training config, the demonstration count and the training wall time; the vocabulary is rebuilt from
// the environment's word list and checked against the saved one.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn, type DeviceName } from '../../index.js';
import { safetensors } from '../../node.js';
import { collectDemos, demoStates } from './demos.js';
import { PriorOracle } from './oracle.js';
import { makeVocab, trainPrior, type PriorConfig, type PriorModel } from './prior.js';
import type { TextEnv } from './text-env.js';

export const PRIOR_DIR = join(dirname(fileURLToPath(import.meta.url)), 'priors');

/** how a prior is trained: demonstrations (spec §5: 600 noisy-expert episodes) and the model/optimiser config */
export interface PriorRecipe {
  demoEpisodes: number;
  demoNoise: number;
  demoSeed: number;
  cfg: PriorConfig;
}

export interface StoredPrior {
  model: PriorModel;
  demos: number;
  trainSeconds: number;
}

const pathOf = (dir: string, name: string) => join(dir, `${name}.safetensors`);

/** Trains the prior of one environment on its demonstrations and saves it. */
export async function trainAndSavePrior(env: TextEnv, recipe: PriorRecipe, dir = PRIOR_DIR): Promise<StoredPrior> {
  const demos = collectDemos(env, recipe.demoEpisodes, recipe.demoNoise, recipe.demoSeed);
  const steps = recipe.cfg.epochs * Math.ceil(demos.length / recipe.cfg.batchSize);
  const bar = new nn.ProgressBar(steps, { label: `prior ${env.name} (${recipe.cfg.device})` });
  const t0 = performance.now();
  const model = await trainPrior(demos, env.words, recipe.cfg, (s, _t, loss) =>
    bar.update(s, { loss: loss.toFixed(3) }),
  );
  const trainSeconds = (performance.now() - t0) / 1000;
  mkdirSync(dir, { recursive: true });
  await safetensors.save(pathOf(dir, env.name), model.gpt, {
    recipe: JSON.stringify(recipe),
    vocab: JSON.stringify([...model.vocab.keys()]),
    demos: String(demos.length),
    trainSeconds: trainSeconds.toFixed(1),
  });
  return { model, demos: demos.length, trainSeconds };
}

/**
 * Loads the saved prior of `env` onto `device`. The saved recipe must equal `recipe` (else a stale file would be
 * read as the protocol's prior); a missing file is an error naming the training command.
 */
export async function loadPrior(
  env: TextEnv,
  recipe: PriorRecipe,
  device: DeviceName,
  dir = PRIOR_DIR,
): Promise<StoredPrior> {
  const path = pathOf(dir, env.name);
  if (!existsSync(path))
    throw new Error(
      `loadPrior: no saved prior at ${path}; train it with npx tsx methods/llm-priors-rl/train-priors.ts`,
    );
  const { tensors, metadata } = await safetensors.load(path, { device });
  if (metadata.recipe !== JSON.stringify(recipe))
    throw new Error(
      `loadPrior: ${path} was trained with ${metadata.recipe}, the protocol asks for ${JSON.stringify(recipe)}`,
    );
  const vocab = makeVocab(env.words);
  if (metadata.vocab !== JSON.stringify([...vocab.keys()]))
    throw new Error(`loadPrior: ${path} has vocabulary ${metadata.vocab}, ${env.name} now has ${[...vocab.keys()]}`);
  const c = recipe.cfg;
  const gpt = new nn.GPT({
    vocabSize: vocab.size,
    blockSize: c.blockSize,
    nLayer: c.nLayer,
    nHead: c.nHead,
    nEmbd: c.nEmbd,
    device,
    dtype: 'f32',
  });
  try {
    gpt.loadStateDict(tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return {
    model: { gpt, vocab, blockSize: c.blockSize, device },
    demos: Number(metadata.demos),
    trainSeconds: Number(metadata.trainSeconds),
  };
}

/**
 * The saved prior as the agents' cached scorer, its features z-scored on the first `normStates` distinct states of
 * its own demonstrations (oracle.ts `standardize`; fixed before any agent runs, the same for every arm).
 */
export async function loadOracle(
  env: TextEnv,
  recipe: PriorRecipe,
  device: DeviceName,
  normStates: number,
): Promise<{ oracle: PriorOracle; stored: StoredPrior }> {
  const stored = await loadPrior(env, recipe, device);
  const oracle = new PriorOracle(stored.model);
  await oracle.standardize(demoStates(env, recipe.demoEpisodes, recipe.demoNoise, recipe.demoSeed, normStates));
  return { oracle, stored };
}
