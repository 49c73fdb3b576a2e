// The four provers' models (spec §5): trained once on the demonstrations and saved as safetensors in models/, so
// that the experiment can load them instead of retraining; and their held-out scores: top-1 accuracy (greedy
// exact match) and the share of valid samples at the search's temperature (a tactic the checker accepts, a
// conjecture that parses and is a fair provable `have`, a whole script that checks).
import { existsSync, mkdirSync } from 'node:fs';
import { nn } from '../../index.js';
import { safetensors } from '../../node.js';
import { createLM, trainLM, top1Accuracy, promptIds } from './lm.js';
import { type ModelData, example } from './data.js';
import { MODEL_NAMES, type ModelName, type FullProtocol } from './protocol.js';
import { type Sequent } from './sequent.js';
import { applyTactic } from './tactics.js';
import { checkScript } from './checker.js';
import { parseFormula } from './formula.js';
import { isHindsightGoal } from './demos.js';
import { decode, EOS } from './tokenizer.js';
import { promptOf } from './provers.js';

/** each full-tier run keeps its models in its own folder, models/<run>/ */
export const modelDir = (run: string) => `methods/bourbaki/models/${run}`;
const fileOf = (dir: string, name: ModelName) => `${dir}/${name}.safetensors`;
const blockSizeOf = (name: ModelName, p: FullProtocol) => (name === 'W' ? p.model.wholeBlockSize : p.model.blockSize);

export const modelsSaved = (dir: string) => MODEL_NAMES.every((n) => existsSync(fileOf(dir, n)));

/**
 * Trains every model of `names` not yet saved in `dir` and saves it there (so an interrupted run resumes at the next model, and
 * separate processes can train separate models); `log` receives one line per model.
 */
export async function trainAndSave(
  data: ModelData,
  p: FullProtocol,
  dir: string,
  log: (line: string) => void,
  names: readonly ModelName[] = MODEL_NAMES,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    if (existsSync(fileOf(dir, name))) {
      log(`${name}: already saved in ${fileOf(dir, name)}, not retrained`);
      continue;
    }
    const seed = p.modelSeeds[name];
    const model = createLM({ ...p.model, blockSize: blockSizeOf(name, p), seed, device: p.device });
    const steps = p.steps[name];
    const bar = new nn.ProgressBar(steps, { label: `train ${name}` });
    const started = performance.now();
    const valid = data.valid[name].slice(0, p.validationExamples);
    const { losses, validation, bestStep } = await trainLM(model, data.train[name], {
      ...p.train,
      steps,
      seed,
      validation: { examples: valid, every: p.train.validateEvery },
      onStep: (s, _total, loss) => bar.update(s, { loss }),
      onValidation: (s, loss) => log(`${name}: step ${s}, validation loss ${loss.toFixed(3)}`),
    });
    const seconds = (performance.now() - started) / 1000;
    const bestLoss = validation.find(([s]) => s === bestStep)![1];
    await safetensors.save(fileOf(dir, name), model, {
      steps: String(losses.length),
      bestStep: String(bestStep),
      validationLoss: bestLoss.toFixed(4),
      examples: String(data.train[name].length),
      firstLoss: losses[0].toFixed(4),
      lastLoss: losses[losses.length - 1].toFixed(4),
      seconds: seconds.toFixed(0),
    });
    log(
      `${name}: ${nn.countParameters(model).total} parameters, ${data.train[name].length} examples (${valid.length} for validation), ${losses.length} steps in ${seconds.toFixed(0)} s, loss ${losses[0].toFixed(3)} → ${losses[losses.length - 1].toFixed(3)} (mean of the last 10: ${(losses.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, losses.length)).toFixed(3)}); kept step ${bestStep} (validation loss ${bestLoss.toFixed(3)}); saved ${fileOf(dir, name)}`,
    );
    model.dispose();
  }
}

