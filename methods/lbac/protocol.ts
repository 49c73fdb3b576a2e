// The protocols, fixed before running and printed by the experiment. Spec §5 asks for 20k environment steps per
// run (15 runs, about 40 minutes on two processes of a quiet machine); this machine's 2 cores are shared by about
// eight sessions, so the full tier scales the budget down to what fits in roughly half an hour there.
import type { Protocol } from './train.js';
import type { ArmName } from './safe-ac.js';

const COMMON = {
  warmupSteps: 1000, updateEvery: 2, replayBatch: 48, unsafeBatch: 16, replayCapacity: 50_000, multiplierWarmup: 2000,
  curveEpisodes: 20, evalEpisodes: 100, clbfSamples: 2000, initAlpha: 0.1, evalStartSeed: 20230516,
};

export interface Tier { protocol: Protocol; arms: ArmName[]; seeds: number[]; workers: number }

export const FULL: Tier = {
  protocol: { ...COMMON, envSteps: 5000, curveEvery: 1000 },
  arms: ['SAC', 'SAC-Lag', 'LAC', 'Barrier-only', 'LBAC'], seeds: [0, 1, 2], workers: 2,
};

export const QUICK: Tier = {
  protocol: { ...COMMON, envSteps: 3000, curveEvery: 1000, evalEpisodes: 50, clbfSamples: 500 },
  arms: ['SAC', 'LBAC'], seeds: [0], workers: 1,
};
