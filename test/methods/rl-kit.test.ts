import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { manualSeed, nn, noGrad, tensor, type Tensor } from '../../index.js';
import {
  eventRates,
  formatMeanSd,
  hardUpdate,
  lagrangeStep,
  LearningCurves,
  makeRng,
  makeSacAgent,
  meanSd,
  polyakUpdate,
  ReplayBuffer,
  SAC_DEFAULTS,
  SAC_FIELDS,
  sacUpdate,
  softQTarget,
  SquashedGaussianActor,
  squashedGaussianLogProb,
  temperatureStep,
  gae,
  ppoClipLoss,
  type Episode,
} from '../../methods/shared/rl/index.js';

const s = suite('methods/shared/rl');
const CPU = { device: 'cpu', dtype: 'f64' } as const;
const vals = async (t: Tensor) => Array.from((await t.data()) as ArrayLike<number>);
const close = (a: number, b: number, tol = 1e-6, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);

s('polyakUpdate: τ = 0.005, target 0, online 1 → 0.005; hardUpdate copies', async () => {
  const online = new nn.Linear(3, 2, CPU);
  const target = new nn.Linear(3, 2, CPU);
  noGrad(() => {
    for (const p of online.parameters()) p.fill_(1);
    for (const p of target.parameters()) p.fill_(0);
  });
  polyakUpdate(target, online, 0.005);
  for (const p of target.parameters()) for (const v of await vals(p)) close(v, 0.005, 1e-12);
  hardUpdate(target, online);
  for (const p of target.parameters()) for (const v of await vals(p)) close(v, 1, 1e-12);
  assert.throws(() => polyakUpdate(target, new nn.Linear(3, 3, CPU), 0.1), /shapes differ/);
});

s('ReplayBuffer: rows come back in order, the ring overwrites the oldest, bad widths raise', async () => {
  const buf = new ReplayBuffer(2, { obs: 2, r: 1 });
  buf.push({ obs: [1, 2], r: 10 });
  buf.push({ obs: [3, 4], r: 20 });
  buf.push({ obs: [5, 6], r: 30 }); // overwrites row 0
  assert.is(buf.size, 2);
  const b = buf.gather([0, 1, 0]);
  assert.equal(await vals(b.obs), [5, 6, 3, 4, 5, 6]);
  assert.equal(b.obs.shape, [3, 2]);
  assert.equal(await vals(b.r), [30, 20, 30]);
  assert.throws(() => buf.push({ obs: [1], r: 0 }), /field 'obs' needs 2 values, got 1/);
  const idx = buf.sampleIndices(50, makeRng(1));
  assert.ok(idx.every((i) => i === 0 || i === 1) && idx.includes(0) && idx.includes(1));
  assert.throws(() => new ReplayBuffer(4, { obs: 2 }).sampleIndices(1, makeRng(0)), /empty/);
});

s('squashedGaussianLogProb: u = 0, σ = 1 in 2D is −log 2π = −1.83788; a 1-D case by hand', async () => {
  const z = tensor([[0, 0]], CPU);
  close((await vals(squashedGaussianLogProb(z, z, z)))[0], -1.83788, 1e-5);
  // u = 0.5, μ = 0.2, σ = 0.5: log N = −½·0.6² − log 0.5 − ½ log 2π, minus log(1 − tanh² 0.5)
  const hand = -0.5 * 0.36 - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - Math.tanh(0.5) ** 2);
  const lp = squashedGaussianLogProb(tensor([[0.5]], CPU), tensor([[0.2]], CPU), tensor([[Math.log(0.5)]], CPU));
  close((await vals(lp))[0], hand, 1e-9);
});

s('SquashedGaussianActor: actions inside (−1, 1), meanAction = tanh(μ), log-std clipped', async () => {
  manualSeed(3);
  const actor = new SquashedGaussianActor(3, 2, { hidden: [8] });
  const obs = tensor(
    [
      [0.1, -0.2, 0.3],
      [1, 2, 3],
    ],
    CPU,
  );
  const { action, logProb } = actor.sample(obs, makeRng(0));
  assert.equal(action.shape, [2, 2]);
  assert.equal(logProb.shape, [2]);
  assert.ok((await vals(action)).every((a) => a > -1 && a < 1));
  const { mean, logStd } = actor.forward(obs);
  const m = await vals(mean);
  (await vals(actor.meanAction(obs))).forEach((a, i) => close(a, Math.tanh(m[i]), 1e-12));
  assert.ok((await vals(logStd)).every((v) => v >= -5 && v <= 1));
});

s('lagrangeStep: log μ = 0, η = 0.1, E[Δ] = 0.5 gives μ = 1.0513; the cap holds', () => {
  close(Math.exp(lagrangeStep(0, 0.5, 0.1)), 1.05127, 1e-5);
  close(Math.exp(lagrangeStep(Math.log(99), 10, 1, 100)), 100, 1e-9);
  assert.ok(lagrangeStep(0, -0.5, 0.1) < 0, 'a satisfied constraint lowers μ');
  assert.throws(() => lagrangeStep(0, NaN, 0.1), /meanDelta must be finite/);
});

