import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, tensor, tidy, noGrad, randn } from '../../index.js';
import {
  treeMask,
  verifyTreeGreedy,
  treeAttentionMask,
  chainTree,
  type DraftTree,
} from '../../methods/speculative-decoding/tree.js';
import { TINY_TARGET, createTargetLm, TargetSession } from '../../methods/speculative-decoding/target.js';
import { draftTreeEagle2, draftChain } from '../../methods/speculative-decoding/drafting.js';
import { greedyGenerate, speculativeGenerate } from '../../methods/speculative-decoding/decode.js';
import type { Drafter, DraftContext } from '../../methods/speculative-decoding/drafter.js';
import {
  MoaDrafter,
  moaLoss,
  verifiedBoundaries,
  type MoaConfig,
  type MoaVariant,
} from '../../methods/speculative-decoding/moa.js';
import { EagleDrafter, eagleLoss } from '../../methods/speculative-decoding/eagle.js';
import { IndependentDrafter, distillLoss } from '../../methods/speculative-decoding/independent.js';
import { smoothL1PerRow, softCrossEntropyPerRow } from '../../methods/speculative-decoding/losses.js';
import { targetActivations } from '../../methods/speculative-decoding/activations.js';

const V = TINY_TARGET.vocabSize;
const tinyTarget = () => createTargetLm({ ...TINY_TARGET, seed: 3 });

/** A drafter whose log-probs are a fixed pseudo-random function of the whole sequence (tokens + path). */
function hashDrafter(vocab: number, salt = 0): Drafter {
  return {
    name: 'random',
    featureFn: null,
    async nextLogProbs(ctx: DraftContext, paths) {
      return paths.map((p) => {
        let h = 2166136261 ^ salt;
        for (const t of [...ctx.tokens, ...p]) h = Math.imul(h ^ (t + 1), 16777619) >>> 0;
        const logits = Array.from(
          { length: vocab },
          (_, i) => ((Math.imul(h ^ (i * 2654435761), 2246822519) >>> 0) / 2 ** 32) * 4,
        );
        const lse = Math.log(logits.reduce((s, x) => s + Math.exp(x), 0));
        return Float32Array.from(logits, (x) => x - lse);
      });
    },
  };
}

const core = suite('speculative-decoding: trees and verification');

core('verifyTreeGreedy follows the target argmax down the tree: R->{A,B}, A->{C,D}, argmax R->A, A->D, D->X', () => {
  const [R, A, B, C, D, X] = [0, 1, 2, 3, 4, 5];
  const tree: DraftTree = { tokens: [R, A, B, C, D], parents: [-1, 0, 0, 1, 1], scores: [0, -1, -2, -3, -4] };
  // argmax at each node: R->A, A->D, B->C (B is rejected so this is ignored), C->C, D->X
  const { path, bonus } = verifyTreeGreedy([A, D, C, C, X], tree);
  assert.equal(path, [1, 4]);
  assert.is(bonus, X);
});

core(
  'verifyTreeGreedy: equally deep accepted nodes go to the lower index; nothing accepted gives the root bonus',
  () => {
    // two children with the same token under the root: both accepted at depth 1, the lower index wins
    const tree: DraftTree = { tokens: [0, 7, 7], parents: [-1, 0, 0], scores: [0, -1, -1] };
    assert.equal(verifyTreeGreedy([7, 2, 3], tree), { path: [1], bonus: 2 });
    assert.equal(verifyTreeGreedy([5, 2, 3], tree), { path: [], bonus: 5 });
  },
);

core('treeMask gives ancestors (self included) and depths', () => {
  const { ancestors, depths } = treeMask([-1, 0, 0, 1, 1]);
  assert.equal(depths, [0, 1, 1, 2, 2]);
  const T = true,
    F = false;
  assert.equal(ancestors, [
    [T, F, F, F, F],
    [T, T, F, F, F],
    [T, F, T, F, F],
    [T, T, F, T, F],
    [T, T, F, F, T],
  ]);
  assert.throws(() => treeMask([-1, 2, 0]), /earlier node/);
});

