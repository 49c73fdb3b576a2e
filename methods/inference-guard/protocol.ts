// The experiment protocol (spec §5), fixed before any run and printed first. The full tier is scaled down from
// the spec to fit ~15 minutes on 2 shared cores (README "Deviations"): 300 LM steps (not 1500), 1000 critic
// rollouts (not 5000), 60 test prompts (not 500); the verdict is judged at the primary budget d = 0.5, and the
// InferenceGuard arms also run at the spec's second budget d = 1.5. Arms and search settings follow the spec.

export interface Protocol {
  lm: { samples: number; steps: number; batch: number; lr: number };
  critic: {
    rollouts: number;
    heldOut: number;
    budgetsPerRollout: number;
    budgetMax: number;
    n: number;
    epochs: number;
    lr: number;
    batch: number;
    width: number;
  };
  search: { N: number; K: number; block: number; maxLen: number; retries: number; penalty: number; d: number };
  bonLambdas: number[];
  beamLambda: number;
  args: { topK: number; omega: number };
  sweepN: number[];
  /** extra budgets for the InferenceGuard arms */
  extraBudgets: number[];
  testPromptsPerTopic: number;
  seeds: number[];
}

export const FULL: Protocol = {
  lm: { samples: 20000, steps: 300, batch: 64, lr: 3e-3 },
  critic: {
    rollouts: 1000,
    heldOut: 300,
    budgetsPerRollout: 4,
    budgetMax: 3,
    n: 2,
    epochs: 10,
    lr: 3e-3,
    batch: 1024,
    width: 64,
  },
  search: { N: 16, K: 4, block: 4, maxLen: 24, retries: 2, penalty: 10, d: 0.5 },
  bonLambdas: [1, 5],
  beamLambda: 5,
  args: { topK: 8, omega: 2.5 },
  sweepN: [4, 8, 16, 32],
  extraBudgets: [1.5],
  testPromptsPerTopic: 12,
  seeds: [1, 2, 3],
};

export const QUICK: Protocol = {
  ...FULL,
  lm: { samples: 5000, steps: 120, batch: 64, lr: 3e-3 },
  critic: { ...FULL.critic, rollouts: 300, heldOut: 100, epochs: 5 },
  sweepN: [4, 16],
  extraBudgets: [],
  testPromptsPerTopic: 6,
  seeds: [1],
};
