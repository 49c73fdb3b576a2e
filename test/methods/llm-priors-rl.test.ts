import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, manualSeed } from '../../index.js';
import { categoricalKl, CPU64, makeRng, ppoClipLoss } from '../../methods/shared/rl/index.js';
import { makeFrozenLakeText } from '../../methods/llm-priors-rl/frozen-lake.js';
import { makeHouseholdEnv } from '../../methods/llm-priors-rl/household.js';
import { KITCHEN_REWARD, makeKitchenEnv } from '../../methods/llm-priors-rl/kitchen.js';
import { cqlPriorLoss, posteriorProbs, proposalCounts, tdTargetPrior } from '../../methods/llm-priors-rl/posterior.js';
import { priorProbs, trainPrior, PRIOR_DEFAULTS } from '../../methods/llm-priors-rl/prior.js';
import { ProposalCache, sampleProposals } from '../../methods/llm-priors-rl/proposals.js';
import type { TextEnv, TextObs, TextStep } from '../../methods/llm-priors-rl/text-env.js';
import type { ActionScorer } from '../../methods/llm-priors-rl/oracle.js';
import { runPpoKl } from '../../methods/llm-priors-rl/ppo-kl.js';
import { runValueAgent } from '../../methods/llm-priors-rl/online.js';

const s = suite('methods/llm-priors-rl');
const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);
const t1 = (xs: number[]) => tensor(Float64Array.from(xs), { shape: [xs.length], ...CPU64 });

s('posterior on 3 actions: prior [.5,.3,.2], Q [1,0,2], α = 1; 20,000 reweighted proposals agree within 0.01', () => {
  const exact = posteriorProbs([1, 0, 2], [0.5, 0.3, 0.2], 1);
  [0.43327, 0.09563, 0.4711].forEach((v, i) => close(exact[i], v, 1e-5, `q[${i}]`));
  const est = posteriorProbs([1, 0, 2], proposalCounts(sampleProposals([0.5, 0.3, 0.2], 20000, makeRng(3)), 3), 1);
  est.forEach((v, i) => close(v, exact[i], 0.01, `sampled q[${i}]`));
});

s('duplicate weighting: proposals [a, a, b], Q(a) = 1, Q(b) = 0, β = 1 → 2e/(2e+1), 1/(2e+1), 0', () => {
  const p = posteriorProbs([1, 0, 5], proposalCounts([0, 0, 1], 3), 1);
  close(p[0], 0.84464, 1e-5);
  close(p[1], 0.15536, 1e-5);
  assert.is(p[2], 0); // c was never proposed: no mass, whatever its Q
});

s('TD target over next proposals [0.5, 1, 1]: r = 0.2, γ = 0.99 → 1.19; terminal → 0.2', () => {
  close(tdTargetPrior(0.2, false, [0.5, 1, 1], 0.99), 1.19, 1e-12);
  close(tdTargetPrior(0.2, true, [0.5, 1, 1], 0.99), 0.2, 1e-12);
});

s(
  'CQL-Prior: proposal Q [1, 2, 3], Q_data = 2 → gap 1.40761, penalty 7.03803 at c = 5 (TD term added on top)',
  async () => {
    const q = tensor(Float64Array.from([1, 2, 3]), { shape: [1, 3], ...CPU64 });
    close((await cqlPriorLoss(q, t1([2]), t1([2]), 5).item()) as number, 7.03803, 1e-5, 'penalty alone');
    close((await cqlPriorLoss(q, t1([2]), t1([1]), 5).item()) as number, 7.03803 + 0.5, 1e-5, 'with ½(2 − 1)²');
  },
);

s('KL([0.5, 0.5] ‖ [0.9, 0.1]) = 0.51083', () => {
  close(categoricalKl([0.5, 0.5], [0.9, 0.1]), 0.51083, 1e-5);
  close(categoricalKl([0, 1], [0.5, 0.5]), Math.log(2), 1e-12);
});

