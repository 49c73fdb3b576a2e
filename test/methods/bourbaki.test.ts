import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFormula, printFormula } from '../../methods/bourbaki/formula.js';
import { parseSequent, printSequent, canonicalKey, type Sequent } from '../../methods/bourbaki/sequent.js';
import { applyTactic } from '../../methods/bourbaki/tactics.js';
import { checkScript, stitchProof, proofSize, type ProofTree } from '../../methods/bourbaki/checker.js';
import { isProvable, shortestDepth, shortestProof } from '../../methods/bourbaki/decider.js';
import { chain, orSplit, lemmaReuse, handBenchmark } from '../../methods/bourbaki/hand.js';
import { generateTheorems, splitByCanonical } from '../../methods/bourbaki/generator.js';
import { extractDemonstrations } from '../../methods/bourbaki/demos.js';
import { buildBuckets } from '../../methods/bourbaki/data.js';
import { QUICK } from '../../methods/bourbaki/protocol.js';
import { encode, decode } from '../../methods/bourbaki/tokenizer.js';
import {
  type GoalNode,
  type Edge,
  ucbScore,
  selectEdge,
  edgeValue,
  edgeStatus,
  edgeAllowance,
  selectChild,
  conjectureReward,
} from '../../methods/bourbaki/tree.js';
import { sgmdpSearch, DEFAULT_SEARCH } from '../../methods/bourbaki/search.js';
import { type Prover } from '../../methods/bourbaki/provers.js';
import { mean, sd } from '../../methods/bourbaki/stats.js';
import { createLM, trainLM, top1Accuracy, validationLoss } from '../../methods/bourbaki/lm.js';
import { openRunsDir, runFile, saveRun, loadRun, countRuns } from '../../methods/bourbaki/records.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const s = suite('methods/bourbaki');
const seq = parseSequent;
const ok = (q: Sequent, t: string) => {
  const r = applyTactic(q, t);
  if (!r.ok) throw new Error(r.error);
  return r.children.map(printSequent);
};

s('formulas print and parse back; ¬ and ↔ are sugar', () => {
  for (const t of ['p0 → p1 → p2', '(p0 → p1) → p2', 'p0 ∧ p1 ∨ p2', 'p0 ∧ (p1 ∨ p2)', '¬(p0 ∨ ¬p1)', '⊥ → p3'])
    assert.is(printFormula(parseFormula(t)), t);
  assert.is(parseFormula('~p0'), parseFormula('p0 → ⊥'));
  assert.is(printFormula(parseFormula('p0 <-> p1')), '(p0 → p1) ∧ (p1 → p0)');
  assert.throws(() => parseFormula('p9'), /p9/);
});

s('canonical key: equal under atom renaming and hypothesis order, different otherwise', () => {
  assert.is(canonicalKey(seq('p3 → p5, p3 ⊢ p5')), canonicalKey(seq('p1, p1 → p0 ⊢ p0')));
  assert.is.not(canonicalKey(seq('p0 → p1, p0 ⊢ p1')), canonicalKey(seq('p0 → p1, p1 ⊢ p0')));
});

s('tokenizer round-trips a sequent and a script', () => {
  const t = 'h0: ¬(p0 → p1) ∧ p2, h1: p0 ⊢ p1 ∨ ⊥';
  assert.is(decode(encode(t)!), t);
  assert.is(decode(encode('have p0 ∧ ¬p1; mp h1 h2')!), 'have p0 ∧ ¬p1; mp h1 h2');
});