core('treeAttentionMask shows the prefix and ancestors only', async () => {
  const m = await treeAttentionMask([-1, 0, 0, 1], 2, 'cpu').data();
  const row = (i: number) => Array.from(m.slice(i * 6, (i + 1) * 6)).map((x) => (x === 0 ? 1 : 0));
  assert.equal(row(2), [1, 1, 1, 0, 1, 0]);
  assert.equal(row(3), [1, 1, 1, 1, 0, 1]);
});

core('the tree forward equals per-path forwards, and the compacted cache equals sequential decoding', async () => {
  const lm = tinyTarget();
  const prefix = [1, 2, 3, 4];
  const tree: DraftTree = { tokens: [5, 6, 7, 8, 9], parents: [-1, 0, 0, 1, 1], scores: [0, 0, 0, 0, 0] };
  const { depths } = treeMask(tree.parents);
  const ids = (t: number[]) => tensor(Int32Array.from(t), { shape: [1, t.length], dtype: 'i32', device: 'cpu' });
  const cache = lm.createCache(1, 32);
  noGrad(() =>
    tidy(() => {
      lm.forward(ids(prefix), { cache });
    }),
  );
  const treeLogits = await noGrad(() =>
    tidy(
      () =>
        lm.forward(ids(tree.tokens), {
          cache,
          positions: tensor(Int32Array.from(depths.map((d) => prefix.length + d)), { dtype: 'i32', device: 'cpu' }),
          mask: treeAttentionMask(tree.parents, prefix.length, 'cpu'),
        }).logits,
    ),
  ).data();
  // node 4 (path root -> 1 -> 4): a plain forward of prefix + [5, 6, 9]
  const plain = await noGrad(() => tidy(() => lm.forward(ids([...prefix, 5, 6, 9])).logits)).data();
  for (const [node, pos] of [
    [0, 4],
    [1, 5],
    [4, 6],
  ]) {
    for (let v = 0; v < V; v++)
      assert.ok(Math.abs(treeLogits[node * V + v] - plain[pos * V + v]) < 1e-5, `node ${node}`);
  }
  // compact to prefix + root + nodes 1, 4 and compare with the cache of a sequential run
  cache.keep([0, 1, 2, 3, 4, 5, 8]);
  const seq = lm.createCache(1, 32);
  noGrad(() =>
    tidy(() => {
      lm.forward(ids([...prefix, 5, 6, 9]), { cache: seq });
    }),
  );
  for (let l = 0; l < 2; l++) {
    const [a, b] = [await cache.get(l).k.contiguous().data(), await seq.get(l).k.contiguous().data()];
    assert.is(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
  }
  cache.dispose();
  seq.dispose();
  lm.dispose();
});

core(
  'EAGLE-2 selection equals a brute-force top-m when k covers every node, and parents are always present',
  async () => {
    const drafter = hashDrafter(3, 7);
    const ctx = { tokens: [1, 2], features: [] };
    // brute force: every path of depth <= 3 over 3 tokens, scored by summed log-probs
    const all: { path: number[]; score: number }[] = [];
    const grow = async (path: number[], score: number) => {
      if (path.length === 3) return;
      const [lp] = await drafter.nextLogProbs(ctx, [path]);
      for (let t = 0; t < 3; t++) {
        all.push({ path: [...path, t], score: score + lp[t] });
        await grow([...path, t], score + lp[t]);
      }
    };
    await grow([], 0);
    all.sort((a, b) => b.score - a.score);
    const tree = await draftTreeEagle2(drafter, ctx, { depth: 3, topK: 9, total: 10 });
    const pathOf = (i: number): number[] => (i === 0 ? [] : [...pathOf(tree.parents[i]), tree.tokens[i]]);
    const got = tree.tokens
      .slice(1)
      .map((_, i) => pathOf(i + 1).join())
      .sort();
    assert.equal(
      got,
      all
        .slice(0, 10)
        .map((a) => a.path.join())
        .sort(),
    );
    // a pruned tree: every parent precedes its child and scores fall along paths
    const small = await draftTreeEagle2(
      hashDrafter(V, 1),
      { tokens: [3, 4], features: [] },
      { depth: 4, topK: 3, total: 8 },
    );
    assert.is(small.tokens.length, 9);
    small.parents.slice(1).forEach((p, i) => {
      assert.ok(p >= 0 && p < i + 1);
      assert.ok(small.scores[i + 1] <= small.scores[p]);
    });
  },
);

core(
  'speculative decoding is lossless against vanilla greedy, even with a random drafter, chain and tree',
  async () => {
    const lm = tinyTarget();
    const prompt = [1, 4, 2, 8, 5];
    const vanilla = new TargetSession(lm, null);
    const reference = await greedyGenerate(vanilla, prompt, 24);
    assert.is(vanilla.calls, 24);
    for (const mode of [
      { mode: 'chain' as const, gamma: 4 },
      { mode: 'tree' as const, depth: 3, topK: 3, total: 8 },
    ]) {
      const session = new TargetSession(lm, null);
      const r = await speculativeGenerate(session, hashDrafter(V), prompt, 24, mode);
      assert.equal(r.tokens, reference);
      assert.is(r.calls, session.calls);
      assert.ok(r.tau >= 1);
      session.dispose();
    }
    // an oracle drafter that proposes the reference itself is accepted in full: τ = γ + 1 on every cycle
    const oracle: Drafter = {
      name: 'oracle',
      featureFn: null,
      async nextLogProbs(ctx, paths) {
        return paths.map((p) => {
          const lp = new Float32Array(V).fill(-10);
          lp[reference[ctx.tokens.length - prompt.length + p.length]] = 0;
          return lp;
        });
      },
    };
    const oracleSession = new TargetSession(lm, null);
    const r = await speculativeGenerate(oracleSession, oracle, prompt, 20, { mode: 'chain', gamma: 4 });
    oracleSession.dispose();
    assert.equal(r.tokens, reference.slice(0, 20));
    assert.is(r.calls, 4);
    assert.equal(r.alphaByDepth, [1, 1, 1, 1]);
    const chain = await draftChain(oracle, { tokens: prompt, features: [] }, 3);
    assert.equal(chain, chainTree(5, reference.slice(0, 3), [0, 0, 0]));
    vanilla.dispose();
  },
);

core.run();

const drafters = suite('speculative-decoding: drafters and losses');

const moaCfg = (variant: MoaVariant): MoaConfig => ({
  variant,
  heads: 2,
  mlpHidden: 16,
  lsaHeads: 2,
  lsaMlpHidden: 16,
});

drafters('verifiedBoundaries: the prompt plus every r-th response token; s(i) = last verified <= i', () => {
  assert.equal(verifiedBoundaries(10, 3, 3), { verified: [0, 1, 2, 5, 8], s: [0, 1, 2, 2, 2, 5, 5, 5, 8, 8] });
  assert.throws(() => verifiedBoundaries(10, 3, 0), /r >= 1/);
});

drafters('smoothL1 and the soft cross-entropy match hand values', async () => {
  // |d| = 0.5 -> 0.125; |d| = 2 -> 1.5; mean over the row = 0.8125
  const l = await smoothL1PerRow(tensor([[0.5, 2]]), tensor([[0, 0]])).item();
  assert.ok(Math.abs(l - 0.8125) < 1e-6);
  // equal logits over 2 classes: -sum 0.5 log 0.5 = log 2
  const ce = await softCrossEntropyPerRow(tensor([[1, 1]]), tensor([[3, 3]])).item();
  assert.ok(Math.abs(ce - Math.LN2) < 1e-6);
});

drafters('MoA: perturbing c_j for j > s(i) leaves position i unchanged, and changes it for j <= s(i)', async () => {
  const lm = tinyTarget();
  const moa = new MoaDrafter(() => lm, moaCfg('moa'));
  const T = 6;
  const ids = tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), { shape: [1, T], dtype: 'i32', device: 'cpu' });
  const s = [[0, 1, 1, 1, 4, 4]];
  const c = randn([1, T, 16], { seed: 1 });
  const bump = (j: number) =>
    c.add(
      tensor(
        Float32Array.from({ length: T * 16 }, (_, k) => (Math.floor(k / 16) === j ? 5 : 0)),
        { shape: [1, T, 16] },
      ),
    );
  const base = await noGrad(() => moa.hidden(ids, c, s)).data();
  const moved = await noGrad(() => moa.hidden(ids, bump(2), s)).data();
  const row = (x: ArrayLike<number>, i: number) => Array.from(x).slice(i * 16, (i + 1) * 16);
  const same = (i: number) => row(moved, i).every((v, k) => Math.abs(v - row(base, i)[k]) < 1e-6);
  // c_2 lies beyond s(i) for i < 4 (s <= 1) and within it for i >= 4 (s = 4)
  assert.equal([0, 1, 2, 3, 4, 5].map(same), [true, true, true, true, false, false]);
});

