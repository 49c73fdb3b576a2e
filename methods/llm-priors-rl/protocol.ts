// The experiment protocol, fixed before running and printed at the start (spec §5, scaled to ~15 minutes on two
// shared cores; every reduction is listed in the README).
import type { OnlineConfig } from './online.js';
import type { OfflineConfig } from './offline.js';
import type { PpoConfig } from './ppo-kl.js';
import { PRIOR_DEFAULTS, type PriorConfig } from './prior.js';

export interface Protocol {
  demoEpisodes: number;
  demoNoise: number;
  prior: PriorConfig;
  seeds: number[];
  online: OnlineConfig;
  /** ablation arms (k, β, dedupe) run on the first seed only */
  ablations: boolean;
  vi: PpoConfig | null;
  viAlphas: number[];
  offline: OfflineConfig;
  offlineSizes: number[];
  offlineSeeds: number[];
}

const ONLINE: OnlineConfig = {
  episodes: 100,
  evalEvery: 10,
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
  demoEpisodes: 60,
  demoNoise: 0.4,
  prior: { ...PRIOR_DEFAULTS, epochs: 1 },
  seeds: [1, 2, 3, 4, 5],
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
  offline: { steps: 250, batchSize: 64, c: 5, gamma: 0.99, lr: 5e-4, hardEvery: 20, k: 5, evalEpisodes: 20 },
  offlineSizes: [250, 1000, 4000],
  offlineSeeds: [1, 2],
};

export const QUICK: Protocol = {
  demoEpisodes: 30,
  demoNoise: 0.4,
  prior: { ...PRIOR_DEFAULTS, epochs: 1 },
  seeds: [1],
  online: { ...ONLINE, episodes: 30, gradSteps: 20 },
  ablations: false,
  vi: null,
  viAlphas: [],
  offline: { steps: 30, batchSize: 32, c: 5, gamma: 0.99, lr: 5e-4, hardEvery: 20, k: 5, evalEpisodes: 10 },
  offlineSizes: [500, 2000],
  offlineSeeds: [1],
};