s('tactics: intro, apply, cases, exact, have (spec §7)', () => {
  assert.equal(ok(seq('⊢ p0 → p1'), 'intro'), ['h0: p0 ⊢ p1']);
  assert.equal(ok(seq('h0: p0 → p1 → p2 ⊢ p2'), 'apply h0'), ['h0: p0 → p1 → p2 ⊢ p0', 'h0: p0 → p1 → p2 ⊢ p1']);
  assert.is(ok(seq('h0: p0 ∨ p1 ⊢ p2'), 'cases h0').length, 2);
  assert.equal(ok(seq('h0: p0 ∨ p1 ⊢ p2'), 'cases h0'), ['h1: p0 ⊢ p2', 'h1: p1 ⊢ p2']);
  assert.is(applyTactic(seq('h0: p0 ⊢ p1'), 'exact h0').ok, false);
  assert.equal(ok(seq('h0: p0 ⊢ p0'), 'exact h0'), []);
  const have = ok(seq('h0: p0 ⊢ p1'), 'have p2');
  assert.equal(have, ['h0: p0 ⊢ p2', 'h0: p0, h1: p2 ⊢ p1']);
  assert.is(applyTactic(seq('h0: p0 → p1, h1: p0 ⊢ p2'), 'mp h1 h0').ok, false);
  assert.equal(ok(seq('h0: p0 → p1, h1: p0 ⊢ p2'), 'mp h0 h1'), ['h0: p0 → p1, h1: p0, h2: p1 ⊢ p2']);
  assert.is(applyTactic(seq('⊢ p0'), 'sorry').ok, false);
});

s('checker accepts a valid script and rejects wrong, incomplete and over-long ones', () => {
  const t = seq('h0: p0 → p1, h1: p1 → p2 ⊢ p0 → p2');
  assert.ok(checkScript(t, ['intro', 'apply h1', 'apply h0', 'exact h2']));
  assert.not.ok(checkScript(t, ['intro', 'apply h1', 'apply h0', 'exact h1']));
  assert.not.ok(checkScript(t, ['intro', 'apply h1', 'apply h0']));
  assert.not.ok(checkScript(t, ['intro', 'apply h1', 'apply h0', 'exact h2', 'exact h2']));
});

s('decider: accepts P3, P9, P10, P13, ¬¬(p∨¬p); rejects p∨¬p, Peirce, ¬¬p→p', () => {
  const hand = new Map(handBenchmark().map((t) => [t.name, t]));
  for (const name of ['P3', 'P9', 'P10', 'P13', 'nnEM']) assert.ok(isProvable(hand.get(name)!.sequent), name);
  for (const t of ['⊢ p0 ∨ ¬p0', '⊢ ((p0 → p1) → p0) → p0', '⊢ ¬¬p0 → p0']) assert.not.ok(isProvable(seq(t)), t);
});

s('depth: shortestDepth(chain(3)) = 5, and the shortest proof checks', () => {
  assert.is(shortestDepth(chain(3)), 5);
  assert.is(shortestDepth(chain(1)), 1);
  for (const q of [chain(4), orSplit(2), lemmaReuse(2, 2)]) assert.ok(checkScript(q, stitchProof(shortestProof(q)!)));
  assert.is(shortestDepth(seq('⊢ p0 ∨ ¬p0')), null);
});

// a hand-built tree for the search rules
const sq = seq('⊢ p0');
const goal = (status: GoalNode['status'] = 'open', edges: Edge[] = []): GoalNode => ({
  sequent: sq,
  key: '',
  status,
  N: 0,
  edges,
  parent: null,
  conjecture: false,
});
const edge = (parent: GoalNode, n: number, W: number, children: GoalNode[] = [goal()]): Edge => ({
  action: 'x',
  isHave: false,
  parent,
  children,
  n,
  W,
});

s('UCB on a 3-node tree: returns 1 via a, 0 via b, 1 via a → a 1.6051, b 0.7412, select a (spec §7)', () => {
  const root = goal();
  root.N = 3;
  const a = edge(root, 2, 2);
  const b = edge(root, 1, 0);
  root.edges = [b, a];
  assert.ok(Math.abs(ucbScore(a, 3, 1) - 1.6051) < 1e-4);
  assert.ok(Math.abs(ucbScore(b, 3, 1) - 0.7412) < 1e-4);
  assert.is(selectEdge(root, 1), a);
});

