// Experiment 1: the GRPO paper's log-linear bandit, all three GR-DPO settings and GR-IPO (Even), against
// DPO / IPO and the importance-sampling baselines, many seeds, paired (same data and θ₀ per seed).
import { collectPreferences, greedyRewardError, groupLinearBandit, type PreferenceSet } from './bandit.js';
import { groupGradients, trainByGradient, trainIpoClosedForm, type BanditTrace, type Weighting } from './bandit-trainer.js';
import { fmtMeanStd, formatTable, meanStd } from './metrics.js';
import { seededRng } from './random.js';
import { lineChart } from './svg.js';
import type { PreferenceLoss } from './losses.js';

export interface BanditSetting {
  name: string;
  mode: 'even' | 'uneven';
  shares: [number, number];
  loss: PreferenceLoss;
  beta: number;
  etaTheta: number;
  etaAlpha: number;
  iterations: number;
  closedForm: boolean;
}

// The spec's exact settings (official "scripts to reproduce"); group 0 is the minority and, when uneven, the hard group.
export const BANDIT_SETTINGS: BanditSetting[] = [
  { name: 'Even-Imbalanced', mode: 'even', shares: [0.2, 0.8], loss: 'dpo', beta: 1, etaTheta: 0.5, etaAlpha: 0.9, iterations: 10_000, closedForm: false },
  { name: 'Uneven-Balanced', mode: 'uneven', shares: [0.5, 0.5], loss: 'dpo', beta: 2, etaTheta: 5, etaAlpha: 0.01, iterations: 5_000, closedForm: false },
  { name: 'Uneven-Imbalanced', mode: 'uneven', shares: [0.2, 0.8], loss: 'dpo', beta: 1, etaTheta: 0.9, etaAlpha: 0.5, iterations: 20_000, closedForm: false },
  { name: 'Even-Imbalanced', mode: 'even', shares: [0.2, 0.8], loss: 'ipo', beta: 0.1, etaTheta: 0, etaAlpha: 0.01, iterations: 1_000, closedForm: true },
];

export const TRAIN_PAIRS = 300;
/** validation pairs per group: a group-balanced set, so each group's mean is measured equally well */
export const VAL_PAIRS_PER_GROUP = 500;
export const EVAL_STATES = 1000;

const METHODS: { weighting: Weighting; label: (l: PreferenceLoss) => string }[] = [
  { weighting: 'average', label: (l) => l.toUpperCase() },
  { weighting: 'importance', label: (l) => `IS-${l.toUpperCase()}` },
  { weighting: 'robust', label: (l) => `GR-${l.toUpperCase()}` },
];

interface RunResult { valLoss: number[]; rewardErr: number[]; alpha: number[]; trace: BanditTrace }

function runOne(setting: BanditSetting, weighting: Weighting, seed: number): RunResult {
  const env = groupLinearBandit();
  const rng = seededRng(seed);
  const train = collectPreferences(env, TRAIN_PAIRS, setting.shares, setting.mode, rng);
  const val: PreferenceSet = collectPreferences(env, 2 * VAL_PAIRS_PER_GROUP, [0.5, 0.5], setting.mode, rng);
  const states = Array.from({ length: EVAL_STATES }, () => [rng(), rng()]);
  const theta0 = Array.from({ length: env.featureDim }, () => 5 * rng());
  const cfg = { ...setting, weighting, chi: 1 };
  const trace = setting.closedForm ? trainIpoClosedForm(train, env.groups, { ...cfg, lambda: 0 }) : trainByGradient(train, env.groups, theta0, cfg);
  return {
    valLoss: groupGradients(val, env.groups, trace.theta, setting.loss, setting.beta).loss,
    rewardErr: greedyRewardError(env, trace.theta, states),
    alpha: trace.alpha,
    trace,
  };
}

export interface BanditReport {
  table: string;
  verdicts: string[];
  reproduced: boolean;
  svgs: Record<string, string>;
}

