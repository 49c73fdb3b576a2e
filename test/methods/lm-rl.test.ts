import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, nn, optim, noGrad } from '../../index.js';
import { assertClose } from '../helpers.js';
import {
  sampleResponses,
  responseLogits,
  tokenLogProbs,
  maskTensor,
  maskedMean,
  maskedSum,
  groupAdvantages,
  pgLoss,
  tokenKl,
  sampledLogRatio,
} from '../../methods/shared/lm-rl/index.js';

const s = suite('methods/shared/lm-rl');
const f64 = (v: number[] | number[][] | number[][][]) => tensor(v, { dtype: 'f64', device: 'cpu' });
const log = (xs: number[]) => xs.map(Math.log);

s('tokenKl: a hand-computed two-token case, KL(student ‖ teacher) in nats, logits shifted per row', async () => {
  // token 1: the spec's p = (½, ¼, ¼) vs q = (¼, ½, ¼): 0.25 ln 2 = 0.1733 (symmetric);
  // token 2: p = (0.8, 0.1, 0.1) vs q = (0.4, 0.3, 0.3): 0.8 ln 2 + 0.2 ln ⅓ = 0.3348 (the reverse direction gives 0.3819)
  const student = f64([[log([0.5, 0.25, 0.25]).map((x) => x + 3), log([0.8, 0.1, 0.1])]]);
  const teacher = f64([[log([0.25, 0.5, 0.25]), log([0.4, 0.3, 0.3]).map((x) => x - 2)]]);
  const c = await tokenKl(student, teacher, f64([[1, 1]])).data();
  assertClose(c, [0.25 * Math.LN2, 0.8 * Math.LN2 + 0.2 * Math.log(1 / 3)], { atol: 1e-12 });
  assertClose([c[0]], [0.1733], { atol: 1e-4 });
  assertClose(await tokenKl(student, teacher, f64([[1, 0]])).data(), [0.25 * Math.LN2, 0], { atol: 1e-12 });
  assertClose(await tokenKl(student, student, f64([[1, 1]])).data(), [0, 0], { atol: 1e-12 });
});

s('sampledLogRatio is log π_s − log π_t on real tokens', async () => {
  assertClose(await sampledLogRatio(f64([[-1, -2]]), f64([[-1.5, -0.5]]), f64([[1, 0]])).data(), [0.5, 0], {
    atol: 1e-12,
  });
});

s('maskedSum / maskedMean count only real tokens; an empty row gives 0', async () => {
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const m = f64([
    [1, 1, 0],
    [0, 0, 0],
  ]);
  assertClose(await maskedSum(x, m).data(), [3, 0], { atol: 1e-12 });
  assertClose(await maskedMean(x, m).data(), [1.5, 0], { atol: 1e-12 });
});

s(
  'groupAdvantages: (1, 0, 0, 1) → (1, −1, −1, 1) with the population std; a constant group → 0; groups are separate',
  () => {
    assertClose(groupAdvantages([1, 0, 0, 1], 4), [1, -1, -1, 1], { atol: 1e-3 });
    assertClose(groupAdvantages([0.3, 0.3, 0.3], 3), [0, 0, 0], { atol: 0 });
    assertClose(groupAdvantages([1, 0, 5, 5], 2), [1, -1, 0, 0], { atol: 1e-3 });
    assert.throws(() => groupAdvantages([1, 2, 3], 2), /groupAdvantages/);
  },
);

s(
  'pgLoss: −mean_i A_i · mean_t log π; its gradient is −mean_i A_i mean_t (onehot − softmax) on a 2-token toy',
  async () => {
    const raw = [
      [
        [0.2, -0.1, 0.5],
        [1.0, 0.0, -1.0],
      ],
    ];
    const logits = f64(raw).requiresGrad_();
    const tokens = [[2, 0]];
    const loss = pgLoss(tokenLogProbs(logits, tokens), [2], f64([[1, 1]]));
    const softmax = (r: number[]) => {
      const e = r.map(Math.exp);
      const z = e.reduce((a, b) => a + b);
      return e.map((v) => v / z);
    };
    const lp = raw[0].map((r, t) => Math.log(softmax(r)[tokens[0][t]]));
    assertClose([await loss.item()], [(-2 * (lp[0] + lp[1])) / 2], { atol: 1e-12 });
    loss.backward();
    const expected = raw[0].map((r, t) => softmax(r).map((p, v) => (-2 * ((v === tokens[0][t] ? 1 : 0) - p)) / 2));
    assertClose(await logits.grad!.data(), expected.flat(), { atol: 1e-12 });
  },
);