s('AND edges: min value, open/proved/dead status, weakest child first (spec §7)', () => {
  const root = goal();
  const hi = goal('open', []);
  const lo = goal('open', []);
  hi.edges = [edge(hi, 10, 8)];
  lo.edges = [edge(lo, 10, 1)];
  const e = edge(root, 1, 0, [hi, lo]);
  assert.ok(Math.abs(edgeValue(e) - 0.1) < 1e-12);
  assert.is(selectChild(e), lo);
  assert.is(edgeStatus(edge(root, 0, 0, [goal('proved'), goal('open')])), 'open');
  assert.is(edgeStatus(edge(root, 0, 0, [goal('proved'), goal('proved')])), 'proved');
  assert.is(edgeStatus(edge(root, 0, 0, [goal('proved'), goal('dead')])), 'dead');
  const dead = edge(root, 5, 5, [goal('dead')]);
  root.N = 6;
  root.edges = [dead, edge(root, 1, 0)];
  assert.is.not(selectEdge(root, 1), dead);
});

s('progressive widening: N = 4 allows 3 edges, N = 0 one; conjectures pay once (spec §7)', () => {
  assert.is(edgeAllowance(4, 1.5), 3);
  assert.is(edgeAllowance(0, 1.5), 1);
  assert.is(edgeAllowance(1, 1.5), 2);
  const paid = new Set<string>();
  assert.is(conjectureReward(paid, 'k', true), 1);
  assert.is(conjectureReward(paid, 'k', true), 0);
  assert.is(conjectureReward(paid, 'j', true), 1);
  assert.is(conjectureReward(new Set(), 'k', false), 0);
});

/** A scripted prover: tactics from a table keyed by printed sequent; subgoals from a list. */
function scripted(tactics: Record<string, string>, subgoals: string[]): Prover & { asked: number } {
  const p = {
    name: 'scripted',
    hasTactics: true,
    hasSubgoals: true,
    asked: 0,
    proposeTactics: async (q: Sequent, m: number) => {
      p.asked += m;
      return Array.from({ length: m }, () => tactics[printSequent(q)] ?? 'assumption');
    },
    proposeSubgoals: async (_q: Sequent, m: number) => Array.from({ length: m }, () => subgoals[0]),
    proposeProof: async () => [],
  };
  return p;
}

s('search: conjectures pay once, ψ ≡ φ is rejected, and the stitched proof checks', async () => {
  // p0, p0→p1 ⊢ p1: a conjecture `have p1` would be ψ ≡ φ (rejected); the tactic path proves it
  const t = seq('h0: p0, h1: p0 → p1 ⊢ p1');
  const prover = scripted({ 'h0: p0, h1: p0 → p1 ⊢ p1': 'apply h1', 'h0: p0, h1: p0 → p1 ⊢ p0': 'exact h0' }, ['p1']);
  const r = await sgmdpSearch(t, prover, {
    ...DEFAULT_SEARCH,
    budget: 40,
    seed: 1,
    allowHave: true,
    subgoalReward: true,
    subgoalShare: 0.5,
  });
  assert.ok(r.solved);
  assert.ok(checkScript(t, r.script!));
  assert.is(r.haveProposals, 0);
  // a provable conjecture: `have p1` at ⊢ p2 with h0: p0, h1: p0 → p1, h2: p1 → p2
  const u = seq('h0: p0, h1: p0 → p1, h2: p1 → p2 ⊢ p2');
  const tactics: Record<string, string> = {
    'h0: p0, h1: p0 → p1, h2: p1 → p2 ⊢ p1': 'apply h1',
    'h0: p0, h1: p0 → p1, h2: p1 → p2 ⊢ p0': 'exact h0',
    'h0: p0, h1: p0 → p1, h2: p1 → p2, h3: p1 ⊢ p2': 'mp h2 h3',
    'h0: p0, h1: p0 → p1, h2: p1 → p2, h3: p1, h4: p2 ⊢ p2': 'exact h4',
  };
  const v = await sgmdpSearch(u, scripted(tactics, ['p1']), {
    ...DEFAULT_SEARCH,
    budget: 200,
    seed: 3,
    allowHave: true,
    subgoalReward: true,
    subgoalShare: 0.5,
  });
  assert.ok(v.solved);
  assert.is(v.script![0], 'have p1');
  assert.ok(checkScript(u, v.script!));
  assert.ok(v.haveProvable >= 1);
});

