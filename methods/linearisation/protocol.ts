// The experiment's protocol, fixed before the full run (spec §5, scaled to this machine: see README "Protocol").
import type { TaskConfig } from './task.js';

export interface Protocol {
  task: TaskConfig;
  teacher: { nLayer: number; nEmbd: number; nHead: number; mlpHidden: number; steps: number; lr: number; batch: number };
  /** F of every arm but B; B uses featureDimB */
  featureDim: number;
  featureDimB: number;
  /** plateau: every `every` steps the mean loss is one evaluation of LoLCATs' reduce-on-plateau (plateau.ts) */
  stage1: { steps: number; lr: number; plateau: { every: number; factor: number; patience: number; minLr: number } };
  stage2: { steps: number; lr: number; rank: number; alpha: number };
  earlyStop: { every: number; patience: number; heldOut: number };
  batch: number;
  /** share of recall sequences in the conversion data (spec: 10%; 2% in the pre-registered rerun) */
  recallFraction: number;
  rerunRecallFraction: number;
  /**
   * The local-only conversion-data experiment (`--zero-recall`), registered before it ran: arms A, C and E
   * converted with 0% recall data (stage 1 and stage 2) beside the same arms at `recallFraction`, on these seeds.
   */
  zeroRecall: { fraction: number; seeds: number[] };
  /** share of recall sequences in the teacher's data */
  teacherRecallFraction: number;
  seeds: number[];
  /** held-out sequences per kind (filler, recall) */
  evalSequences: number;
  evalBatch: number;
  /** the teacher gate: accuracies in percent */
  gate: { recall: number; local: number };
}

const task: TaskConfig = { seqLen: 24, pairs: 2, keys: 8, values: 8, pairTokens: true, noise: 0.1, window: 4 };

export const FULL: Protocol = {
  task,
  teacher: { nLayer: 2, nEmbd: 32, nHead: 2, mlpHidden: 128, steps: 1000, lr: 5e-3, batch: 16 },
  featureDim: 8,
  featureDimB: 16,
  // LoLCATs: factor 0.1, patience 10 evaluations, min_lr 1e-5 over a long run; here 10 evaluations in all, so a
  // patience of 2 (the rate drops after 3 evaluations, 30 steps, without improvement)
  stage1: { steps: 100, lr: 1e-2, plateau: { every: 10, factor: 0.1, patience: 2, minLr: 1e-5 } },
  stage2: { steps: 200, lr: 1e-3, rank: 4, alpha: 8 },
  earlyStop: { every: 25, patience: 3, heldOut: 64 },
  batch: 16,
  recallFraction: 0.1,
  rerunRecallFraction: 0.02,
  zeroRecall: { fraction: 0, seeds: [0, 1] },
  teacherRecallFraction: 0.75,
  seeds: [0, 1, 2],
  evalSequences: 128,
  evalBatch: 64,
  gate: { recall: 95, local: 85 },
};

/**
 * The CI tier, a check that every stage runs (under 3 minutes): one seed, a fifth of the teacher's steps, a tenth
 * of stage 1 and stage 2, a quarter of the evaluation; its teacher does not learn recall, so its verdict is void.
 */
export const QUICK: Protocol = {
  ...FULL,
  teacher: { ...FULL.teacher, steps: FULL.teacher.steps / 5 },
  stage1: { ...FULL.stage1, steps: FULL.stage1.steps / 10, plateau: { ...FULL.stage1.plateau, every: 2 } },
  stage2: { ...FULL.stage2, steps: FULL.stage2.steps / 10 },
  earlyStop: { ...FULL.earlyStop, every: 5, heldOut: 16 },
  seeds: [0],
  zeroRecall: { ...FULL.zeroRecall, seeds: [0] },
  evalSequences: FULL.evalSequences / 4,
};