/** Loads the saved models; each one's training metadata comes with it. */
export async function loadModels(
  p: FullProtocol,
  dir: string,
): Promise<{ models: Record<ModelName, nn.GPT>; meta: Record<ModelName, Record<string, string>> }> {
  const models = {} as Record<ModelName, nn.GPT>;
  const meta = {} as Record<ModelName, Record<string, string>>;
  for (const name of MODEL_NAMES) {
    if (!existsSync(fileOf(dir, name)))
      throw new Error(`bourbaki: ${fileOf(dir, name)} is missing; run the experiment with --train-only first`);
    models[name] = createLM({ ...p.model, blockSize: blockSizeOf(name, p), seed: 0, device: p.device });
    meta[name] = await safetensors.loadInto(models[name], fileOf(dir, name));
  }
  return { models, meta };
}

/** One sample per sequent at a temperature, decoded to text. */
async function sampleAnswers(
  model: nn.GPT,
  sequents: readonly Sequent[],
  maxNewTokens: number,
  temperature: number,
): Promise<string[]> {
  const rows = sequents.map((s) => promptIds(promptOf(s) ?? []));
  const out = await model.generate(rows, {
    maxNewTokens: Math.min(maxNewTokens, model.config.blockSize - Math.max(...rows.map((r) => r.length))),
    temperature,
    stopTokens: [EOS],
    seed: 7,
  });
  return out.map(decode);
}

export interface ModelScores {
  top1: number;
  valid: number;
  n: number;
}

/** Held-out top-1 accuracy and share of valid samples of each model (sequents whose prompt fits the context). */
export async function scoreModels(
  models: Record<ModelName, nn.GPT>,
  data: ModelData,
  temperature: number,
): Promise<Record<ModelName, ModelScores>> {
  const fitsIn = (model: nn.GPT, room: number) => (s: Sequent) => {
    const prompt = promptOf(s);
    return prompt !== null && prompt.length + 2 + room <= model.config.blockSize;
  };
  const exs = <T>(xs: T[], f: (x: T) => ReturnType<typeof example>) =>
    xs.map(f).filter((x): x is NonNullable<typeof x> => x !== null);
  const share = (oks: boolean[]) => oks.filter((x) => x).length / Math.max(1, oks.length);
  /** up to `n` held-out items whose prompt leaves `room` symbols for the answer: top-1 on `target`, valid samples */
  const score = async <T extends { sequent: Sequent }>(
    model: nn.GPT,
    held: T[],
    n: number,
    room: number,
    target: (d: T) => string,
    isValid: (d: T, text: string) => boolean,
  ): Promise<ModelScores> => {
    const items = held.filter((d) => fitsIn(model, room)(d.sequent)).slice(0, n);
    const answers = await sampleAnswers(
      model,
      items.map((d) => d.sequent),
      room,
      temperature,
    );
    return {
      top1: await top1Accuracy(
        model,
        exs(items, (d) => example(d.sequent, target(d))),
        room,
      ),
      valid: share(answers.map((text, i) => isValid(items[i], text))),
      n: items.length,
    };
  };
  const scores = {} as Record<ModelName, ModelScores>;
  for (const name of ['T1', 'T2'] as const) {
    scores[name] = await score(
      models[name],
      data.held.tactic,
      150,
      6,
      (d) => d.tactic,
      (d, text) => applyTactic(d.sequent, text).ok,
    );
  }
  scores.S = await score(
    models.S,
    data.held.subgoal,
    100,
    40,
    (d) => d.psi,
    (d, text) => {
      try {
        return isHindsightGoal(d.sequent, parseFormula(text));
      } catch {
        return false;
      }
    },
  );
  scores.W = await score(
    models.W,
    data.held.script,
    30,
    128,
    (d) => d.script.join('; '),
    (d, text) =>
      checkScript(
        d.sequent,
        text
          .split(';')
          .map((l) => l.trim())
          .filter((l) => l),
      ),
  );
  return scores;
}