s('stitching: stitched scripts pass, placeholders fail', () => {
  const t = seq('h0: p0, h1: p0 → p1 ⊢ p1 ∧ p0');
  const tree: ProofTree = {
    tactic: 'constructor',
    children: [
      { tactic: 'apply h1', children: [{ tactic: 'exact h0', children: [] }] },
      { tactic: 'exact h0', children: [] },
    ],
  };
  assert.equal(stitchProof(tree), ['constructor', 'apply h1', 'exact h0', 'exact h0']);
  assert.ok(checkScript(t, stitchProof(tree)));
  const holed: ProofTree = { ...tree, children: [{ tactic: 'sorry', children: [] }, tree.children[1]] };
  assert.not.ok(checkScript(t, stitchProof(holed)));
});

s('generator: all output provable with its depth, no canonical key crosses the split', () => {
  const ts = generateTheorems({ n: 120, depthRange: [4, 16], seed: 5 });
  assert.ok(ts.length > 10);
  for (const t of ts) {
    assert.ok(isProvable(t.sequent));
    assert.ok(checkScript(t.sequent, stitchProof(t.proof)));
    assert.ok(t.depth >= 4 && t.depth <= 16);
  }
  const { train, test } = splitByCanonical(ts, 0.2, 1);
  assert.is(train.length + test.length, ts.length);
  const trainKeys = new Set(train.map((t) => t.key));
  assert.ok(test.length > 0 && test.every((t) => !trainKeys.has(t.key)));
  // duplicates under renaming go to one side together
  const twin = { ...test[0] };
  const both = splitByCanonical([...ts, twin], 0.2, 1);
  assert.ok(both.test.filter((t) => t.key === twin.key).length === 2);
});

s(
  'buckets: the extra hard theorems are provable, of the hard depths, test only (no training key), after the split ones',
  () => {
    const b = buildBuckets({ ...QUICK, candidates: 200, hardCandidates: 800, testPerBucket: 4, handStride: 40 });
    assert.ok(b.extraHard.length > 0);
    const trainKeys = new Set(b.train.map((t) => t.key));
    for (const t of b.extraHard) {
      assert.ok(t.depth >= 12 && t.depth <= 16 && t.source === 'random');
      assert.ok(!trainKeys.has(t.key) && !b.all.some((a) => a.key === t.key));
      assert.ok(isProvable(t.sequent) && checkScript(t.sequent, stitchProof(t.proof)));
    }
    const hard = b.buckets[2].items;
    const split = b.test.filter((t) => t.depth >= 12);
    assert.is(hard.length, Math.min(4, split.length + b.extraHard.length));
    const fromSplit = Math.min(4, split.length);
    assert.ok(hard.slice(0, fromSplit).every((t) => split.includes(t)));
    assert.ok(hard.slice(fromSplit).every((t) => b.extraHard.includes(t)));
    for (const bucket of b.buckets) for (const t of bucket.items) assert.ok(!trainKeys.has(t.key));
  },
);

s('demonstrations: hindsight subgoals are provable from the ancestor and neither its goal nor a hypothesis', () => {
  const hand = handBenchmark().filter((t) => t.name?.startsWith('lemmaReuse') || t.name?.startsWith('chain'));
  const d = extractDemonstrations(hand);
  assert.ok(d.subgoal.length > 0);
  for (const { sequent, psi } of d.subgoal) {
    const f = parseFormula(psi);
    assert.ok(isProvable({ hyps: sequent.hyps, goal: f }));
    assert.ok(f !== sequent.goal && !sequent.hyps.some((h) => h.formula === f));
  }
  assert.is(
    d.tactic.length,
    hand.reduce((n, t) => n + stitchProof(t.proof).length, 0),
  );
});

