// Experiment 2 [R]: tiny GPT alignment on 3 groups (70/20/10%, the 10% group half hard pairs), evaluated on a
// group-balanced held-out set. The arms, the seeds and the criteria are fixed here before any run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, nn, type DeviceName } from '../../index.js';
import { alignPolicy, createTinyGPT, pairLogProbs, trainReference, type AlignArm, type AlignConfig, type AlignResult } from './gpt-alignment.js';
import type { Convention } from './group-weights.js';
import { GROUPS, drawGroupRewards, heldOutPairs, trainingPairs } from './synthetic-preferences.js';
import { fmtMeanStd, formatTable, meanStd } from './metrics.js';
import { seededRng } from './random.js';

export const GPT_ARMS: AlignArm[] = [
  { name: 'DPO', loss: 'dpo', weighting: 'average', etaAlpha: 0, chi: 0 },
  { name: 'IS-DPO', loss: 'dpo', weighting: 'importance', etaAlpha: 0, chi: 0 },
  { name: 'GR-DPO', loss: 'dpo', weighting: 'robust', etaAlpha: 0.01, chi: 1 },
  { name: 'GR-DPO', loss: 'dpo', weighting: 'robust', etaAlpha: 0.1, chi: 1 },
  { name: 'IPO', loss: 'ipo', weighting: 'average', etaAlpha: 0, chi: 0 },
  { name: 'GR-IPO', loss: 'ipo', weighting: 'robust', etaAlpha: 0.01, chi: 1 },
  { name: 'GR-DPO', loss: 'dpo', weighting: 'robust', etaAlpha: 0.1, chi: 0.25 },
  { name: 'GR-DPO', loss: 'dpo', weighting: 'robust', etaAlpha: 0.1, chi: 0.5 },
  { name: 'GR-DPO', loss: 'dpo', weighting: 'robust', etaAlpha: 0.1, chi: 0.75 },
];

export interface GptTier {
  seeds: number[];
  arms: AlignArm[];
  pairs: number;
  /** group-balanced held-out (test) set: the numbers reported */
  heldOutPerGroup: number;
  /** group-balanced validation set, drawn apart from the test set: what the best GR-DPO arm is selected on */
  validationPerGroup: number;
  sftSteps: number;
  align: AlignConfig;
}

export type GptTierName = 'quick' | 'full' | 'spec';

/**
 * spec: the spec's protocol (3 seeds, all 9 arms, 1000 steps, 500 held-out pairs per group): about 2 h of
 * lavapipe here. full: the protocol run here: all 9 arms (IPO / GR-IPO and the χ sweep included), 300 steps
 * instead of 1000, 250 held-out and 250 validation pairs per group, seeds {0, 1} (first {0, 1, 2}; cut to two
 * for wall time when the machine's load slowed steps from ~12/s to 2-5/s, with only seed 0's progress bars seen). quick: a pipeline check for CI (1 seed, DPO vs GR-DPO, 20 steps); its numbers are not evidence
 * for or against the claim.
 */
export function gptTier(name: GptTierName, device: DeviceName, convention: Convention = 'official'): GptTier {
  const base = { pairs: 3000, align: { beta: 0.1, lr: 1e-3, batch: 64, steps: 1000, evalEvery: 100, device, convention } };
  if (name === 'quick') {
    return { ...base, seeds: [0], arms: [GPT_ARMS[0], GPT_ARMS[3]], heldOutPerGroup: 50, validationPerGroup: 50, sftSteps: 20, align: { ...base.align, steps: 20, evalEvery: 10 } };
  }
  if (name === 'full') {
    return { ...base, seeds: [0, 1], arms: GPT_ARMS, heldOutPerGroup: 250, validationPerGroup: 250, sftSteps: 200, align: { ...base.align, steps: 300, evalEvery: 50 } };
  }
  return { ...base, seeds: [0, 1, 2], arms: GPT_ARMS, heldOutPerGroup: 500, validationPerGroup: 500, sftSteps: 400 };
}

