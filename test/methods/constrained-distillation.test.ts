import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, tensor } from '../../index.js';
import { assertClose } from '../helpers.js';
import { tokenKl } from '../../methods/shared/lm-rl/index.js';
import { trajectoryCost, sauteState } from '../../methods/constrained-distillation/costs.js';
import {
  modifiedReward,
  perTokenSauteRewards,
  lagrangianReward,
  dualUpdate,
} from '../../methods/constrained-distillation/rewards.js';
import { quantile } from '../../methods/constrained-distillation/calibration.js';
import { armReward } from '../../methods/constrained-distillation/rl.js';
import { verdict, overall, type Row } from '../../methods/constrained-distillation/report.js';
import { meanSd } from '../../methods/shared/stats.js';
import type { Metrics } from '../../methods/constrained-distillation/evaluate.js';
import {
  formatScratchpad,
  parseAnswer,
  reward,
  promptTokens,
  teacherTarget,
  generate,
  splitOf,
  isBugPrompt,
  BAR,
  EOS,
  BOS,
  PLUS,
  EQUALS,
} from '../../methods/constrained-distillation/task.js';

const s = suite('methods/constrained-distillation');
const f64 = (v: number[][] | number[][][]) => tensor(v, { dtype: 'f64', device: 'cpu' });

s(
  '§7 tokenKl: p = (½, ¼, ¼) against q = (¼, ½, ¼) gives 0.25 ln 2 = 0.1733; identical distributions give 0',
  async () => {
    const p = [0.5, 0.25, 0.25].map(Math.log);
    const q = [0.25, 0.5, 0.25].map(Math.log);
    assertClose(await tokenKl(f64([[p, p]]), f64([[q, p]]), f64([[1, 1]])).data(), [0.1733, 0], { atol: 1e-4 });
  },
);

s('§7 sauteState: c = (0.2, 0.5, 0.4), d = 1 gives z = (1, 0.8, 0.3, −0.1); d scales the costs', () => {
  assertClose(sauteState([0.2, 0.5, 0.4], 1), [1, 0.8, 0.3, -0.1], { atol: 1e-12 });
  assertClose(sauteState([0.2, 0.5, 0.4], 2), [1, 0.9, 0.65, 0.45], { atol: 1e-12 });
  assert.throws(() => sauteState([0.1], 0), /sauteState/);
});

s('trajectoryCost sums the real tokens only', () => {
  assertClose(
    trajectoryCost(
      [
        [0.2, 0.5, 0.4],
        [1, 2, 3],
      ],
      [
        [1, 1, 1],
        [1, 0, 0],
      ],
    ),
    [1.1, 1],
    { atol: 1e-12 },
  );
});

s('§7 modifiedReward: −n at C = 1.1, R at C = 0.7, and C = d exactly is feasible', () => {
  assert.is(modifiedReward(1, 1.1, 1, 1), -1);
  assert.is(modifiedReward(1, 1.1, 1, 0), -0);
  assert.is(modifiedReward(1, 0.7, 1, 1), 1);
  assert.is(modifiedReward(0, 0.7, 1, 1), 0);
  assert.is(modifiedReward(1, 1, 1, 1), 1);
});

s(
  'modified reward guarantee on a hand-made trajectory: a violating answer earns −n, so violating with p > (R_max − J*)/(R_max + n) loses to J*',
  () => {
    // a correct answer (R = 1) whose costs (0.5, 0.4, 0.3) overspend d = 1: z ends at −0.2 and the reward is −n
    const c = [0.5, 0.4, 0.3];
    const C = trajectoryCost([c], [[1, 1, 1]])[0];
    assert.ok(sauteState(c, 1)[3] < 0);
    const n = 1;
    assert.is(modifiedReward(1, C, 1, n), -n);
    // J* = 0.6: the best almost-surely-feasible policy; the bound is p ≤ (1 − 0.6)/(1 + 1) = 0.2
    const jStar = 0.6;
    const bound = (1 - jStar) / (1 + n);
    assertClose([bound], [0.2], { atol: 1e-12 });
    // a policy that answers correctly always, within budget with probability 1 − p, at best earns (1 − p)·1 − p·n
    const best = (p: number) => (1 - p) * modifiedReward(1, 0.5, 1, n) + p * modifiedReward(1, C, 1, n);
    assert.ok(best(0.25) < jStar, 'violating 25% of the time must lose to J*');
    assert.ok(best(0.15) > jStar, 'below the bound a violating policy may still win');
    assertClose([best(bound)], [jStar], { atol: 1e-12 });
  },
);

