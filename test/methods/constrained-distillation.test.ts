import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, tensor, stack, type Tensor } from '../../index.js';
import { assertClose } from '../helpers.js';
import { tokenKl, tokenLogProbs, sampledLogRatio, pgLoss, maskTensor } from '../../methods/shared/lm-rl/index.js';
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
  const args = [{ R: 1, c: [0.6, 0.6], C: 1.2, logRatio: 0.7 }, 1, 0.5] as const;
  assert.is(armReward({ name: '', kind: 'task' }, ...args), 1);
  assertClose([armReward({ name: '', kind: 'lagrangian', lambda: 0.1 }, ...args)], [1 - 0.12], { atol: 1e-12 });
  assertClose([armReward({ name: '', kind: 'dual', lambda0: 0, eta: 0.05 }, ...args)], [1 - 0.6], { atol: 1e-12 });
  assert.is(armReward({ name: '', kind: 'modified', n: 1 }, ...args), -1);
  assert.is(armReward({ name: '', kind: 'perToken', n: 1 }, ...args), -1);
  assertClose([armReward({ name: '', kind: 'distill' }, ...args)], [-1.2], { atol: 1e-12 });
  assertClose([armReward({ name: '', kind: 'distillSampled' }, ...args)], [-0.7], { atol: 1e-12 });
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

// A two-step tabular student over tokens {a, b}: state s0 (logits L0), then s_a or s_b (La, Lb) after the first
// token. Enumerating the four responses gives the exact expectation of the policy-gradient step, Σ_y π(y)·A(y)·∇ log π(y),
// through the same tokenKl, tokenLogProbs and pgLoss the RL loop uses (advantages weighted by π(y), times the batch
// size because pgLoss averages over the batch; each response has two tokens, so pgLoss's token mean halves it).
function twoStepToy() {
  const leaf = (v: number[]) => tensor(v, { dtype: 'f64', device: 'cpu' }).requiresGrad_();
  const student = { L0: leaf([0.3, -0.2]), La: leaf([1.5, -1]), Lb: leaf([-0.4, 0.2]) };
  const teacher = [
    tensor([0.5, -0.5], { dtype: 'f64', device: 'cpu' }),
    ...[
      [-0.3, 0.4],
      [0.1, 0.9],
    ].map((v) => tensor(v, { dtype: 'f64', device: 'cpu' })),
  ];
  const responses = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const logitsOf = (rows: readonly Tensor[]) => stack(responses.map(([first]) => stack([rows[0], rows[1 + first]])));
  const studentLogits = () => logitsOf([student.L0, student.La, student.Lb]);
  const teacherLogits = logitsOf(teacher);
  const mask = maskTensor(
    responses.map(() => [1, 1]),
    'cpu',
  );
  return { student, responses, studentLogits, teacherLogits, mask };
}

s(
  'stop-gradient cost: the expected step on reward −C never moves the last state toward the teacher; the sampled log-ratio does',
  async () => {
    const toy = twoStepToy();
    const params = [toy.student.L0, toy.student.La, toy.student.Lb];
    const grads = async () => Promise.all(params.map(async (p) => Array.from(await p.grad!.data())));
    const zeroGrads = () => params.forEach((p) => (p.grad = null));
    // the true gradient of E_π[C] = Σ_y π(y)·Σ_t KL(π ‖ π_T)(s_t), through both the sampling and the cost
    const logits = toy.studentLogits();
    const logPi = tokenLogProbs(logits, toy.responses).sum(1);
    logPi
      .exp()
      .mul(tokenKl(logits, toy.teacherLogits, toy.mask).sum(1))
      .sum()
      .backward();
    const trueGrad = await grads();
    zeroGrads();
    const pi = Array.from(await logPi.detach().exp().data());
    const expectedStep = async (rewardOf: (detachedLogits: Tensor) => Tensor) => {
      const r = Array.from(await rewardOf(toy.studentLogits().detach()).data());
      const baseline = r.reduce((acc, v, i) => acc + pi[i] * v, 0);
      const advantages = r.map((v, i) => r.length * pi[i] * (v - baseline));
      const live = toy.studentLogits();
      const A = tensor(advantages, { dtype: 'f64', device: 'cpu' }); // a tensor: a host array would round to f32
      pgLoss(tokenLogProbs(live, toy.responses), A, toy.mask).backward();
      const g = await grads();
      zeroGrads();
      return g.map((row) => row.map((v) => 2 * v)); // undo the token mean over the two tokens
    };
    // reward −C with the exact per-state KL: C does not depend on the last token, so the last state's logits get no
    // expected gradient, although the student differs from the teacher there; only the first choice (the path) moves
    const exact = await expectedStep((l) => tokenKl(l, toy.teacherLogits, toy.mask).sum(1).neg());
    assertClose(exact[1], [0, 0], { atol: 1e-12 });
    assertClose(exact[2], [0, 0], { atol: 1e-12 });
    assert.ok(Math.hypot(...trueGrad[1]) > 0.05, `the true gradient at s_a is ${trueGrad[1]}`);
    // reward −Σ_t (log π(y_t) − log π_T(y_t)): the score-function step is the true gradient of E[C] (E[∇ log π] = 0)
    const sampled = await expectedStep((l) =>
      sampledLogRatio(tokenLogProbs(l, toy.responses), tokenLogProbs(toy.teacherLogits, toy.responses), toy.mask)
        .sum(1)
        .neg(),
    );
    sampled.forEach((g, k) => assertClose(g, trueGrad[k], { atol: 1e-10, msg: `parameter ${k}` }));
  },
);

s.run();