const armLabel = (a: AlignArm) => `${a.name}${a.weighting === 'robust' ? ` η_α=${a.etaAlpha} χ=${a.chi}` : ''}`;

/**
 * Runs every seed and arm. With `resumeDir`, each finished (seed, arm) run is saved there as JSON and skipped on
 * the next call: Dawn on lavapipe here sometimes dies with SIGSEGV partway through a long run, and a rerun then
 * continues where it stopped (delete the folder for a fresh run).
 */
export async function runGptExperiment(tier: GptTier, opts: { resumeDir?: string } = {}): Promise<{ table: string; verdicts: string[]; outcome: Outcome; svgs: Record<string, string> }> {
  const results: AlignResult[][] = tier.arms.map(() => []);
  const saved = (seed: number, k: number) => (opts.resumeDir ? join(opts.resumeDir, `seed${seed}-${armLabel(tier.arms[k]).replace(/[^\w.=-]+/g, '_')}.json`) : undefined);
  if (opts.resumeDir) mkdirSync(opts.resumeDir, { recursive: true });
  for (const seed of tier.seeds) {
    const done = tier.arms.map((_, k) => {
      const file = saved(seed, k);
      return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AlignResult) : undefined;
    });
    if (done.every((r) => r)) {
      done.forEach((r, k) => results[k].push(r!));
      continue;
    }
    manualSeed(seed);
    const rng = seededRng(1000 + seed);
    const w = drawGroupRewards(rng);
    const train = trainingPairs(rng, w, tier.pairs);
    const heldOut = heldOutPairs(rng, w, tier.heldOutPerGroup);
    // its own generator, so that adding it left the training data, the test set and the SFT batches unchanged
    const validation = heldOutPairs(seededRng(3000 + seed), w, tier.validationPerGroup);
    const reference = createTinyGPT(tier.align.device, seed);
    const sftBar = new nn.ProgressBar(tier.sftSteps, { label: `seed ${seed} SFT` });
    await trainReference(reference, rng, { steps: tier.sftSteps, batch: 64, lr: 3e-3, device: tier.align.device }, (s, l) => sftBar.update(s, { 'nll/token': l }));
    sftBar.finish();
    const trainRef = await pairLogProbs(reference, train, tier.align.device);
    const evalSets = {
      heldOut: { pairs: heldOut, ref: await pairLogProbs(reference, heldOut, tier.align.device) },
      validation: { pairs: validation, ref: await pairLogProbs(reference, validation, tier.align.device) },
    };
    for (const [k, arm] of tier.arms.entries()) {
      if (done[k]) {
        results[k].push(done[k]!);
        continue;
      }
      const policy = createTinyGPT(tier.align.device, seed);
      policy.module.loadStateDict(reference.module.stateDict());
      const bar = new nn.ProgressBar(tier.align.steps, { label: `seed ${seed} ${armLabel(arm)}` });
      const result = await alignPolicy(policy, train, trainRef, evalSets, arm, tier.align, seededRng(2000 + seed), (s, v) => bar.update(s, v));
      bar.finish();
      policy.module.dispose();
      results[k].push(result);
      const file = saved(seed, k);
      if (file) writeFileSync(file, JSON.stringify(result));
    }
    reference.module.dispose();
  }
  const rows = tier.arms.map((arm, k) => {
    const f = results[k].map((r) => r.final);
    const col = (pick: (m: typeof f[number]) => number, digits = 3) => fmtMeanStd(f.map(pick), digits);
    const alpha = Array.from({ length: GROUPS }, (_, g) => meanStd(results[k].map((r) => r.history.at(-1)!.alpha[g])).mean.toFixed(3));
    return [arm.name, arm.weighting === 'robust' ? String(arm.etaAlpha) : '-', arm.weighting === 'robust' ? String(arm.chi) : '-',
      ...[0, 1, 2].map((g) => col((m) => m.loss[g])), col((m) => m.worstLoss),
      ...[0, 1, 2].map((g) => col((m) => m.accuracy[g])), col((m) => m.worstAccuracy), col((m) => m.meanAccuracy), `[${alpha.join(', ')}]`];
  });
  const table = formatTable(['method', 'η_α', 'χ', 'loss g0', 'loss g1', 'loss g2', 'worst loss', 'acc g0', 'acc g1', 'acc g2',
    'worst acc', 'avg acc', 'final α'], rows);
  const { verdicts, outcome } = judge(tier.arms, results);
  return { table, verdicts, outcome, svgs: curves(tier.arms, results) };
}