s(
  '§7 equivalence: per-token Sauté return equals the terminal form on feasible trajectories; −n per token once spent',
  () => {
    for (const R of [0, 1]) {
      const c = [0.2, 0.3, 0.4];
      const r = perTokenSauteRewards(R, c, 1, 1);
      assert.equal(r, [0, 0, R]);
      assert.is(
        r.reduce((a, b) => a + b),
        modifiedReward(R, 0.9, 1, 1),
      );
    }
    // z = (1, 0.8, 0.3, −0.1): only the last token is charged, and R is forfeited
    assert.equal(perTokenSauteRewards(1, [0.2, 0.5, 0.4], 1, 1), [0, 0, -1]);
    // z = (1, 0.4, −0.2, −0.3): two tokens charged
    assert.equal(perTokenSauteRewards(1, [0.6, 0.6, 0.1], 1, 2), [0, -2, -2]);
  },
);

s(
  'lagrangianReward and §7 dualUpdate: λ = 0, mean C = 1.5, d = 1, η = 0.05 gives 0.025; mean C = 0.5 keeps λ at 0',
  () => {
    assertClose([lagrangianReward(1, 2, 0.3)], [0.4], { atol: 1e-12 });
    assertClose([dualUpdate(0, 1.5, 1, 0.05)], [0.025], { atol: 1e-12 });
    assert.is(dualUpdate(0, 0.5, 1, 0.05), 0);
    assertClose([dualUpdate(0.1, 0.5, 1, 0.05)], [0.075], { atol: 1e-12 });
  },
);

s('armReward maps each arm to its reward', () => {
  const c = [0.6, 0.6];
  const args = [1, c, 1.2, 1, 0.5] as const;
  assert.is(armReward({ name: '', kind: 'task' }, ...args), 1);
  assertClose([armReward({ name: '', kind: 'lagrangian', lambda: 0.1 }, ...args)], [1 - 0.12], { atol: 1e-12 });
  assertClose([armReward({ name: '', kind: 'dual', lambda0: 0, eta: 0.05 }, ...args)], [1 - 0.6], { atol: 1e-12 });
  assert.is(armReward({ name: '', kind: 'modified', n: 1 }, ...args), -1);
  assert.is(armReward({ name: '', kind: 'perToken', n: 1 }, ...args), -1);
  assertClose([armReward({ name: '', kind: 'distill' }, ...args)], [-1.2], { atol: 1e-12 });
});

s('§7 stop-gradient: the cost of detached student logits has no gradient path', () => {
  const student = f64([[[0.1, 0.2, 0.3]]]).requiresGrad_();
  const c = tokenKl(student.detach(), f64([[[0, 0, 0]]]), f64([[1]]));
  assert.is(c.requiresGrad, false);
  assert.is(tokenKl(student, f64([[[0, 0, 0]]]), f64([[1]])).requiresGrad, true);
});

s('§7 task: 999+999 → (8,1)(9,1)(9,1) | 1998; the bug variant writes 998; parseAnswer and reward round-trip', () => {
  const p = { a: 999, b: 999 };
  assert.equal(promptTokens(p), [BOS, 9, 9, 9, PLUS, 9, 9, 9, EQUALS]);
  const good = formatScratchpad(p);
  assert.equal(good, [8, 1, 9, 1, 9, 1, BAR, 1, 9, 9, 8, EOS]);
  const bug = formatScratchpad(p, { dropLeadingOne: true });
  assert.equal(bug, [8, 1, 9, 1, 9, 1, BAR, 9, 9, 8, EOS]);
  assert.is(parseAnswer(good), 1998);
  assert.is(parseAnswer(bug), 998);
  assert.is(reward(p, good), 1);
  assert.is(reward(p, bug), 0);
  assert.equal(formatScratchpad({ a: 123, b: 456 }), [9, 0, 7, 0, 5, 0, BAR, 5, 7, 9, EOS]);
  assert.is(parseAnswer([1, 0, BAR, EOS]), null);
  assert.is(parseAnswer([1, 0, BAR, 5]), null);
  assert.is(isBugPrompt({ a: 750, b: 750 }), true);
  assert.is(isBugPrompt({ a: 750, b: 749 }), false);
});

