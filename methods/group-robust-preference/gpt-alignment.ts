// Experiment 2's machinery [R]: a tiny nanoGPT-style policy from nn, SFT'd into the reference on uniform
// responses, then aligned on group-tagged preference pairs with DPO / IPO and their IS and group-robust variants.
import { type Tensor, nn, optim, tidy, noGrad, keep, tensor, full, type DeviceName } from '../../index.js';
import { sequenceLogProb, type CausalLM } from './sequence-logprob.js';
import { preferenceLoss, preferenceMargin, type PreferenceLoss } from './losses.js';
import { combineGroupLosses, groupLosses, mixGroupLossesOnDevice } from './objective.js';
import { alphaStep, importanceWeights, updateGroupWeightsOnDevice, type Convention } from './group-weights.js';
import { marginMetrics, type GroupMetrics } from './metrics.js';
import { GROUPS, PROMPT_LEN, RESPONSE_LEN, VOCAB, randomPrompt, randomResponse, type PreferencePair } from './synthetic-preferences.js';
import { randomInt, type Rng } from './random.js';
import type { Weighting } from './bandit-trainer.js';

export interface TinyGPT extends CausalLM {
  module: nn.GPT;
}

/** The spec's reference model: nn's nanoGPT-style GPT with 2 layers, width 32; forward yields the logits. */
export function createTinyGPT(device: DeviceName, seed = 0): TinyGPT {
  const module = new nn.GPT({ vocabSize: VOCAB, blockSize: PROMPT_LEN + RESPONSE_LEN, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0, seed, device });
  return { module, forward: (ids: Tensor): Tensor => module.forward(ids).logits };
}

/** SFT: maximise log π(y|x) of uniform random responses (the distribution the pairs are later drawn from). */
export async function trainReference(model: TinyGPT, rng: Rng, opts: { steps: number; batch: number; lr: number; device: DeviceName },
  onStep?: (step: number, loss: number) => void): Promise<void> {
  const opt = new optim.Adam(model.module.parameters(), { lr: opts.lr });
  for (let step = 1; step <= opts.steps; step++) {
    const prompts = Array.from({ length: opts.batch }, () => randomPrompt(rng, randomInt(rng, GROUPS)));
    const responses = prompts.map(() => randomResponse(rng));
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = sequenceLogProb(model, prompts, responses, { device: opts.device }).mean().neg().div(RESPONSE_LEN);
      l.backward();
      opt.step();
      return l;
    });
    onStep?.(step, await loss.item());
    loss.dispose();
  }
  // the reference is frozen from here on: free its gradients with the optimiser state
  opt.zeroGrad();
  opt.dispose();
}

/** log π(chosen|x) and log π(rejected|x) for every pair, in chunks, without the tape. */
export async function pairLogProbs(model: CausalLM, pairs: readonly PreferencePair[], device: DeviceName, chunk = 256): Promise<{ chosen: number[]; rejected: number[] }> {
  const chosen: number[] = [];
  const rejected: number[] = [];
  for (let i = 0; i < pairs.length; i += chunk) {
    const part = pairs.slice(i, i + chunk);
    const lp = tidy(() => noGrad(() => sequenceLogProb(model, [...part.map((p) => p.prompt), ...part.map((p) => p.prompt)],
      [...part.map((p) => p.chosen), ...part.map((p) => p.rejected)], { device })));
    const v = Array.from(await lp.data());
    lp.dispose();
    chosen.push(...v.slice(0, part.length));
    rejected.push(...v.slice(part.length));
  }
  return { chosen, rejected };
}

export interface AlignArm {
  name: string;
  loss: PreferenceLoss;
  weighting: Weighting;
  etaAlpha: number;
  chi: number;
}

export interface AlignConfig {
  beta: number;
  lr: number;
  batch: number;
  steps: number;
  evalEvery: number;
  device: DeviceName;
  /** 'official' (default) or 'normalised': the IS weights and the α step's χ (group-weights.ts `Convention`) */
  convention?: Convention;
}

/** An evaluation set: its pairs and the reference model's log-probs on them. */
export interface ScoredPairs {
  pairs: readonly PreferencePair[];
  ref: { chosen: number[]; rejected: number[] };
}

export interface AlignResult {
  /** held-out (test) metrics after the last step */
  final: GroupMetrics;
  /** validation metrics after the last step (what arms are selected on), when a validation set was given */
  validation?: GroupMetrics;
  /** every evalEvery steps: held-out metrics and α */
  history: { step: number; metrics: GroupMetrics; alpha: number[] }[];
}

/** Per-group metrics of the policy on an evaluation set (margins h from its and the reference's log-probs). */
async function evaluateOn(policy: CausalLM, set: ScoredPairs, arm: AlignArm, cfg: AlignConfig): Promise<GroupMetrics> {
  const lp = await pairLogProbs(policy, set.pairs, cfg.device);
  const h = set.pairs.map((_, i) => (lp.chosen[i] - set.ref.chosen[i]) - (lp.rejected[i] - set.ref.rejected[i]));
  return marginMetrics(h, set.pairs.map((p) => p.group), GROUPS, arm.loss, cfg.beta);
}