const mean = (rs: AlignResult[], pick: (r: AlignResult) => number) => meanStd(rs.map(pick)).mean;

/** YES only when every criterion ran and passed; NO when one failed; otherwise not established. */
export type Outcome = 'YES' | 'NO' | 'NOT ESTABLISHED (a criterion was not tested)';
export type Status = 'PASS' | 'FAIL' | 'not tested';

export function outcomeOf(statuses: readonly Status[]): Outcome {
  if (statuses.includes('FAIL')) return 'NO';
  return statuses.includes('not tested') ? 'NOT ESTABLISHED (a criterion was not tested)' : 'YES';
}

const status = (ok: boolean): Status => (ok ? 'PASS' : 'FAIL');

/**
 * The spec's acceptance criteria on the held-out set. The best GR-DPO arm (χ = 1) is chosen on the validation
 * set's worst-group accuracy, never on the held-out set it is scored on. The α criterion asks that α_minority
 * rises above where it starts (1/K); the spec's "above its 0.1 data share" holds at initialisation already and is
 * printed for information only. A criterion whose arms are not in the tier prints "not tested".
 */
export function judge(arms: AlignArm[], results: AlignResult[][]): { verdicts: string[]; outcome: Outcome } {
  const dpo = arms.findIndex((a) => a.name === 'DPO');
  const robustDpo = arms.map((a, k) => [a, k] as const).filter(([a]) => a.name === 'GR-DPO' && a.chi === 1).map(([, k]) => k);
  if (dpo < 0 || robustDpo.length === 0) return { verdicts: ['no DPO / GR-DPO pair in this tier: nothing tested'], outcome: outcomeOf(['not tested']) };
  const worstAcc = (k: number) => mean(results[k], (r) => r.final.worstAccuracy);
  const validationWorstAcc = (k: number) => mean(results[k], (r) => r.validation?.worstAccuracy ?? Number.NaN);
  const best = robustDpo.reduce((a, b) => (validationWorstAcc(b) > validationWorstAcc(a) ? b : a));
  const accGain = 100 * (worstAcc(best) - worstAcc(dpo));
  const lossDrop = mean(results[dpo], (r) => r.final.worstLoss) - mean(results[best], (r) => r.final.worstLoss);
  const avgDrop = 100 * (mean(results[dpo], (r) => r.final.meanAccuracy) - mean(results[best], (r) => r.final.meanAccuracy));
  const minority = GROUPS - 1;
  const alphaMinority = mean(results[best], (r) => r.history.at(-1)!.alpha[minority]);
  const statuses: Status[] = [status(accGain >= 3), status(lossDrop > 0), status(avgDrop <= 3), status(alphaMinority > 1 / GROUPS)];
  const verdicts = [
    `best GR-DPO arm on the validation set: ${armLabel(arms[best])} (validation worst-group accuracy ` +
      `${robustDpo.map((k) => `${armLabel(arms[k])} ${validationWorstAcc(k).toFixed(3)}`).join(', ')})`,
    `its held-out worst-group accuracy ${accGain >= 0 ? '+' : ''}${accGain.toFixed(1)} points vs DPO: ${statuses[0]} (need ≥ 3)`,
    `its worst-group loss ${lossDrop > 0 ? 'lower' : 'NOT lower'} than DPO's by ${lossDrop.toFixed(4)}: ${statuses[1]}`,
    `its average accuracy drop ${avgDrop.toFixed(1)} points: ${statuses[2]} (need ≤ 3)`,
    `its minority α ${(1 / GROUPS).toFixed(3)} → ${alphaMinority.toFixed(3)}: ${statuses[3]} (need it to rise; the spec's ` +
      `"above its 0.1 data share" is ${alphaMinority > 0.1 ? 'met' : 'not met'}, but it is met at initialisation)`,
  ];
  const chiArms = arms.map((a, k) => [a, k] as const).filter(([a]) => a.name === 'GR-DPO' && a.etaAlpha === 0.1).sort(([a], [b]) => a.chi - b.chi);
  if (chiArms.length > 2) {
    const accs = chiArms.map(([, k]) => worstAcc(k));
    const monotone = accs.every((v, i) => i === 0 || v >= accs[i - 1]);
    statuses.push(status(monotone));
    verdicts.push(`worst-group accuracy over χ = ${chiArms.map(([a]) => a.chi).join(', ')}: ${accs.map((v) => v.toFixed(3)).join(', ')}: ` +
      `${statuses.at(-1)} (need non-decreasing)`);
  } else {
    statuses.push('not tested');
    verdicts.push('χ monotonicity: not tested (the χ sweep is not in this tier)');
  }
  const is = arms.findIndex((a) => a.name === 'IS-DPO');
  if (is >= 0) {
    const perSeed = results[best].map((r, s) => [r.final.worstAccuracy, results[is][s].final.worstAccuracy]);
    verdicts.push(`paired per seed, held-out worst-group accuracy ${armLabel(arms[best])} vs IS-DPO: ` +
      `${perSeed.map(([g, i], s) => `seed ${s} ${g.toFixed(3)} vs ${i.toFixed(3)}`).join('; ')}; GR higher in ` +
      `${perSeed.filter(([g, i]) => g > i).length}/${perSeed.length} (not a spec criterion)`);
  }
  const ipo = arms.findIndex((a) => a.name === 'IPO');
  const grIpo = arms.findIndex((a) => a.name === 'GR-IPO');
  if (ipo >= 0 && grIpo >= 0) {
    const wl = (k: number) => mean(results[k], (r) => r.final.worstLoss);
    verdicts.push(`GR-IPO vs IPO: held-out worst-group accuracy ${worstAcc(grIpo).toFixed(3)} vs ${worstAcc(ipo).toFixed(3)}, ` +
      `worst-group loss ${wl(grIpo).toFixed(3)} vs ${wl(ipo).toFixed(3)} (the paper's language-model comparison; not a spec criterion)`);
  }
  return { verdicts, outcome: outcomeOf(statuses) };
}