s('proposal cache: a repeated observation returns the same multiset; duplicates are kept', () => {
  const cache = new ProposalCache(10, makeRng(1));
  const a = cache.get('obs x', [0.7, 0.3]);
  assert.equal(cache.get('obs x', [0, 1]), a); // the second probs are ignored: the cache is keyed by the string
  assert.is(a.length, 10);
  assert.ok(new Set(a).size < a.length, 'duplicates kept');
  assert.is(cache.size, 1);
});

s('PPO clip: ratio 1.5 with A > 0 is clipped to 1.2; ratio 0.5 with A > 0 is not', async () => {
  const loss = async (ratio: number, adv: number) =>
    (await ppoClipLoss(t1([Math.log(ratio)]), t1([0]), t1([adv]), 0.2).item()) as number;
  close(await loss(1.5, 2), -2.4, 1e-12);
  close(await loss(0.5, 2), -1, 1e-12);
  close(await loss(0.5, -1), 0.8, 1e-12); // A < 0: the pessimistic clipped 0.8·(−1)
});

function solveWithExpert(env: TextEnv, task: number): boolean {
  env.reset(task);
  for (let t = 0; t < env.horizon; t++) {
    const r = env.step(env.expertAction());
    if (r.success) return true;
    if (r.done) return false;
  }
  return false;
}

s('environments: the expert solves every task within the horizon', () => {
  for (const make of [makeHouseholdEnv, makeKitchenEnv, makeFrozenLakeText]) {
    const env = make();
    assert.ok(env.trainTasks.length > 0);
    for (const task of [...env.trainTasks, ...env.heldOutTasks])
      assert.ok(solveWithExpert(env, task), `${env.name} task ${task}`);
  }
  const h = makeHouseholdEnv();
  assert.is(h.trainTasks.length, 28);
  assert.is(h.heldOutTasks.length, 26);
});

s('household: `open` changes the admissible list (a closed fridge shows nothing to take)', () => {
  const env = makeHouseholdEnv();
  let o = env.reset(0);
  o = env.step(o.admissible.indexOf('go to fridge'));
  assert.ok(o.obs.includes('fridge closed'));
  assert.ok(!o.admissible.some((a) => a.startsWith('take')));
  const opened = env.step(o.admissible.indexOf('open fridge'));
  assert.ok(opened.admissible.includes('close fridge') && !opened.admissible.includes('open fridge'));
  assert.not.equal(opened.admissible, o.admissible);
});

s('kitchen rewards follow the table: +0.2 per subtask, +1 correct delivery, −0.1 wrong, −0.001 per step', () => {
  const env = makeKitchenEnv();
  let o = env.reset(0); // tomato + lettuce
  const act = (a: string) => {
    const r = env.step(o.admissible.indexOf(a));
    o = r;
    return r.reward;
  };
  close(act('get onion'), KITCHEN_REWARD.step, 1e-12);
  close(act('chop onion'), KITCHEN_REWARD.step, 1e-12); // not in the recipe: no subtask reward
  close(act('plate onion'), KITCHEN_REWARD.step, 1e-12);
  close(act('deliver'), KITCHEN_REWARD.step + KITCHEN_REWARD.wrongDeliver, 1e-12);
  close(act('get tomato'), -0.001, 1e-12);
  close(act('chop tomato'), 0.2 - 0.001, 1e-12);
  close(act('plate tomato'), 0.2 - 0.001, 1e-12);
  for (const a of ['get lettuce', 'chop lettuce', 'plate lettuce']) act(a);
  close(act('deliver'), 1 - 0.001, 1e-12);
  assert.throws(() => env.step(99), /outside/);
});