drafters('every drafter is lossless; MoA runs LSA once per verified token', async () => {
  const lm = tinyTarget();
  const prompt = [3, 1, 4, 1, 5, 9];
  const vanilla = new TargetSession(lm, null);
  const reference = await greedyGenerate(vanilla, prompt, 20);
  vanilla.dispose();
  const list: Drafter[] = [
    new MoaDrafter(() => lm, moaCfg('moa')),
    new MoaDrafter(() => lm, moaCfg('noLsa')),
    new EagleDrafter(() => lm, { heads: 2, mlpHidden: 16 }),
    new IndependentDrafter({
      vocabSize: V,
      nLayer: 1,
      nEmbd: 8,
      nHead: 2,
      mlpHidden: 16,
      blockSize: 64,
      device: 'cpu',
    }),
  ];
  for (const drafter of list) {
    for (const mode of [
      { mode: 'chain' as const, gamma: 3 },
      { mode: 'tree' as const, depth: 3, topK: 2, total: 6 },
    ]) {
      const session = new TargetSession(lm, drafter.featureFn);
      const before = drafter instanceof MoaDrafter ? drafter.contextRows : 0;
      const r = await speculativeGenerate(session, drafter, prompt, 20, mode);
      assert.equal(r.tokens, reference, `${drafter.name} ${mode.mode}`);
      if (drafter instanceof MoaDrafter) assert.is(drafter.contextRows - before, session.cache.length);
      session.dispose();
    }
  }
});