s('LM: masked training learns a prompt → answer map and greedy decoding reads it back', async () => {
  const m = createLM({ nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 24, seed: 1, device: 'cpu' });
  const ex = Array.from({ length: 64 }, (_, i) =>
    i % 2 ? { prompt: [10, 11, 12, 5], target: [20, 21] } : { prompt: [10, 13, 7], target: [22] },
  );
  try {
    const { losses } = await trainLM(m, ex, { steps: 50, batch: 64, lr: 1e-2, seed: 1 });
    assert.is(losses.length, 50); // 50 steps over one batch of rows: epochs are cycled until the steps are done
    assert.ok(losses[losses.length - 1] < 0.3, `final loss ${losses[losses.length - 1]}`);
    assert.is(await top1Accuracy(m, ex.slice(0, 4), 4), 1);
  } finally {
    m.dispose();
  }
});

s('LM: with a validation split, training keeps the parameters of the lowest validation loss', async () => {
  const m = createLM({ nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 24, seed: 1, device: 'cpu' });
  // training teaches 10 → 20, validation asks 10 → 21: its loss rises as training goes on, so the first
  // evaluation is the best and its parameters must be the ones left in the model
  const ex = Array.from({ length: 64 }, () => ({ prompt: [10, 11], target: [20] }));
  const val = [{ prompt: [10, 11], target: [21] }];
  try {
    const r = await trainLM(m, ex, {
      steps: 30,
      batch: 64,
      lr: 1e-2,
      seed: 1,
      validation: { examples: val, every: 10 },
    });
    assert.equal(
      r.validation.map(([step]) => step),
      [10, 20, 30],
    );
    assert.ok(r.validation[2][1] > r.validation[0][1], `validation losses ${r.validation}`);
    assert.is(r.bestStep, 10);
    assert.ok(Math.abs((await validationLoss(m, val)) - r.validation[0][1]) < 1e-4);
  } finally {
    m.dispose();
  }
});

s('demonstrations: every inner sub-proof of two or more steps is a whole-proof example that checks', () => {
  const hand = handBenchmark().filter((t) => t.name?.startsWith('lemmaReuse') || t.name?.startsWith('orSplit'));
  const d = extractDemonstrations(hand);
  const inner = (tree: ProofTree): number =>
    tree.children.reduce((n, c) => n + (proofSize(c) >= 2 ? 1 : 0) + inner(c), 0);
  assert.is(
    d.subproof.length,
    hand.reduce((n, t) => n + inner(t.proof), 0),
  );
  assert.ok(d.subproof.length > 0);
  for (const { sequent, script } of d.subproof) {
    assert.ok(script.length >= 2);
    assert.ok(checkScript(sequent, script), script.join('; '));
  }
});

s('records: a saved run reads back equal (theorem re-parsed); another protocol in the same folder is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bourbaki-runs-'));
  try {
    openRunsDir(dir, { budgets: [8, 32] });
    const theorem = parseSequent('h0: p0 → p1, h1: p0 ⊢ p1');
    const result = {
      solved: true,
      script: ['apply h0', 'exact h1'],
      generations: 5,
      solvedAt: 5,
      checkerCalls: 4,
      checkerAt: [4, 4],
      invalid: 1,
      haveProposals: 0,
      haveProvable: 0,
    };
    const file = runFile(dir, 'B3', 2, 'hard', 7);
    assert.is(loadRun(file), null);
    saveRun(file, { arm: 'B3', seed: 2, bucket: 'hard', depth: 3, key: 'k', theorem, result });
    const back = loadRun(file)!;
    assert.equal(back.result, result);
    assert.is(back.seed, 2);
    assert.is(printSequent(back.theorem), printSequent(theorem));
    assert.ok(checkScript(back.theorem, back.result.script!));
    assert.is(countRuns(dir), 1);
    openRunsDir(dir, { budgets: [8, 32] });
    assert.throws(() => openRunsDir(dir, { budgets: [8, 64] }), /another protocol/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

s('stats: mean and sample sd', () => {
  assert.is(mean([1, 2, 3]), 2);
  assert.ok(Math.abs(sd([1, 2, 3]) - 1) < 1e-12);
  assert.is(sd([5]), 0);
});

s.run();