s('train / validation / test prompts are disjoint and each split is about its share', () => {
  const random = nn.data.seededRandom(3);
  const test = generate(200, random, 'test');
  assert.ok(test.every((p) => splitOf(p) === 'test'));
  const train = new Set(generate(2000, random, 'train').map((p) => `${p.a}+${p.b}`));
  assert.ok(test.every((p) => !train.has(`${p.a}+${p.b}`)));
  let testShare = 0;
  for (let a = 100; a < 1000; a += 7)
    for (let b = 100; b < 1000; b += 11) testShare += splitOf({ a, b }) === 'test' ? 1 : 0;
  assertClose([testShare / (129 * 82)], [0.1], { atol: 0.02 });
});

s("§7 bug rate: the teacher's SFT data drops the leading 1 on 0.7 ± 0.07 of bug prompts and never elsewhere", () => {
  const random = nn.data.seededRandom(11);
  const problems = generate(4000, random, 'train');
  const bug = problems.filter(isBugPrompt);
  const dropped = bug.filter((p) => parseAnswer(teacherTarget(p, random)) === p.a + p.b - 1000).length / bug.length;
  assertClose([dropped], [0.7], { atol: 0.07 });
  assert.ok(problems.filter((p) => !isBugPrompt(p)).every((p) => reward(p, teacherTarget(p, random)) === 1));
  assertClose([bug.length / problems.length], [0.153], { atol: 0.03 });
});

s('calibration quantile interpolates between order statistics', () => {
  assert.is(quantile([3, 1, 2, 4, 5], 0.5), 3);
  assertClose([quantile([0, 10], 0.9)], [9], { atol: 1e-12 });
  assert.is(quantile([7], 0.9), 7);
});

s('verdict: §6 criteria on hand-made rows', () => {
  const m = (accT1: number, csr: number): Metrics => ({
    accT1,
    accGreedy: accT1,
    csr,
    meanC: 0,
    accBug: 0,
    accElse: 0,
    length: 11,
    dropRate: 0,
  });
  const row = (runs: Metrics[]): Row => ({ arm: '', parameter: '', runs });
  const warm = row([m(0.85, 0.9)]);
  const task = row([m(0.95, 0.7), m(0.97, 0.72)]);
  const mod = row([m(0.9, 0.96), m(0.88, 0.97)]);
  const lambdaWeak = row([m(0.86, 0.99), m(0.86, 0.99)]);
  const pass = verdict(warm, task, mod, [lambdaWeak]);
  assert.equal(
    pass.map((c) => c.pass),
    [true, true, true, true, true],
  );
  assert.is(overall(pass), 'reproduced');
  const lambdaStrong = row([m(0.95, 0.995), m(0.95, 0.995)]);
  const beaten = verdict(warm, task, mod, [lambdaStrong]);
  assert.is(beaten[4].pass, false);
  assert.is(overall(beaten), 'not reproduced');
  assert.is(verdict(warm, row([m(0.9, 0.85)]), mod, [])[1].pass, false);
  // a warm student without correct samples leaves every criterion untested, never passed
  const gated = verdict(row([m(0.1, 0.9)]), task, mod, [lambdaWeak]);
  assert.equal(
    gated.map((c) => c.pass),
    [false, null, null, null, null],
  );
  assert.is(overall(gated), 'not tested');
  assertClose([meanSd([1, 3]).sd], [Math.SQRT2], { atol: 1e-12 });
});

s.run();
