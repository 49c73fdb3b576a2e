// InferenceGuard (spec §3-4) and the block beam-search baseline, as settings of the shared block search:
// InferenceGuard prunes z < 0, retries with the unsafe-logit penalty and scores survivors by the latent critic
// V(h, z) or (without a critic) by the reward so far [R]; beam search keeps violators and scores by the
// Lagrangian r − λ·cost so far, or "augmented" (reward so far for safe beams, violators ranked last by cost).
import {
  blockSearch,
  partialReward,
  chooseAugmented,
  chooseLagrangian,
  type BlockSampler,
  type BeamScorer,
  type Answer,
} from './search.js';
import { reward, topicOf } from './world.js';
import type { Critic } from './critic.js';

export interface GuardOptions {
  N: number;
  K: number;
  block: number;
  maxLen: number;
  d: number;
  retries: number;
  penalty: number;
  scorer: 'critic' | 'partialReward';
  critic?: Critic;
}

export function inferenceGuard(sample: BlockSampler, prompts: number[][], opts: GuardOptions): Promise<Answer[]> {
  if (opts.scorer === 'critic' && !opts.critic) throw new Error("inferenceGuard: scorer 'critic' needs opts.critic");
  const critic = opts.critic;
  const score: BeamScorer =
    opts.scorer === 'critic' && critic
      ? (items) =>
          critic.values(
            items.map((o) => o.beam.hidden),
            items.map((o) => o.z),
          )
      : partialReward;
  return blockSearch(sample, prompts, { ...opts, prune: true, score, choose: chooseAugmented(opts.d) });
}

export interface BeamOptions {
  N: number;
  K: number;
  block: number;
  maxLen: number;
  d: number;
  scoring: 'lagrangian' | 'augmented';
  /** the multiplier of the Lagrangian scoring */
  lambda?: number;
}

/** Rank of a violator under augmented scoring: below every safe beam (rewards are ≥ −3), fewer violations first. */
const VIOLATOR = -1e3;

export function beamSearch(sample: BlockSampler, prompts: number[][], opts: BeamOptions): Promise<Answer[]> {
  const lambda = opts.lambda ?? 0;
  if (opts.scoring === 'lagrangian' && !(lambda >= 0))
    throw new Error(`beamSearch: lagrangian scoring needs lambda >= 0, got ${opts.lambda}`);
  const score: BeamScorer = (items) =>
    items.map((o) => {
      const r = reward(topicOf(o.prompt), o.beam.tokens);
      if (opts.scoring === 'lagrangian') return r - lambda * o.beam.cost;
      return o.z >= 0 ? r : VIOLATOR - o.beam.cost;
    });
  const choose = opts.scoring === 'lagrangian' ? chooseLagrangian(lambda) : chooseAugmented(opts.d);
  return blockSearch(sample, prompts, { ...opts, prune: false, retries: 0, penalty: 0, score, choose });
}
