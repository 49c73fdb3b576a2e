// The group-robust preference page: the method's log-linear bandit in the uneven, imbalanced setting (group 0 is
// the minority and the harder group), trained by plain DPO (the average loss) and by GR-DPO (the adversary's
// group weights α, updated by mirror ascent), with the method's own trainer; fewer iterations than the paper's.
import { groupLinearBandit, collectPreferences } from '../../methods/group-robust-preference/bandit.js';
import {
  stackPreferences,
  trainByGradient,
  disposeBatch,
  type Weighting,
} from '../../methods/group-robust-preference/bandit-trainer.js';
import { BANDIT_SETTINGS, TRAIN_PAIRS } from '../../methods/group-robust-preference/bandit-experiment.js';
import { seededRng } from '../../methods/group-robust-preference/random.js';

export interface GroupRobustResult {
  setting: string;
  iterations: number;
  /** per method: every recorded iteration's α and training group losses (seed 0) */
  traces: Record<'DPO' | 'GR-DPO', { iteration: number; alpha: number[]; groupLoss: number[] }[]>;
}

export async function groupRobustTraces(iterations: number): Promise<GroupRobustResult> {
  const setting = BANDIT_SETTINGS.find((s) => s.name === 'Uneven-Imbalanced')!;
  const env = groupLinearBandit();
  const rng = seededRng(0);
  const train = stackPreferences([collectPreferences(env, TRAIN_PAIRS, setting.shares, setting.mode, rng)], env.groups);
  const theta0 = [Array.from({ length: env.featureDim }, () => 5 * rng())];
  const run = async (weighting: Weighting) => {
    const trace = await trainByGradient(train, theta0, {
      ...setting,
      iterations,
      weighting,
      chi: 1,
      recordEvery: Math.max(1, iterations / 50),
    });
    return trace.history.map((h) => ({ iteration: h.iteration, alpha: h.alpha[0], groupLoss: h.groupLoss[0] }));
  };
  const traces = { DPO: await run('average'), 'GR-DPO': await run('robust') };
  disposeBatch(train);
  return { setting: setting.name, iterations, traces };
}
