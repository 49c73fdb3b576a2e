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

/** run 1 of the full tier, kept exactly as it ran (its records' protocol stamp), so that its results read back */
export const FULL_RUN1 = {
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
export type FullProtocol = typeof FULL_RUN1;

/**
 * Run 2, fixed before its training from training-side validation only: run 1's T1 and T2 kept their last step with
 * the validation loss still falling (T1 0.950 at step 1,400, 0.934 at 1,500), so they are retrained from scratch
 * twice as long (the cosine spans the longer run); S and W stopped improving before their last step (kept 1,300 of
 * 1,500 and 2,300 of 2,500), so their recipe is unchanged and their models are run 1's (copied into models/run2/).
 * Everything else (data, split, buckets, search, seeds, budgets, temperature) is run 1's.
 */
export const FULL_RUN2: FullProtocol = { ...FULL_RUN1, steps: { T1: 3000, T2: 3000, S: 1500, W: 2500 } };

export const FULL_RUNS = { run1: FULL_RUN1, run2: FULL_RUN2 };
export type FullRun = keyof typeof FULL_RUNS;
/** the run `npm run method:bourbaki` does (or reads back); `--run=run1` reads back run 1 */
export const DEFAULT_RUN: FullRun = 'run2';
