// The protocols, fixed before running and printed by the experiment. The full tier is the spec's §5 budget:
// 20k environment steps per run (1k random warm-up steps, then one update every 2 steps: 9.5k updates), learning
// curves every 2k steps, 100 evaluation episodes per start set, 5 arms × seeds 0-2 in two worker processes (the
// machine has 2 cores). The quick tier is the spec's 3k steps, SAC vs LBAC, seed 0.
import type { Protocol } from './train.js';
import type { ArmName } from './safe-ac.js';

const COMMON = {
  warmupSteps: 1000,
  updateEvery: 2,
  replayBatch: 48,
  unsafeBatch: 16,
  replayCapacity: 50_000,
  multiplierWarmup: 2000,
  curveEpisodes: 20,
  evalEpisodes: 100,
  clbfSamples: 2000,
  initAlpha: 0.1,
  evalStartSeed: 20230516,
};

export interface Tier {
  protocol: Protocol;
  arms: ArmName[];
  seeds: number[];
  workers: number;
}

export const FULL: Tier = {
  protocol: { ...COMMON, envSteps: 20_000, curveEvery: 2000 },
  arms: ['SAC', 'SAC-Lag', 'LAC', 'Barrier-only', 'LBAC'],
  seeds: [0, 1, 2],
  workers: 2,
};

export const QUICK: Tier = {
  protocol: { ...COMMON, envSteps: 3000, curveEvery: 500, clbfSamples: 500 },
  arms: ['SAC', 'LBAC'],
  seeds: [0],
  workers: 1,
};
