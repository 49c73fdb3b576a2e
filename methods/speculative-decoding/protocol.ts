// The experiment's protocol (spec §5, scaled down to what a 2-core machine shared by ~8 sessions affords in under an
// hour; every reduction is listed in README.md), fixed before any run and printed at the start of each.
export interface Protocol {
  tier: 'quick' | 'full';
  chunk: number;
  promptLen: number;
  target: {
    nLayer: number;
    nEmbd: number;
    nHead: number;
    nKvHead: number;
    mlpHidden: number;
    steps: number;
    batch: number;
    lr: number;
  };
  drafters: {
    steps: number;
    batch: number;
    lr: number;
    rRange: [number, number];
    staircaseSteps: number;
    eagleNoise: number;
  };
  /** seeds of the MoA and EAGLE drafters; the ablations and the independent drafter use the first */
  seeds: number[];
  evaluation: { prompts: number; newTokens: number; gamma: number; depth: number; topK: number; total: number };
  clientServer: { prompts: number; newTokens: number; disconnectAfter: number; profiles: NetworkProfile[] };
  disconnection: { prompts: number; before: number; after: number };
}

export interface NetworkProfile {
  name: string;
  rttMs: number;
  mbps: number;
  jitterMs: number;
}

export const PROFILES: NetworkProfile[] = [
  { name: 'lan', rttMs: 5, mbps: 100, jitterMs: 0.5 },
  { name: 'mobile', rttMs: 60, mbps: 10, jitterMs: 5 },
  { name: 'poor', rttMs: 250, mbps: 1, jitterMs: 20 },
];

export function protocol(quick: boolean): Protocol {
  const target = { nLayer: 4, nEmbd: 64, nHead: 4, nKvHead: 2, mlpHidden: 256, batch: 16, lr: 2e-3 };
  const evaluation = { gamma: 5, depth: 5, topK: 4, total: 20 };
  return quick
    ? {
        tier: 'quick',
        chunk: 96,
        promptLen: 32,
        target: { ...target, steps: 40 },
        drafters: { steps: 15, batch: 16, lr: 2e-3, rRange: [3, 8], staircaseSteps: 8, eagleNoise: 0.1 },
        seeds: [0],
        evaluation: { ...evaluation, prompts: 2, newTokens: 24 },
        clientServer: { prompts: 1, newTokens: 20, disconnectAfter: 12, profiles: PROFILES },
        disconnection: { prompts: 2, before: 16, after: 16 },
      }
    : {
        tier: 'full',
        chunk: 96,
        promptLen: 32,
        target: { ...target, steps: 150 },
        drafters: { steps: 80, batch: 16, lr: 2e-3, rRange: [3, 8], staircaseSteps: 40, eagleNoise: 0.1 },
        seeds: [0, 1],
        evaluation: { ...evaluation, prompts: 4, newTokens: 32 },
        clientServer: { prompts: 1, newTokens: 32, disconnectAfter: 16, profiles: PROFILES },
        disconnection: { prompts: 4, before: 16, after: 32 },
      };
}
