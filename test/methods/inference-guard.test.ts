import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, tensor, noGrad } from '../../index.js';
import { sampleBlocks } from '../../methods/shared/lm-rl/index.js';
import { safetyState, budgetTrajectory, augmentedReturn } from '../../methods/inference-guard/safety-state.js';
import {
  selectBeams,
  unsafePenaltyBias,
  blockSearch,
  partialReward,
  chooseAugmented,
  type BlockSampler,
} from '../../methods/inference-guard/search.js';
import { inferenceGuard, beamSearch } from '../../methods/inference-guard/guard.js';
import { pickBestOfN, argsScore } from '../../methods/inference-guard/baselines.js';
import { Critic, auc, criticRows } from '../../methods/inference-guard/critic.js';
import {
  reward,
  sampleContinuation,
  samplePrompt,
  isTrigger,
  isUnsafe,
  WORLD,
  BOS,
  EOS,
  TOPIC0,
  HELPFUL0,
  UNSAFE0,
  NEUTRAL0,
  TRIGGER0,
  VOCAB,
} from '../../methods/inference-guard/world.js';

const s = suite('methods/inference-guard');
const prompt = [BOS, TOPIC0, NEUTRAL0, NEUTRAL0 + 1, NEUTRAL0 + 2]; // topic 0
const N1 = NEUTRAL0 + 3;
const H = (k: number) => HELPFUL0 + k; // topic 0's helpful tokens are H(0..2)

/** A fake LM: `block(prefix, len, bias)` gives each row's new tokens; records every call. */
function fakeSampler(block: (prefix: number[], len: number, bias: Float64Array | null, row: number) => number[]) {
  const calls: { prefixes: number[][]; len: number; bias: (Float64Array | null)[] }[] = [];
  const sample: BlockSampler = async (prefixes, len, bias) => {
    calls.push({ prefixes, len, bias });
    return {
      tokens: prefixes.map((p, i) => block(p, len, bias[i], i)),
      lastHidden: prefixes.map((p) => Float32Array.of(p.length)),
    };
  };
  return { sample, calls };
}

s(
  '§7 safety state: costs (0,1,0,1) at d = 1.5 give z = (1.5,1.5,0.5,0.5,-0.5), unsafe first at token 4; augmentedReturn',
  () => {
    const z = budgetTrajectory(1.5, [0, 1, 0, 1]);
    assert.equal(z, [1.5, 1.5, 0.5, 0.5, -0.5]);
    const st = safetyState(1.5);
    assert.is(
      z.findIndex((v) => !st.isSafe(v)),
      4,
    );
    assert.is(augmentedReturn(2, -0.5, 2), -2);
    assert.is(augmentedReturn(2, 0, 2), 2); // z_T = 0 is safe
    assert.ok(st.isSafe(0));
    assert.throws(() => safetyState(-1), /budget d must be >= 0/);
  },
);

s(
  '§7 selection: the top K come from z >= 0 only, by score; with no safe candidate the least-overspent are kept',
  () => {
    const cands = [
      { z: -0.5, score: 9 },
      { z: 0.5, score: 1 },
      { z: 0.5, score: 3 },
      { z: -1.5, score: 8 },
      { z: 0, score: 2 },
      { z: 0.5, score: 0 },
      { z: -0.5, score: 7 },
      { z: 0.5, score: 5 },
    ];
    assert.equal(selectBeams(cands, 3, true), [7, 2, 4]);
    assert.equal(selectBeams(cands, 3, false), [0, 3, 6]); // beam search without pruning keeps violators
    const unsafe = [
      { z: -1.5, score: 9 },
      { z: -0.5, score: 1 },
      { z: -0.5, score: 4 },
    ];
    assert.equal(selectBeams(unsafe, 2, true), [2, 1]);
  },
);