s(
  "pgLoss sign: a step on a positive advantage raises the sample's log-probability; a masked token gets no gradient",
  async () => {
    const logits = f64([
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
    ]).requiresGrad_();
    const opt = new optim.SGD([logits], { lr: 0.5 });
    const loss = pgLoss(tokenLogProbs(logits, [[1, 2]]), [1], f64([[1, 0]]));
    loss.backward();
    assertClose(await logits.grad!.data(), [1 / 3, -2 / 3, 1 / 3, 0, 0, 0], { atol: 1e-12 });
    opt.step();
    const after = await noGrad(() => tokenLogProbs(logits, [[1, 2]])).data();
    assert.ok(after[0] > Math.log(1 / 3), `log π(y_0) should rise above ln ⅓, got ${after[0]}`);
    assertClose([after[1]], [Math.log(1 / 3)], { atol: 1e-12 });
  },
);

s(
  'sampleResponses: EOS ends a row (pad, mask 0, log-prob 0 after it) and its log-probs equal the re-scored ones',
  async () => {
    const model = new nn.GPT({
      vocabSize: 4,
      blockSize: 12,
      nLayer: 1,
      nHead: 1,
      nEmbd: 8,
      seed: 3,
      device: 'cpu',
      dtype: 'f64',
    });
    const prompts = Array.from({ length: 8 }, (_, b) => [1 + (b % 3), 2, 3]);
    const out = await sampleResponses(model, prompts, {
      maxNewTokens: 6,
      temperature: 1,
      eosToken: 0,
      padToken: 3,
      random: nn.data.seededRandom(5),
    });
    let ended = 0;
    out.responses.forEach((r, b) => {
      const eos = r.indexOf(0);
      const len = eos < 0 ? 6 : eos + 1;
      if (eos >= 0 && eos < 5) ended++;
      assert.is(out.lengths[b], len);
      assert.equal(
        out.mask[b],
        r.map((_, t) => (t < len ? 1 : 0)),
      );
      for (let t = len; t < 6; t++) {
        assert.is(r[t], 3);
        assert.is(out.logProbs[b][t], 0);
      }
    });
    assert.ok(ended > 0, 'with this seed some row must stop early');
    const rescored = await noGrad(() =>
      tokenLogProbs(responseLogits(model, prompts, out.responses), out.responses).mul(maskTensor(out.mask, 'cpu')),
    ).data();
    assertClose(rescored, out.logProbs.flat(), { atol: 1e-9 });
    model.dispose();
  },
);

s('sampleResponses: temperature 0 is greedy, and the kit rejects bad input by name', async () => {
  const model = new nn.GPT({
    vocabSize: 4,
    blockSize: 8,
    nLayer: 1,
    nHead: 1,
    nEmbd: 8,
    seed: 1,
    device: 'cpu',
    dtype: 'f64',
  });
  const opts = { maxNewTokens: 3, eosToken: 0, padToken: 3 };
  const a = await sampleResponses(model, [[1, 2]], { ...opts, temperature: 0, random: nn.data.seededRandom(1) });
  const b = await sampleResponses(model, [[1, 2]], { ...opts, temperature: 0, random: nn.data.seededRandom(2) });
  assert.equal(a.responses, b.responses);
  let message = '';
  await sampleResponses(model, [[1], [1, 2]], { ...opts, random: Math.random }).catch((e: Error) => {
    message = e.message;
  });
  assert.match(message, /sampleResponses: prompts must share one/);
  assert.throws(() => tokenKl(f64([[[0, 0]]]), f64([[[0, 0, 0]]]), f64([[1]])), /tokenKl/);
  model.dispose();
});

s.run();