s('temperatureStep: α falls when entropy exceeds the target, rises when it is below', () => {
  // H̄ = −2: E[log π] = 0 means entropy 0 > −2, so log α must decrease: 0 + 0.1·(0 − 2) = −0.2
  close(temperatureStep(0, 0, -2, 0.1), -0.2, 1e-12);
  // E[log π] = 5 means entropy −5 < −2: log α rises by 0.1·3
  close(temperatureStep(0, 5, -2, 0.1), 0.3, 1e-12);
});

s('softQTarget: r + γ(1 − done)(Q − α log π); terminal rows do not bootstrap', async () => {
  const y = softQTarget(tensor([1, 1], CPU), tensor([0, 1], CPU), tensor([2, 2], CPU), tensor([-1, -1], CPU), 0.9, 0.5);
  const v = await vals(y);
  close(v[0], 1 + 0.9 * (2 + 0.5), 1e-12);
  close(v[1], 1, 1e-12);
});

s('gae: a hand-computed 3-step rollout; a terminal does not bootstrap, a time-limit cut does', () => {
  // steps 0, 1 in one episode ending in a crash (terminal) at step 1; step 2 is cut by the time limit
  const x = { rewards: [1, 2, 3], values: [0.5, 1, 2], nextValues: [1, 9, 4], terminal: [0, 1, 0], done: [0, 1, 1] };
  const { advantages, returns } = gae(x, 0.9, 0.5);
  const d2 = 3 + 0.9 * 4 - 2; // cut: bootstraps from V(s_3) = 4
  const d1 = 2 + 0 - 1; // terminal: no bootstrap
  const d0 = 1 + 0.9 * 1 - 0.5;
  close(advantages[2], d2, 1e-12);
  close(advantages[1], d1, 1e-12, 'the sum stops at the episode end');
  close(advantages[0], d0 + 0.45 * d1, 1e-12);
  close(returns[0], advantages[0] + 0.5, 1e-12);
  assert.throws(() => gae({ ...x, done: [0] }, 0.9, 0.5), /done has 1 entries, rewards has 3/);
});

s("ppoClipLoss: −E[min(ρA, clip(ρ)A)]; no gradient once ρ leaves the trust region in A's favour", async () => {
  const old = tensor([0, 0], CPU);
  const lp = tensor([Math.log(1.5), Math.log(0.9)], CPU).requiresGrad_();
  const loss = ppoClipLoss(lp, old, tensor([1, -2], CPU), 0.2);
  // row 0: ρ = 1.5, A = 1 → min(1.5, 1.2) = 1.2 (clipped); row 1: ρ = 0.9, A = −2 → min(−1.8, −1.8) = −1.8
  close((await vals(loss))[0], -(1.2 - 1.8) / 2, 1e-12);
  loss.backward();
  const g = await vals(lp.grad!);
  close(g[0], 0, 1e-12, 'clipped row');
  close(g[1], -(-2 * 0.9) / 2, 1e-12, 'unclipped row: −A·ρ/B');
});

s('SAC on a 1-D bandit with optimum a* = 0.5: the mean action converges there', async () => {
  // one-step episodes, r(a) = −(a − 0.5)², so Q(a) = r(a) and the soft-optimal mean action is near 0.5
  manualSeed(7);
  const rng = makeRng(7);
  const agent = makeSacAgent(1, 1, { hidden: [32, 32], lr: 3e-3, initAlpha: 0.01 });
  const buf = new ReplayBuffer(1000, SAC_FIELDS(1, 1));
  for (let i = 0; i < 1000; i++) {
    const a = rng.range(-1, 1);
    buf.push({ obs: [1], action: [a], reward: -((a - 0.5) ** 2), nextObs: [1], terminal: 1 });
  }
  const cfg = { ...SAC_DEFAULTS, targetEntropy: -1, alphaLr: 1e-2 };
  for (let i = 0; i < 300; i++) {
    const b = buf.sample(64, rng);
    await sacUpdate(b, agent, cfg, rng);
    for (const t of Object.values(b)) t.dispose();
  }
  const a = (await vals(agent.actor.meanAction(tensor([[1]], CPU))))[0];
  assert.ok(Math.abs(a - 0.5) < 0.1, `mean action ${a} should be near 0.5`);
});

s('eventRates, meanSd and LearningCurves', () => {
  const ep = (event: string) => ({ event, length: 1, return: 0, steps: [] }) as Episode;
  assert.equal(eventRates([ep('goal'), ep('goal'), ep('unsafe'), ep('timeout')], ['goal', 'unsafe']), {
    goal: 50,
    unsafe: 25,
  });
  const m = meanSd([1, 2, 3, NaN]);
  assert.equal([m.mean, m.sd, m.n], [2, 1, 3]);
  assert.is(formatMeanSd([1, 3]), '2.0 ± 1.4');
  const c = new LearningCurves();
  c.add('A', 0, 10, { x: 1 });
  c.add('A', 1, 10, { x: 3 });
  assert.is(c.toCsv(), 'series,seed,step,x\nA,0,10,1\nA,1,10,3\n');
  assert.equal(c.meanSeries('x'), [{ name: 'A', points: [[10, 2]] }]);
  assert.ok(c.svg('x').startsWith('<svg'));
});

s.run();
