// The experiment's protocol, fixed before any run and printed at the start (spec §5, scaled to fit ~25 minutes of
// this machine's 2 shared cores: see README "Deviations").
import type { Arm } from './rl.js';

export interface Protocol {
  teacherSft: { steps: number; batch: number; lr: number };
  /** teacher samples at T = 1 for the student's warm start */
  studentData: number;
  /** `attempts`: student inits (seeds 1, 2, …) tried in turn until one passes the warm-start gate */
  studentSft: { steps: number; batch: number; lr: number; attempts: number };
  /** calibration prompts (validation split) and the quantile of C that sets d */
  calibration: { prompts: number; quantile: number };
  rl: { iterations: number; promptsPerIteration: number; groupSize: number; lr: number; evalEvery: number };
  /** validation prompts scored at each curve point */
  curvePrompts: number;
  /** held-out test prompts for the table */
  testPrompts: number;
  seeds: number[];
  arms: Arm[];
}

export const ARMS: Arm[] = [
  { name: 'task-only', kind: 'task' },
  { name: 'lagrangian', kind: 'lagrangian', lambda: 0.1 },
  { name: 'lagrangian', kind: 'lagrangian', lambda: 0.3 },
  { name: 'lagrangian', kind: 'lagrangian', lambda: 1 },
  { name: 'dual', kind: 'dual', lambda0: 0, eta: 0.05 },
  { name: 'modified', kind: 'modified', n: 0 },
  { name: 'modified', kind: 'modified', n: 1 },
  { name: 'per-token Sauté', kind: 'perToken', n: 1 },
  { name: 'distillation', kind: 'distill' },
  // diagnostic, beyond the spec (README): on-policy distillation with the sampled log-ratio as the reward
  { name: 'distillation, sampled KL', kind: 'distillSampled' },
];

// Warm start as in the stopped first run, whose student got past the addition plateau (SFT loss 0.62 at step 500,
// 0.044 at 800); the 600-step teacher / 6k-sample / 800-step warm start of the second run never left it.
export const FULL: Protocol = {
  teacherSft: { steps: 1200, batch: 64, lr: 2e-3 },
  studentData: 10000,
  studentSft: { steps: 1000, batch: 64, lr: 2e-3, attempts: 3 },
  calibration: { prompts: 1000, quantile: 0.9 },
  rl: { iterations: 30, promptsPerIteration: 16, groupSize: 8, lr: 3e-4, evalEvery: 10 },
  curvePrompts: 64,
  testPrompts: 400,
  seeds: [0, 1, 2],
  arms: ARMS,
};

/** The CI tier: every arm, one seed, a fraction of every step count and of the evaluation (a smoke test). */
export const QUICK: Protocol = {
  teacherSft: { steps: 150, batch: 64, lr: 3e-3 },
  studentData: 1000,
  studentSft: { steps: 100, batch: 64, lr: 3e-3, attempts: 1 },
  calibration: { prompts: 128, quantile: 0.9 },
  rl: { iterations: 6, promptsPerIteration: 4, groupSize: 8, lr: 3e-4, evalEvery: 3 },
  curvePrompts: 32,
  testPrompts: 128,
  seeds: [0],
  arms: ARMS,
};

export function armParameter(a: Arm): string {
  switch (a.kind) {
    case 'lagrangian':
      return `λ=${a.lambda}`;
    case 'dual':
      return `λ0=${a.lambda0}, η=${a.eta}`;
    case 'modified':
    case 'perToken':
      return `n=${a.n}`;
    default:
      return '-';
  }
}
