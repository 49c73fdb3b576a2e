// The two tiers' protocols (spec §5), fixed before anything runs and printed by the experiment: data sizes, the
// models and their training, budgets, seeds, arms and depth buckets.
import { type DeviceName } from '../../index.js';

export const BUCKETS: [string, number, number][] = [
  ['shallow', 4, 7],
  ['medium', 8, 11],
  ['hard', 12, 16],
];
export const ARMS = ['B1', 'B2', 'B3', 'B4', 'B5'] as const;
export type Arm = (typeof ARMS)[number];
export const MODEL_NAMES = ['T1', 'T2', 'S', 'W'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface Protocol {
  tier: 'quick' | 'full';
  candidates: number;
  /** extra random-source candidates whose theorems of the hard bucket's depths top that bucket up (test only) */
  hardCandidates: number;
  testPerBucket: number;
  /** every handStride-th hand item is scored */
  handStride: number;
  budgets: number[];
  seeds: number[];
  prover: string;
  device: DeviceName;
}

export const QUICK: Protocol = {
  tier: 'quick',
  candidates: 1500,
  hardCandidates: 0,
  testPerBucket: 10,
  handStride: 1,
  budgets: [16, 64],
  seeds: [0],
  prover: 'randomProver',
  device: 'cpu',
};

export const FULL = {
  tier: 'full' as const,
  candidates: 6000,
  hardCandidates: 4000,
  /** reduced from the spec's 100 per bucket and 40 hand items to fit the shared 2-core machine (declared) */
  testPerBucket: 20,
  handStride: 2,
  budgets: [8, 32, 128],
  seeds: [0, 1, 2],
  prover: 'trained LMs (saved in models/, trained once by --train-only)',
  device: 'webgpu' as DeviceName,
  /** training theorems (by canonical key) held out of training as the validation split for early stopping */
  validationFraction: 0.05,
  /** validation examples per model, scored every `validateEvery` steps */
  validationExamples: 256,
  model: { nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 160, wholeBlockSize: 256 },
  /**
   * AdamW, batch 64, peak lr 3e-3 after a linear warmup, half a cosine down to a tenth; the parameters kept are
   * those of the lowest validation loss among the evaluations (every validateEvery steps and the last)
   */
  train: { lr: 3e-3, warmup: 50, minLrFactor: 0.1, batch: 64, validateEvery: 100 },
  /** AdamW steps per model (max; early stopping keeps the best validation checkpoint), fixed after timing steps */
  steps: { T1: 1500, T2: 1500, S: 1500, W: 2500 } as Record<ModelName, number>,
  /** seeds of the models' initialisation and batch order */
  modelSeeds: { T1: 1, T2: 2, S: 3, W: 4 } as Record<ModelName, number>,
  temperature: 1.1,
  /** wall-clock guard for the searches on the shared machine: searches still running then stop (not recorded) */
  wallLimitMinutes: 45,
};
export type FullProtocol = typeof FULL;
