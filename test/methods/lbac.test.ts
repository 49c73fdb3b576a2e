import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { manualSeed, memory, noGrad, tensor, type Tensor } from '../../index.js';
import { makeRng, ReplayBuffer } from '../../methods/shared/rl/index.js';
import { isGoal, isSafe, isUnsafe, observe, quad2dStep, QUAD_PARAMS } from '../../methods/lbac/quad2d.js';
import { makeQuadEnv, stageCost, trainingStart, wideStart } from '../../methods/lbac/env.js';
import { LyapunovCritic, lyapunovTarget, maskedMean, safeHinge, unsafeHinge } from '../../methods/lbac/critic.js';
import { ARMS, makeSafeAcNets, safeAcUpdate, SAFE_AC_DEFAULTS, SAFE_AC_FIELDS } from '../../methods/lbac/safe-ac.js';
import { clbfSelfCheck } from '../../methods/lbac/clbf-check.js';
import { criteria } from '../../methods/lbac/report.js';
import type { RunResult } from '../../methods/lbac/train.js';

const s = suite('methods/lbac');
const CPU = { device: 'cpu', dtype: 'f64' } as const;
const vals = async (t: Tensor) => Array.from((await t.data()) as ArrayLike<number>);
const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);
const origin = [0, 0, 0, 0, 0, 0];

s('one control step from the origin at rest, by hand (spec §7)', () => {
  assert.equal(Array.from(quad2dStep(origin, [0, 0])), origin, 'hover thrust keeps the state exactly zero');
  // a = [1, 1]: v̇z = 8 for four substeps of 0.005: vz = 0.16, pz = 0.005·(0.04 + 0.08 + 0.12 + 0.16) = 0.002
  const up = quad2dStep(origin, [1, 1]);
  close(up[4], 0.16, 1e-12, 'vz');
  close(up[1], 0.002, 1e-12, 'pz');
  for (const i of [0, 2, 3, 5]) assert.is(up[i], 0);
  // a = [1, −1]: ω̇ = 0.25·8/0.01 = 200, so ω = 4.0, θ = 0.005·(1 + 2 + 3 + 4) = 0.05; vx from −9.81·sin θ at θ = 0, .005, .015, .03
  const spin = quad2dStep(origin, [1, -1]);
  close(spin[5], 4.0, 1e-12, 'ω');
  close(spin[2], 0.05, 1e-12, 'θ');
  close(spin[3], -2.452e-3, 1e-6, 'vx');
  close(spin[0], -1.84e-5, 1e-7, 'px');
  // actions outside [−1, 1] are clipped; the input state is not modified
  assert.equal(Array.from(quad2dStep(origin, [5, 5])), Array.from(up));
  assert.throws(() => quad2dStep([0, 0, 0], [0, 0]), /state needs 6 values/);
});

s('a generic step against a hand-integrated semi-implicit Euler step', () => {
  const s0 = [0.3, -0.05, 0.4, 0.2, -0.1, 1.5];
  const a = [0.3, -0.7];
  const { mass: m, inertia: I, arm: r, gravity: g } = QUAD_PARAMS;
  const uR = (m * g) / 2 + 4 * a[0];
  const uL = (m * g) / 2 + 4 * a[1];
  let [px, pz, th, vx, vz, om] = s0;
  for (let k = 0; k < 4; k++) {
    const h = 0.005;
    [vx, vz, om] = [
      vx - (h * (uR + uL) * Math.sin(th)) / m,
      vz + h * (((uR + uL) * Math.cos(th)) / m - g),
      om + (h * r * (uR - uL)) / I,
    ];
    [px, pz, th] = [px + h * vx, pz + h * vz, th + h * om];
  }
  Array.from(quad2dStep(s0, a)).forEach((v, i) => close(v, [px, pz, th, vx, vz, om][i], 1e-12, `component ${i}`));
});

s('safe / unsafe / goal masks (spec §7)', () => {
  const at = (x: number, z: number) => [x, z, 0, 0, 0, 0];
  assert.ok(isGoal(origin) && isSafe(origin) && !isUnsafe(origin));
  assert.ok(isUnsafe(at(-0.75, 0)), 'box 1');
  assert.ok(isUnsafe(at(0.5, 1.0)), 'box 2');
  assert.ok(isUnsafe(at(0, -0.35)), 'floor');
  for (const [x, z] of [
    [0, -0.2],
    [-0.45, 0],
  ])
    assert.ok(!isSafe(at(x, z)) && !isUnsafe(at(x, z)), `(${x}, ${z}) is band`);
  assert.ok(!isGoal([0, 0, 0, 2, 0, 0]), 'too fast for the goal');
  assert.ok(isUnsafe([5, 5, 0, 0, 0, 0]), '‖s‖ ≥ 7');
  const o = observe([1, 2, Math.PI / 2, 4, 6, Math.PI]);
  [0.5, 1, 1, Math.cos(Math.PI / 2), 2, 3, 0.5].forEach((v, i) => close(o[i], v, 1e-12, `obs ${i}`));
});

