// The experiment protocol, fixed before running and printed at the start (spec §5; every reduction from the spec's
// budgets is listed in `reductions`, printed with the protocol and in the README).
import type { DeviceName } from '../../index.js';
import type { OnlineConfig } from './online.js';
import type { OfflineConfig } from './offline.js';
import type { PpoConfig } from './ppo-kl.js';
import { PRIOR_DEFAULTS } from './prior.js';
import type { PriorRecipe } from './prior-store.js';

/**
 * The prior of every environment, both tiers (spec §5): 600 noisy-expert episodes (40% random), a 2-layer d = 64
 * 4-head word-level GPT with context 96, 2 epochs of batch 32. Trained once on webgpu (README: ~10× faster than
 * cpu here) by train-priors.ts and loaded by every arm.
 */
export const PRIOR_RECIPE: PriorRecipe = {
  demoEpisodes: 600,
  demoNoise: 0.4,
  demoSeed: 11,
  cfg: { ...PRIOR_DEFAULTS, nEmbd: 64, blockSize: 96, epochs: 2, batchSize: 32, device: 'webgpu' },
};

/** the distinct demonstration states whose features fix the feature standardisation (oracle.ts) */
export const FEATURE_NORM_STATES = 200;

export type OnlineEnv = 'kitchen' | 'household';

export interface Protocol {
  /** where the loaded prior scores observations (its features and probabilities are then cached on the host) */
  scoreDevice: DeviceName;
  seeds: number[];
  /** episodes of each prior-only success rate (sampled, greedy; training and held-out tasks) */
  priorEvalEpisodes: number;
  onlineEnvs: OnlineEnv[];
  online: OnlineConfig;
  /** ablation arms (k, β, dedupe) on Kitchen, first seed only */
  ablations: boolean;
  vi: PpoConfig | null;
  viAlphas: number[];
  offline: OfflineConfig;
  offlineSizes: number[];
  offlineSeeds: number[];
  /** every reduction from the spec's budgets, printed before running */
  reductions: string[];
}

const ONLINE: OnlineConfig = {
  episodes: 400,
  evalEvery: 20,
  evalEpisodes: 10,
  heldOutEpisodes: 10,
  gamma: 0.99,
  lr: 5e-4,
  batchSize: 64,
  bufferSize: 4000,
  gradSteps: 40,
  updateEvery: 5,
  tau: 0.005,
  hardEvery: 20,
  epsilon: 0.2,
};

export const FULL: Protocol = {
  scoreDevice: 'webgpu',
  seeds: [1, 2, 3],
  priorEvalEpisodes: 20,
  onlineEnvs: ['kitchen', 'household'],
  online: ONLINE,
  ablations: true,
  vi: {
    episodes: 300,
    episodesPerIteration: 10,
    epochs: 4,
    evalEvery: 20,
    evalEpisodes: 10,
    gamma: 0.99,
    lambda: 0.95,
    clip: 0.2,
    lr: 3e-3,
    alpha: 0,
    entropyCoef: 0.01,
  },
  viAlphas: [0.1, 0.5],
  offline: { steps: 200, batchSize: 128, c: 5, gamma: 0.99, lr: 5e-4, hardEvery: 20, k: 5, evalEpisodes: 50 },
  offlineSizes: [250, 1000, 5000],
  offlineSeeds: [1, 2],
  reductions: [
    'seeds: 3 (spec 5) for the online and VI arms, run seed-major (seed 1 of every arm, then seed 2, ...) at nice 19 on 2 shared cores; the tables count the finished seeds of each row',
    'offline (declared at 02:45 UTC, before any offline unit ran, when a 500-step CQL unit had taken 385 s on the starved cores): 200 gradient steps (spec 3,000) of batch 128, N ∈ {250, 1k, 5k} (spec 250 to 10k), 2 seeds (spec 3); 50 evaluation episodes as the spec',
    'ablations (k ∈ {1, 3, 10}, β ∈ {1, 100}, dedup uniform): Kitchen, seed 1 only, run after every main arm; a row that did not finish is absent',
    'held-out evaluation: 10 episodes per run',
  ],
};

export const QUICK: Protocol = {
  scoreDevice: 'webgpu',
  seeds: [1],
  priorEvalEpisodes: 10,
  onlineEnvs: ['household'],
  online: { ...ONLINE, episodes: 60, evalEvery: 20 },
  ablations: false,
  vi: null,
  viAlphas: [],
  offline: { steps: 50, batchSize: 64, c: 5, gamma: 0.99, lr: 5e-4, hardEvery: 20, k: 5, evalEpisodes: 10 },
  offlineSizes: [500, 5000],
  offlineSeeds: [1],
  reductions: [
    'quick tier (spec §5: Household 60 episodes, 1 seed, DQN vs DQN-Prior; offline N ∈ {500, 5k}, 500 steps): offline 50 steps of batch 64 and 10 evaluation episodes, prior-only rates on 10 episodes, to fit CI',
  ],
};