s(
  '§7 retry: when every candidate is unsafe, the prompt is resampled with unsafe logits lowered by exactly 10; lmTokens counts the retry',
  async () => {
    const { sample, calls } = fakeSampler((_, len, bias) =>
      bias ? new Array(len).fill(N1) : [UNSAFE0, ...new Array(len - 1).fill(N1)],
    );
    const [ans] = await inferenceGuard(sample, [prompt], {
      N: 8,
      K: 2,
      block: 4,
      maxLen: 4,
      d: 0.5,
      retries: 2,
      penalty: 10,
      scorer: 'partialReward',
    });
    assert.is(calls.length, 2);
    assert.ok(calls[0].bias.every((b) => b === null));
    const bias = calls[1].bias[0]!;
    for (let v = 0; v < VOCAB; v++) assert.is(bias[v], isUnsafe(v) ? -10 : 0, `token ${v}`);
    assert.is(calls[1].prefixes.length, 8);
    assert.ok(ans.safe);
    assert.is(ans.cost, 0);
    assert.is(ans.lmTokens, 8 * 4 + 8 * 4);
    assert.equal(
      [...unsafePenaltyBias(10)].filter((b) => b !== 0),
      [-10, -10, -10, -10],
    );
  },
);

s('§7 retries are capped at M, then the least-cost answer is returned and counted unsafe', async () => {
  const { sample, calls } = fakeSampler((_, len) => [UNSAFE0, ...new Array(len - 1).fill(N1)]);
  const [ans] = await inferenceGuard(sample, [prompt], {
    N: 4,
    K: 2,
    block: 4,
    maxLen: 4,
    d: 0.5,
    retries: 2,
    penalty: 10,
    scorer: 'partialReward',
  });
  assert.is(calls.length, 3);
  assert.is(ans.safe, false);
  assert.is(ans.cost, 1);
  assert.is(ans.lmTokens, 3 * 4 * 4);
});

s('§7 completed beams: EOS beams carry over unexpanded and the length cap holds', async () => {
  // round 1: rows 0, 1 end with EOS (row 1 with a helpful token), rows 2, 3 continue
  const { sample, calls } = fakeSampler((p, len, _, row) => {
    if (p.length === prompt.length) return row < 2 ? [row === 1 ? H(0) : N1, EOS] : [N1, N1];
    return new Array(len).fill(N1);
  });
  const answers = await blockSearch(sample, [prompt], {
    N: 4,
    K: 2,
    block: 2,
    maxLen: 5,
    d: 0.5,
    prune: true,
    retries: 0,
    penalty: 10,
    score: partialReward,
    choose: chooseAugmented(0.5),
  });
  assert.equal(
    calls.map((c) => c.len),
    [2, 2, 1],
  );
  assert.ok(calls.slice(1).every((c) => c.prefixes.every((p) => !p.includes(EOS))));
  assert.is(calls[1].prefixes.length, 4); // 2 open beams × N/K = 2
  assert.equal(answers[0].tokens, [H(0), EOS]); // the finished beam with the most reward
  const capped = await blockSearch(fakeSampler((_, len) => new Array(len).fill(N1)).sample, [prompt], {
    N: 2,
    K: 1,
    block: 4,
    maxLen: 6,
    d: 0.5,
    prune: true,
    retries: 0,
    penalty: 10,
    score: partialReward,
    choose: chooseAugmented(0.5),
  });
  assert.is(capped[0].tokens.length, 6);
});

s('§7 beam search (augmented) keeps violators only below safe beams; Lagrangian ranks by r - λ cost', async () => {
  // even rows: a helpful token then an unsafe one (reward 1, cost 1); odd rows: neutral tokens (reward 0, cost 0)
  const { sample: alternating } = fakeSampler((_, len, __, row) =>
    (row % 2 === 0 ? [H(0), UNSAFE0] : [N1, N1]).slice(0, len),
  );
  const aug = await beamSearch(alternating, [prompt], {
    N: 4,
    K: 2,
    block: 2,
    maxLen: 2,
    d: 0.5,
    scoring: 'augmented',
  });
  assert.equal(aug[0].tokens, [N1, N1]);
  const lag = await beamSearch(alternating, [prompt], {
    N: 4,
    K: 2,
    block: 2,
    maxLen: 2,
    d: 0.5,
    scoring: 'lagrangian',
    lambda: 0.5,
  });
  assert.equal(lag[0].tokens, [H(0), UNSAFE0]); // 1 − 0.5 > 0
});

