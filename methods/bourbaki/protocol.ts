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
  /** reduced from the spec's 100 per bucket and 40 hand items to fit the shared 2-core machine (declared) */
  testPerBucket: 5,
  handStride: 4,
  budgets: [8, 32, 128],
  seeds: [0, 1, 2],
  prover: 'trained LMs (saved in models/, trained once by --train-only)',
  device: 'webgpu' as DeviceName,
  /** demonstrations: spec ~12k (sequent → tactic) pairs, split in halves for T1 and T2 */
  tacticPairs: 12_000,
  subgoalPairs: 6000,
  model: { nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 160, wholeBlockSize: 256 },
  /** every model gets the same number of AdamW steps (T1/T2: 2 epochs of their 6k pairs, as in the spec) */
  train: { lr: 3e-3, batch: 64, steps: 190 },
  /** seeds of the models' initialisation and batch order */
  modelSeeds: { T1: 1, T2: 2, S: 3, W: 4 } as Record<ModelName, number>,
  temperature: 1.1,
  /** wall-clock guard for the searches on the shared machine: searches still running then stop (not recorded) */
  wallLimitMinutes: 30,
};
export type FullProtocol = typeof FULL;