s('start distributions: training starts in their box, wide starts safe and at rest', () => {
  const rng = makeRng(5);
  for (let i = 0; i < 50; i++) {
    const t = trainingStart(rng);
    assert.ok(t[0] >= -0.9 && t[0] <= -0.6 && t[1] >= 0.6 && t[1] <= 1 && !isUnsafe(t));
    const w = wideStart(rng);
    assert.ok(isSafe(w) && !isGoal(w) && w.slice(2).every((v) => v === 0));
  }
});

s('cost, episode events and the L targets (spec §7)', async () => {
  close(stageCost([3, 0, 0, 0, 0, 0], 0.99, 2), 0.01, 1e-12, 'cost at distance ≥ D is 1 − γ');
  close(stageCost([1, 0, 0, 0, 0, 0], 0.99, 2), 0.005, 1e-12);
  // falling onto the floor from just above it: unsafe, terminal, SAC's crash reward
  const env = makeQuadEnv({ start: () => Float64Array.of(0.5, -0.29, 0, 0, -1, 0) });
  env.reset(makeRng(0));
  const crash = env.step([-1, -1]);
  assert.ok(crash.event === 'unsafe' && crash.terminal && crash.done && crash.reward === -10 && crash.nextUnsafe);
  const short = makeQuadEnv({ start: () => Float64Array.of(1.5, 1.5, 0, 0, 0, 0), horizon: 2 });
  short.reset(makeRng(0));
  assert.is(short.step([0, 0]).event, 'running');
  const cut = short.step([0, 0]);
  assert.ok(cut.event === 'timeout' && cut.done && !cut.terminal, 'a timeout ends the episode but is not terminal');
  // y: unsafe → c_u = 2, goal → c(s), otherwise (a timeout too) c(s) + γ·L̄(s′, a′)
  const y = lyapunovTarget(
    tensor([0.004, 0.004, 0.004], CPU),
    tensor([0, 1, 0], CPU),
    tensor([1, 0, 0], CPU),
    tensor([0.7, 0.7, 0.7], CPU),
    0.99,
    2,
  );
  const v = await vals(y);
  close(v[0], 2, 1e-12, 'unsafe');
  close(v[1], 0.004, 1e-12, 'goal');
  close(v[2], 0.004 + 0.99 * 0.7, 1e-12, 'bootstrap');
});

s('hinges and masked means: L = 0.5 on an unsafe state gives 0.55; band rows are ignored', async () => {
  close((await vals(unsafeHinge(tensor([0.5], CPU), 1, 0.05)))[0], 0.55, 1e-12);
  assert.equal(await vals(unsafeHinge(tensor([1.2], CPU), 1, 0.05)), [0]);
  close((await vals(safeHinge(tensor([1], CPU), 1, 0.05)))[0], 0.05, 1e-12);
  assert.equal(await vals(safeHinge(tensor([0.9], CPU), 1, 0.05)), [0]);
  close((await vals(maskedMean(tensor([1, 3, 100], CPU), tensor([1, 1, 0], CPU))))[0], 2, 1e-12);
  assert.equal(await vals(maskedMean(tensor([5], CPU), tensor([0], CPU))), [0]);
});

s('L-critic is non-negative; the actor gets gradient from L only through π(s′)', async () => {
  manualSeed(11);
  const critic = new LyapunovCritic(7, 2);
  const nets = makeSafeAcNets(ARMS.LBAC, { obsDim: 7, actDim: 2, lr: 1e-3 });
  const obs = tensor(
    Array.from({ length: 32 * 7 }, (_, i) => Math.sin(i)),
    { ...CPU, shape: [32, 7] },
  );
  const bufferAction = tensor(
    Array.from({ length: 64 }, (_, i) => Math.cos(i) * 0.9),
    { ...CPU, shape: [32, 2] },
  );
  assert.ok((await vals(critic.forward(obs, bufferAction))).every((v) => v >= 0));
  critic.forward(obs, bufferAction).mean().backward();
  assert.ok(
    nets.actor.parameters().every((p) => p.grad === null),
    'L at the buffer action gives the actor no gradient',
  );
  critic
    .forward(obs, nets.actor.sample(obs, makeRng(1)).action)
    .mean()
    .backward();
  const g = await vals(nets.actor.parameters()[0].grad!);
  assert.ok(
    g.some((v) => v !== 0),
    'L at π(s′) does',
  );
});