export function runBanditExperiment(seeds: number[], onProgress?: (done: number, total: number) => void): BanditReport {
  const rows: string[][] = [];
  const verdicts: string[] = [];
  const svgs: Record<string, string> = {};
  let reproduced = true;
  const total = BANDIT_SETTINGS.length * METHODS.length * seeds.length;
  let done = 0;
  for (const setting of BANDIT_SETTINGS) {
    const results = METHODS.map((m) => seeds.map((seed) => {
      const r = runOne(setting, m.weighting, seed);
      onProgress?.(++done, total);
      return r;
    }));
    const worstLoss = results.map((rs) => rs.map((r) => Math.max(...r.valLoss)));
    const worstErr = results.map((rs) => rs.map((r) => Math.max(...r.rewardErr)));
    const label = `${setting.name} (${setting.loss.toUpperCase()})`;
    METHODS.forEach((m, k) => {
      rows.push([label, m.label(setting.loss), fmtMeanStd(worstLoss[k]), fmtMeanStd(worstErr[k]),
        `[${meanAlpha(results[k]).map((a) => a.toFixed(3)).join(', ')}]`]);
    });
    // the claim: the robust arm (index 2) beats the plain baseline (index 0) on both worst-group numbers
    const lossWin = meanStd(worstLoss[2]).mean < meanStd(worstLoss[0]).mean;
    const errWin = meanStd(worstErr[2]).mean < meanStd(worstErr[0]).mean;
    const pairedLoss = worstLoss[2].filter((v, i) => v < worstLoss[0][i]).length;
    const pairedErr = worstErr[2].filter((v, i) => v < worstErr[0][i]).length;
    const alphaMinority = meanAlpha(results[2])[0];
    // "α moves toward the minority": it ends above the weight plain DPO/IPO gives that group, its data share
    const alphaOk = setting.shares[0] === setting.shares[1] || alphaMinority > setting.shares[0];
    reproduced &&= lossWin && errWin && alphaOk;
    verdicts.push(`${label}: GR-${setting.loss.toUpperCase()} worst-group val loss ${lossWin ? 'lower' : 'NOT lower'} ` +
      `(wins ${pairedLoss}/${seeds.length} seeds), worst-group reward error ${errWin ? 'lower' : 'NOT lower'} ` +
      `(wins ${pairedErr}/${seeds.length}); final α_0 (minority/hard group) ${alphaMinority.toFixed(3)}` +
      `${setting.shares[0] !== setting.shares[1] ? (alphaOk ? ` > its data share ${setting.shares[0]}` : ` NOT above its data share ${setting.shares[0]}`) : ''}`);
    svgs[`bandit-${setting.name.toLowerCase()}-${setting.loss}.svg`] = curves(label, setting, results);
  }
  const table = formatTable(['config', 'method', 'max-group val loss', 'max-group reward err', 'final α'], rows);
  return { table, verdicts, reproduced, svgs };
}

function meanAlpha(rs: RunResult[]): number[] {
  return rs[0].alpha.map((_, g) => meanStd(rs.map((r) => r.alpha[g])).mean);
}

/** Seed-averaged worst training-group loss of each method, and the robust arm's α_0, over iterations. */
function curves(label: string, setting: BanditSetting, results: RunResult[][]): string {
  const avg = (rs: RunResult[], pick: (h: BanditTrace['history'][number]) => number): [number, number][] =>
    rs[0].trace.history.map((h, i) => [h.iteration, meanStd(rs.map((r) => pick(r.trace.history[i]))).mean]);
  const series = METHODS.map((m, k) => ({ name: `${m.label(setting.loss)} worst loss`, points: avg(results[k], (h) => Math.max(...h.groupLoss)) }));
  if (setting.closedForm) {
    // the baselines solve once: draw them as flat lines over the robust run's iterations
    const span = results[2][0].trace.history.map((h) => h.iteration);
    for (const k of [0, 1]) series[k] = { ...series[k], points: span.map((it) => [it, series[k].points[0][1]]) };
  }
  const scaleTop = Math.max(...series.flatMap((s) => s.points.map((p) => p[1])));
  series.push({ name: `GR α_0 (× ${scaleTop.toFixed(2)})`, points: avg(results[2], (h) => h.alpha[0] * scaleTop) });
  return lineChart({ title: `${label}: worst training-group loss and α_0`, xLabel: 'iteration', yLabel: 'loss', series });
}