s('prior: priorProbs sums to 1 over the admissible actions', async () => {
  const env = makeFrozenLakeText();
  const o = env.reset(0);
  const model = await trainPrior([{ context: o.obs, action: o.admissible[1] }], env.words, {
    ...PRIOR_DEFAULTS,
    nEmbd: 16,
    nHead: 2,
    nLayer: 1,
    epochs: 3,
  });
  const p = await priorProbs(model, o.obs, o.admissible);
  close(
    p.reduce((a, b) => a + b, 0),
    1,
    1e-9,
  );
  assert.is(p.length, 4);
  assert.ok(p[1] > 0.25, `training on one demo raises its action: ${Array.from(p)}`);
});

// A corridor of cells 0..L: "left" / "right", reward 1 on reaching L (a terminal success), horizon 2L. The scorer
// gives each (cell, action) a one-hot feature and a uniform prior, so what the agents learn comes from the reward
// alone: each agent's whole training loop (rollouts, targets or advantages, the loss's sign, the optimiser) must
// take its greedy policy to the end of the corridor. A flipped advantage sign leaves PPO at 0%.
const CORRIDOR = 4;
function corridor(): TextEnv {
  let cell = 0;
  let t = 0;
  const obs = (): TextObs => ({ obs: `at ${cell}`, admissible: ['left', 'right'] });
  return {
    name: 'corridor',
    horizon: 2 * CORRIDOR,
    trainTasks: [0],
    heldOutTasks: [0],
    words: ['at', 'left', 'right'],
    reset: () => ((cell = 0), (t = 0), obs()),
    step(i: number): TextStep {
      cell = Math.max(0, cell + (i === 1 ? 1 : -1));
      t++;
      const success = cell === CORRIDOR;
      return { ...obs(), reward: success ? 1 : 0, done: success || t >= 2 * CORRIDOR, terminal: success, success };
    },
    expertAction: () => 1,
  };
}
const oneHotScorer: ActionScorer = {
  featureDim: 2 * (CORRIDOR + 1),
  get: async (obs, admissible) => {
    const cell = Number(obs.split(' ')[1]);
    const features = admissible.map((_, a) =>
      Float64Array.from({ length: 2 * (CORRIDOR + 1) }, (_, j) => +(j === 2 * cell + a)),
    );
    return { features, probs: Float64Array.from(admissible, () => 1 / admissible.length) };
  },
};

s('PPO (runPpoKl, α = 0) learns the corridor: greedy success 100% after 100 episodes', async () => {
  manualSeed(1); // the networks' initialisation draws from the global generator, which earlier tests advance
  const r = await runPpoKl(
    corridor,
    oneHotScorer,
    {
      episodes: 100,
      episodesPerIteration: 10,
      epochs: 4,
      evalEvery: 50,
      evalEpisodes: 2,
      gamma: 0.99,
      lambda: 0.95,
      clip: 0.2,
      lr: 3e-3,
      alpha: 0,
      entropyCoef: 0.01,
    },
    1,
  );
  assert.is(r.curve.at(-1)!.success, 1);
});

s(
  'DQN and DQN-Prior (runValueAgent) learn the corridor: greedy / posterior success 100% after 100 episodes',
  async () => {
    // 8 of 8 initialisations succeed at these settings (60 episodes, 20 gradient steps and β = 10 failed 3 of 8)
    const cfg = {
      episodes: 100,
      evalEvery: 50,
      evalEpisodes: 4,
      heldOutEpisodes: 0,
      gamma: 0.9,
      lr: 5e-3,
      batchSize: 32,
      bufferSize: 1000,
      gradSteps: 40,
      updateEvery: 5,
      tau: 0,
      hardEvery: 10,
      epsilon: 0.3,
    };
    for (const arm of [{ kind: 'dqn' } as const, { kind: 'dqn-prior', k: 4, beta: 50 } as const]) {
      manualSeed(1); // the networks' initialisation draws from the global generator, which earlier tests advance
      const r = await runValueAgent(corridor, oneHotScorer, arm, cfg, 1);
      assert.is(r.curve.at(-1)!.success, 1, arm.kind);
    }
  },
);

s.run();