function toyBatch(buf: ReplayBuffer<typeof SAFE_AC_FIELDS>, n: number) {
  const rng = makeRng(2);
  for (let i = 0; i < n; i++) {
    const unsafe = i % 4 === 0;
    const goal = i % 4 === 1;
    buf.push({
      obs: Array.from({ length: 7 }, () => rng.range(-1, 1)),
      action: [rng.range(-1, 1), rng.range(-1, 1)],
      cost: 0.005,
      reward: -0.5,
      crash: unsafe ? 1 : 0,
      nextObs: Array.from({ length: 7 }, () => rng.range(-1, 1)),
      terminal: unsafe || goal ? 1 : 0,
      nextSafe: unsafe ? 0 : 1,
      nextUnsafe: unsafe ? 1 : 0,
      nextGoal: goal ? 1 : 0,
    });
  }
}

s("safeAcUpdate: the flags build exactly the arm's networks and move only its multipliers", async () => {
  const buf = new ReplayBuffer(64, SAFE_AC_FIELDS);
  toyBatch(buf, 64);
  for (const [arm, flags] of Object.entries(ARMS)) {
    manualSeed(3);
    const nets = makeSafeAcNets(flags, { obsDim: 7, actDim: 2, lr: 1e-3 });
    assert.is(nets.L !== null, flags.barrier || flags.decrease || flags.safetyConstraint, `${arm}: L critic`);
    assert.is(nets.Q !== null, flags.rewardCritic, `${arm}: Q critics`);
    assert.is(nets.Qc !== null, flags.costCritic, `${arm}: cost critic`);
    const cfg = { ...SAFE_AC_DEFAULTS, flags, muLr: 0.5, level: 0 }; // level 0: Δ_safe > 0, so μ_safe must move
    const batch = buf.gather(Array.from({ length: 64 }, (_, i) => i));
    await safeAcUpdate(batch, nets, cfg, makeRng(0), { freezeMultipliers: true });
    assert.equal([nets.logMuDecrease, nets.logMuSafe, nets.logMuCost], [0, 0, 0], `${arm}: frozen during warm-up`);
    const live = memory().tensors; // after the first step, Adam's state and the grads exist
    const losses = await safeAcUpdate(batch, nets, cfg, makeRng(0));
    assert.is(memory().tensors, live, `${arm}: an update leaves no tensor behind`);
    assert.is(nets.logMuDecrease !== 0, flags.decrease, `${arm}: μ_dec moves iff the decrease constraint is on`);
    assert.is(nets.logMuSafe !== 0, flags.safetyConstraint, `${arm}: μ_safe`);
    assert.is(nets.logMuCost !== 0, flags.costCritic, `${arm}: μ_cost`);
    assert.is(Number.isFinite(losses.lLoss), nets.L !== null);
    if (flags.decrease) close(nets.logMuDecrease, 0.5 * losses.decrease, 1e-12, `${arm}: μ step uses E[Δ_dec]`);
    for (const t of Object.values(batch)) t.dispose();
  }
});

s('CLBF self-check: a critic that is 0 everywhere fails "unsafe above c" and passes the other two', async () => {
  const critic = new LyapunovCritic(7, 2);
  noGrad(() => {
    for (const p of critic.parameters()) p.fill_(0);
  });
  const actor = makeSafeAcNets(ARMS.LBAC, { obsDim: 7, actDim: 2, lr: 1e-3 }).actor;
  const o = tensor(
    Array.from({ length: 28 }, (_, i) => i / 28),
    { ...CPU, shape: [4, 7] },
  );
  const check = await clbfSelfCheck(
    critic,
    actor,
    { unsafeObs: o, safeObs: o, obs: o, action: tensor(new Array(8).fill(0.1), { ...CPU, shape: [4, 2] }), nextObs: o },
    { level: 1, decreaseRate: 0.1 },
  );
  assert.equal(check, { unsafeAbove: 0, safeBelow: 100, decreasing: 100 });
});

s('verdict rules: a gap within the seed sd is "within noise", never a pass; missing arms are "not tested"', () => {
  const run = (arm: RunResult['arm'], violation: number, success: number): RunResult => ({
    arm,
    seed: 0,
    trainingViolations: 0,
    episodes: 0,
    clbf: null,
    curve: [],
    seconds: 0,
    eval: {
      train: { success, violation, timeout: 0, reachTime: 1, paths: [] },
      wide: { success, violation, timeout: 0, reachTime: 1, paths: [] },
    },
  });
  const runs = [
    run('LBAC', 10, 50),
    run('LBAC', 20, 50),
    run('SAC', 60, 0),
    run('SAC', 70, 0),
    run('LAC', 18, 50),
    run('LAC', 22, 50),
  ];
  const c = criteria(runs, 'train');
  assert.is(c[0].status, 'holds', 'LBAC 15 ± 7 vs SAC 65 ± 7');
  assert.is(c[1].status, 'within noise', 'LBAC 15 ± 7 vs LAC 20 ± 3');
  assert.is(c[2].status, 'not tested', 'no SAC-Lag runs');
  assert.is(
    criteria([run('LBAC', 0, 90), run('SAC', 90, 0)], 'train')[0].status,
    'not tested',
    'one seed has no sd to exceed',
  );
});

s.run();