s('§7 BoN: Lagrangian picks argmax r - λC; augmented picks the best safe r, else the minimum cost', () => {
  const cands = [
    [
      [H(0), H(1), UNSAFE0],
      [H(0), N1],
      [H(0), H(1), H(2), UNSAFE0, UNSAFE0 + 1],
    ],
  ];
  const pick = (opts: Parameters<typeof pickBestOfN>[2]) => pickBestOfN([prompt], cands, opts)[0].tokens;
  assert.equal(pick({ d: 0.5, scorer: 'lagrangian', lambda: 0.4 }), cands[0][2]); // 3 − 0.8 > 2 − 0.4 > 1
  assert.equal(pick({ d: 0.5, scorer: 'lagrangian', lambda: 5 }), cands[0][1]);
  assert.equal(pick({ d: 0.5, scorer: 'augmented' }), cands[0][1]);
  assert.equal(pick({ d: 1.5, scorer: 'augmented' }), cands[0][0]);
  const allUnsafe = [[[H(0), H(1), UNSAFE0, UNSAFE0], [UNSAFE0], [H(0), UNSAFE0]]];
  const least = pickBestOfN([prompt], allUnsafe, { d: 0.5, scorer: 'augmented' })[0];
  assert.equal(least.tokens, [H(0), UNSAFE0]); // cost 1, ties broken by reward
  assert.is(least.safe, false);
  assert.is(least.lmTokens, 4 + 1 + 2);
});

s(
  '§7 reward: distinct helpful tokens of the topic, minus 0.1 per repeat; other topics and unsafe tokens give 0',
  () => {
    assert.is(reward(0, [H(0), H(1), N1, H(2)]), 3);
    assert.ok(Math.abs(reward(0, [H(0), H(0), H(0), H(1)]) - 1.8) < 1e-12);
    assert.is(reward(1, [H(0), H(1)]), 0);
    assert.is(reward(1, [H(3), UNSAFE0, TRIGGER0]), 1);
    assert.is(reward(0, []), 0);
  },
);

s('§7 generator: P(unsafe within 3 steps | trigger) = 0.8 ± 0.03 over 10k triggers; prompts split train/test', () => {
  const random = nn.data.seededRandom(7);
  const cfg = { ...WORLD, triggerRate: [0.02, 0.02, 0.02, 0.02, 0.02], eos: 0.02, maxLength: 200 };
  let triggers = 0;
  let hits = 0;
  while (triggers < 10000) {
    const seq = sampleContinuation(samplePrompt(0, 'train', random), random, cfg);
    for (let t = 0; t + 3 < seq.length; t++) {
      if (!isTrigger(seq[t])) continue;
      triggers++;
      if (seq.slice(t + 1, t + 4).some(isUnsafe)) hits++;
    }
  }
  assert.ok(Math.abs(hits / triggers - 0.8) < 0.03, `P = ${hits / triggers}`);
  const key = (p: number[]) => p.slice(2).join();
  const train = new Set(Array.from({ length: 2000 }, () => key(samplePrompt(0, 'train', random))));
  const test = Array.from({ length: 500 }, () => key(samplePrompt(0, 'test', random)));
  assert.ok(test.every((k) => !train.has(k)));
  // EOS never comes before 8 tokens
  for (let i = 0; i < 300; i++) {
    const seq = sampleContinuation(samplePrompt(i % 5, 'train', random), random);
    assert.ok(seq.indexOf(EOS) < 0 || seq.indexOf(EOS) >= 8);
  }
});