/**
 * The batch loss of one step from the per-sample losses [B], by weighting:
 *   'average'    mean of the per-sample losses (DPO / IPO);
 *   'importance' official: Σ_i w_g(i)·ℓ_i / B with w_g = (1/N_g)/Σ_h(1/N_h) from the training set's group sizes
 *                (the authors' bandit code); normalised: (1/K)·Σ_g L_g with L_g the batch's group means;
 *   'robust'     α ← softmax(log α + χ·η_α·L) first (official; η_α·L normalised), then Σ_g [(1−χ)/K + χ·α_g]·L_g
 *                with α detached (GRPO). Returns the new α too (unchanged unless robust).
 */
export function weightedBatchLoss(perSample: Tensor, groupIds: readonly number[], alpha: Tensor, arm: AlignArm,
  trainGroupSizes: readonly number[], convention: Convention = 'official'): { loss: Tensor; alpha: Tensor } {
  if (arm.weighting === 'average') return { loss: perSample.mean(), alpha };
  const { groupLoss, present } = groupLosses(perSample, groupIds, GROUPS);
  if (arm.weighting === 'importance') {
    if (convention === 'normalised') return { loss: combineGroupLosses(groupLoss, new Array(GROUPS).fill(1 / GROUPS), present), alpha };
    const w = importanceWeights(trainGroupSizes, 'official');
    const perPair = tensor(groupIds.map((g) => w[g]), { dtype: perSample.dtype, device: perSample.device });
    return { loss: perSample.mul(perPair).mean(), alpha };
  }
  const next = updateGroupWeightsOnDevice(alpha, groupLoss, alphaStep(arm.etaAlpha, arm.chi, convention));
  return { loss: mixGroupLossesOnDevice(groupLoss, next, arm.chi), alpha: next };
}

/**
 * Aligns `policy` (a copy of the reference) on `train`. Each step: one batched forward over chosen and rejected;
 * per-sample losses; the arm's weighted batch loss (weightedBatchLoss); one Adam step. The held-out set is scored
 * every evalEvery steps, the validation set (if any) after the last step.
 */
export async function alignPolicy(policy: TinyGPT, train: readonly PreferencePair[], trainRef: { chosen: number[]; rejected: number[] },
  evalSets: { heldOut: ScoredPairs; validation?: ScoredPairs }, arm: AlignArm, cfg: AlignConfig, rng: Rng,
  onStep?: (step: number, latest: Record<string, string>) => void): Promise<AlignResult> {
  const opt = new optim.Adam(policy.module.parameters(), { lr: cfg.lr });
  let alpha = keep(full([GROUPS], 1 / GROUPS, { device: cfg.device }));
  const trainGroupSizes = Array.from({ length: GROUPS }, (_, g) => train.filter((p) => p.group === g).length);
  const history: AlignResult['history'] = [];
  let latest: Record<string, string> = {};
  const evaluate = async (step: number) => {
    const metrics = await evaluateOn(policy, evalSets.heldOut, arm, cfg);
    history.push({ step, metrics, alpha: Array.from(await alpha.data()) });
    latest = { 'worst acc': metrics.worstAccuracy.toFixed(3), α: history.at(-1)!.alpha.map((a) => a.toFixed(2)).join('/') };
    onStep?.(step, latest);
  };
  await evaluate(0);
  for (let step = 1; step <= cfg.steps; step++) {
    const batch = Array.from({ length: cfg.batch }, () => randomInt(rng, train.length));
    const pairs = batch.map((i) => train[i]);
    const groupIds = pairs.map((p) => p.group);
    tidy(() => {
      opt.zeroGrad();
      const lp = sequenceLogProb(policy, [...pairs.map((p) => p.prompt), ...pairs.map((p) => p.prompt)],
        [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], { device: cfg.device });
      const refChosen = tensor(batch.map((i) => trainRef.chosen[i]), { device: cfg.device });
      const refRejected = tensor(batch.map((i) => trainRef.rejected[i]), { device: cfg.device });
      const h = preferenceMargin(lp.slice(0, 0, cfg.batch), lp.slice(0, cfg.batch), refChosen, refRejected);
      const weighted = weightedBatchLoss(preferenceLoss(arm.loss, h, cfg.beta), groupIds, alpha, arm, trainGroupSizes, cfg.convention);
      if (weighted.alpha !== alpha) {
        alpha.dispose();
        alpha = keep(weighted.alpha);
      }
      weighted.loss.backward();
      opt.step();
    });
    if (step % cfg.evalEvery === 0 || step === cfg.steps) await evaluate(step);
    else onStep?.(step, latest);
  }
  const validation = evalSets.validation ? await evaluateOn(policy, evalSets.validation, arm, cfg) : undefined;
  alpha.dispose();
  opt.zeroGrad();
  opt.dispose();
  return { final: history.at(-1)!.metrics, validation, history };
}