drafters('the training losses are finite and give every drafter parameter a gradient', async () => {
  const lm = tinyTarget();
  const ids = tensor(
    Int32Array.from({ length: 2 * 12 }, (_, i) => (i * 5) % V),
    { shape: [2, 12], dtype: 'i32', device: 'cpu' },
  );
  const acts = targetActivations(lm, ids);
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const moa = new MoaDrafter(() => lm, moaCfg('moa'));
  const eagle = new EagleDrafter(() => lm, { heads: 2, mlpHidden: 16 });
  const ind = new IndependentDrafter({
    vocabSize: V,
    nLayer: 1,
    nEmbd: 8,
    nHead: 2,
    mlpHidden: 16,
    blockSize: 64,
    device: 'cpu',
  });
  const cases: [nn.Module | nn.GPT, () => ReturnType<typeof moaLoss>][] = [
    [moa, () => moaLoss(moa, ids, acts, { promptLen: 4, rRange: [2, 3], staircaseP: 0.5, random })],
    [eagle, () => eagleLoss(eagle, ids, acts, { promptLen: 4, noise: 0.1, seed: 0 })],
    [ind.lm, () => distillLoss(ind, ids, acts, { promptLen: 4 })],
  ];
  for (const [module, loss] of cases) {
    const l = loss();
    assert.ok(Number.isFinite(await l.item()));
    l.backward();
    for (const p of module.parameters()) assert.ok(p.grad, 'a parameter without gradient');
  }
  assert.not.ok(lm.wte.weight.grad, 'the frozen target got a gradient');
});

drafters.run();