function curves(arms: AlignArm[], results: AlignResult[][]): Record<string, string> {
  const series = (pick: (r: AlignResult, i: number) => number) => arms.map((a, k) => ({
    name: armLabel(a),
    points: results[k][0].history.map((h, i) => [h.step, mean(results[k], (r) => pick(r, i))] as [number, number]),
  }));
  const minority = GROUPS - 1;
  return {
    'gpt-worst-group-loss.svg': nn.linePlot(series((r, i) => r.history[i].metrics.worstLoss),
      { title: 'Tiny GPT: held-out worst-group loss', xLabel: 'step', yLabel: 'worst-group loss' }),
    'gpt-worst-group-accuracy.svg': nn.linePlot(series((r, i) => r.history[i].metrics.worstAccuracy),
      { title: 'Tiny GPT: held-out worst-group accuracy', xLabel: 'step', yLabel: 'accuracy' }),
    'gpt-group-weights.svg': nn.linePlot(arms.flatMap((a, k) => (a.weighting !== 'robust' ? [] : [{
      name: `${armLabel(a)}`,
      points: results[k][0].history.map((h, i) => [h.step, mean(results[k], (r) => r.history[i].alpha[minority])] as [number, number]),
    }])), { title: `Tiny GPT: the minority group's weight α_${minority} (data share 0.1)`, xLabel: 'step', yLabel: `α_${minority}` }),
  };
}