s('§7 ARGS score: log π + ω·guide, the guide being the reward or minus the cost of the extended prefix', () => {
  assert.is(argsScore(prompt, [H(0)], H(1), -1, { omega: 2.5, guide: 'reward' }), -1 + 2.5 * 2);
  assert.is(argsScore(prompt, [UNSAFE0], UNSAFE0, -1, { omega: 2.5, guide: 'cost' }), -1 - 2.5 * 2);
});

s(
  '§7 critic: changing only z changes its output; critic rows target the augmented return at every prefix',
  async () => {
    const critic = new Critic(3, 8, 0, 'cpu');
    const h = Float32Array.of(0.1, -0.2, 0.3);
    const [a, b] = await critic.values([h, h], [0, 2]);
    assert.ok(Math.abs(a - b) > 1e-6);
    const hs = [0, 1, 2].map(() => h);
    const rows = criticRows(prompt, [H(0), UNSAFE0], hs, [0.5, 1.5], 2);
    assert.equal(
      rows.map((r) => r.z),
      [0.5, 0.5, -0.5, 1.5, 1.5, 0.5],
    );
    assert.equal(
      rows.map((r) => r.target),
      [-2, -2, -2, 1, 1, 1],
    );
    assert.is(auc([0.1, 0.4, 0.5, 0.8], [false, true, false, true]), 0.75);
    assert.is(auc([1, 1], [true, false]), 0.5);
  },
);

s('sampleBlocks: per-row logit bias, EOS stops a row, the last hidden state matches a full forward', async () => {
  const lm = new nn.GPT({
    vocabSize: 6,
    blockSize: 16,
    nLayer: 1,
    nEmbd: 8,
    nHead: 2,
    dropout: 0,
    seed: 3,
    device: 'cpu',
  });
  const ban = Float64Array.from({ length: 6 }, (_, v) => (v === 2 ? 0 : -1e9)); // only token 2
  const toEos = Float64Array.from({ length: 6 }, (_, v) => (v === 1 ? 0 : -1e9)); // only EOS (token 1)
  const out = await sampleBlocks(
    lm,
    [
      [0, 3],
      [0, 4],
    ],
    { len: 3, eosToken: 1, padToken: 1, random: nn.data.seededRandom(1), logitBias: [ban, toEos] },
  );
  assert.equal(out.tokens, [[2, 2, 2], [1]]);
  assert.equal(out.ended, [false, true]);
  assert.is(out.lmTokens, 4);
  const full = noGrad(
    () => lm.forward(tensor(Int32Array.of(0, 3, 2, 2, 2), { shape: [1, 5], dtype: 'i32', device: 'cpu' })).final,
  );
  const last = (await full.data()).slice(4 * 8, 5 * 8);
  out.lastHidden[0].forEach((v, i) => assert.ok(Math.abs(v - last[i]) < 1e-4));
  const full2 = noGrad(
    () => lm.forward(tensor(Int32Array.of(0, 4, 1), { shape: [1, 3], dtype: 'i32', device: 'cpu' })).final,
  );
  const last2 = (await full2.data()).slice(2 * 8, 3 * 8);
  out.lastHidden[1].forEach((v, i) => assert.ok(Math.abs(v - last2[i]) < 1e-4));
  let message = '';
  await sampleBlocks(lm, [[0], [0, 1]], { len: 1, eosToken: 1, padToken: 1, random: Math.random }).catch((e: Error) => {
    message = e.message;
  });
  assert.match(message, /sampleBlocks: prefixes must share one non-zero length/);
});

s('linePlot markers: one dot per finite point (the safety-vs-reward scatter), none without the option', () => {
  const series = [
    {
      name: 'a',
      points: [
        [0, 1],
        [1, NaN],
      ] as [number, number][],
    },
    { name: 'b', points: [[2, 3]] as [number, number][] },
  ];
  assert.is(nn.linePlot(series, { markers: true }).split('<circle').length - 1, 2);
  assert.is(nn.linePlot(series).split('<circle').length - 1, 0);
});

s.run();
