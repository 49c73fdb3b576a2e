// The sG-MDP search (spec §3, [R]): MCTS over an AND/OR tree whose actions are tactics (A⁻) and `have ψ`
// conjectures (A⁺). One iteration selects down the tree (UCB at goals, the weakest open child at edges), widens
// the goal it stops at with m sampled candidates, and backs up the reward: +1 for each conjecture proved for the
// first time (when subgoalReward) and +1 when the root is proved. Status (proved/dead) is cached by sequent and
// the stitched proof of the root is re-checked by the checker before a theorem counts as solved.
import { type Sequent, sequentKey, hasFormula, printSequent } from './sequent.js';
import { parseFormula } from './formula.js';
import { applyTactic, enumerateTactics } from './tactics.js';
import { type ProofTree, checkScript, stitchProof } from './checker.js';
import { isProvable } from './decider.js';
import { type Prover } from './provers.js';
import { makeRng } from './random.js';
import {
  type GoalNode,
  type Edge,
  edgeStatus,
  edgeAllowance,
  selectEdge,
  selectChild,
  conjectureReward,
} from './tree.js';

export interface SearchOptions {
  /** generations allowed (every proposal counts, valid or not) */
  budget: number;
  allowHave: boolean;
  subgoalReward: boolean;
  /** UCB exploration constant (1) */
  c: number;
  /** progressive-widening coefficient (1.5) */
  kappa: number;
  /** candidates per widening (4) */
  m: number;
  /** share of candidates asked of the subgoal model (0.3) */
  subgoalShare: number;
  seed: number;
  /** a wall-clock guard: when it returns true the search stops as if its budget were spent */
  shouldStop?: () => boolean;
}

export const DEFAULT_SEARCH: Omit<SearchOptions, 'budget' | 'seed' | 'allowHave' | 'subgoalReward'> = {
  c: 1,
  kappa: 1.5,
  m: 4,
  subgoalShare: 0.3,
};

export interface SearchResult {
  solved: boolean;
  script: string[] | null;
  generations: number;
  /** the generation (1-based) whose action completed the proof */
  solvedAt: number | null;
  checkerCalls: number;
  /** checker calls made by the time `generations` reached each budget in the list passed to the search */
  checkerAt: number[];
  invalid: number;
  haveProposals: number;
  /** of the `have` proposals, how many Γ ⊢ ψ the decider proves (a diagnostic; the search never sees it) */
  haveProvable: number;
}

/** A goal's name-aware key (names matter: a cached proof cites them). */
const keyOf = (s: Sequent) => `${s.hyps.map((h) => `${h.name}:${h.formula.id}`).join(',')}|${s.goal.id}`;

export async function sgmdpSearch(
  theorem: Sequent,
  prover: Prover,
  opts: SearchOptions,
  milestones: readonly number[] = [],
): Promise<SearchResult> {
  const rng = makeRng(opts.seed);
  const nodesByKey = new Map<string, GoalNode[]>();
  const provedCache = new Map<string, ProofTree>();
  const deadKeys = new Set<string>();
  const rewarded = new Set<string>();
  const stats = {
    generations: 0,
    checkerCalls: 0,
    invalid: 0,
    haveProposals: 0,
    haveProvable: 0,
    solvedAt: null as number | null,
  };
  const checkerAt = milestones.map(() => -1);
  let reward = 0;

  const newGoal = (sequent: Sequent, parent: Edge | null, conjecture: boolean): GoalNode => {
    const key = keyOf(sequent);
    const g: GoalNode = { sequent, key, status: 'open', N: 0, edges: [], parent, conjecture };
    const list = nodesByKey.get(key) ?? [];
    list.push(g);
    nodesByKey.set(key, list);
    return g;
  };

  // every legal `have`-free tactic is among the edges: the goal can be declared dead once they all are
  const exhausted = (g: GoalNode) => {
    const tried = new Set(g.edges.map((e) => e.action));
    return enumerateTactics(g.sequent).every((t) => tried.has(t));
  };

  const markProved = (g: GoalNode, proof: ProofTree): void => {
    if (g.status !== 'open') return;
    g.status = 'proved';
    g.proof = proof;
    provedCache.set(g.key, proof);
    if (g.conjecture) reward += conjectureReward(rewarded, sequentKey(g.sequent), opts.subgoalReward);
    if (g.parent === null && stats.solvedAt === null) {
      stats.solvedAt = stats.generations;
      reward += 1;
    }
    for (const twin of nodesByKey.get(g.key) ?? []) if (twin !== g) markProved(twin, proof);
    const e = g.parent;
    if (e && edgeStatus(e) === 'proved')
      markProved(e.parent, { tactic: e.action, children: e.children.map((c) => c.proof!) });
  };

  const markDead = (g: GoalNode): void => {
    if (g.status !== 'open') return;
    g.status = 'dead';
    deadKeys.add(g.key);
    for (const twin of nodesByKey.get(g.key) ?? []) if (twin !== g) markDead(twin);
    if (g.parent) checkDead(g.parent.parent);
  };

  const checkDead = (g: GoalNode) => {
    if (g.status === 'open' && exhausted(g) && g.edges.every((e) => edgeStatus(e) === 'dead')) markDead(g);
  };

  const addEdge = (g: GoalNode, action: string, isHave: boolean, children: Sequent[]): void => {
    const e: Edge = { action, isHave, parent: g, children: [], n: 0, W: 0 };
    e.children = children.map((s, i) => newGoal(s, e, isHave && i === 0));
    g.edges.push(e);
    for (const c of e.children) {
      const proof = provedCache.get(c.key);
      if (proof) markProved(c, proof);
      else if (deadKeys.has(c.key)) markDead(c);
    }
    if (e.children.length === 0) markProved(g, { tactic: action, children: [] });
  };

  /** Samples m candidates at g (a share from the subgoal model), checks them and adds the new valid ones as edges. */
  const widen = async (g: GoalNode): Promise<void> => {
    const m = opts.m;
    let nSub = 0;
    if (opts.allowHave && prover.hasSubgoals) for (let i = 0; i < m; i++) if (rng() < opts.subgoalShare) nSub++;
    const [tactics, subgoals] = await Promise.all([
      nSub < m ? prover.proposeTactics(g.sequent, m - nSub) : Promise.resolve([]),
      nSub > 0 ? prover.proposeSubgoals(g.sequent, nSub) : Promise.resolve([]),
    ]);
    const candidates = [
      ...tactics.map((t) => ({ text: t.trim(), isHave: false })),
      ...subgoals.map((f) => ({ text: `have ${f.trim()}`, isHave: true })),
    ];
    for (const cand of candidates) {
      if (g.status !== 'open') break;
      stats.generations++;
      const seen = g.edges.some((e) => e.action === cand.text);
      if (!seen) {
        if (cand.isHave || cand.text.startsWith('have')) {
          if (!opts.allowHave) {
            stats.invalid++;
            continue;
          }
          let psi;
          try {
            psi = parseFormula(cand.text.slice(4));
          } catch {
            stats.invalid++;
            continue;
          }
          // reward hacking guards: ψ ≡ φ and ψ ∈ Γ are rejected
          if (psi === g.sequent.goal || hasFormula(g.sequent, psi)) {
            stats.invalid++;
            continue;
          }
          stats.haveProposals++;
          if (isProvable({ hyps: g.sequent.hyps, goal: psi })) stats.haveProvable++;
        }
        stats.checkerCalls++;
        const r = applyTactic(g.sequent, cand.text);
        if (!r.ok) stats.invalid++;
        else addEdge(g, cand.text, cand.text.startsWith('have'), r.children);
      }
      milestones.forEach((k, i) => {
        if (checkerAt[i] < 0 && stats.generations >= k) checkerAt[i] = stats.checkerCalls;
      });
    }
    checkDead(g);
  };

  const root = newGoal(theorem, null, false);
  while (stats.generations < opts.budget && root.status === 'open' && !opts.shouldStop?.()) {
    reward = 0;
    const path: Edge[] = [];
    const goals: GoalNode[] = [];
    let g = root;
    for (;;) {
      goals.push(g);
      const canWiden = opts.allowHave || !exhausted(g);
      // widen when the allowance has room; if no new edge came of it (duplicates, invalid), go on selecting
      if (canWiden && g.edges.length < edgeAllowance(g.N, opts.kappa)) {
        const before = g.edges.length;
        await widen(g);
        if (g.edges.length > before || g.status !== 'open' || stats.generations >= opts.budget) break;
      }
      const e = selectEdge(g, opts.c);
      if (!e) {
        checkDead(g);
        if (g.status === 'open' && !(canWiden && g.edges.length < edgeAllowance(g.N, opts.kappa))) await widen(g);
        break;
      }
      const child = selectChild(e);
      if (!child) break;
      path.push(e);
      g = child;
    }
    for (const e of path) {
      e.n += 1;
      e.W += reward;
    }
    for (const q of goals) q.N += 1;
  }
  milestones.forEach((k, i) => {
    if (checkerAt[i] < 0) checkerAt[i] = stats.checkerCalls;
  });

  let script: string[] | null = null;
  let solved = false;
  if (root.status === 'proved') {
    script = stitchProof(root.proof!);
    stats.checkerCalls++;
    solved = checkScript(theorem, script);
    if (!solved)
      throw new Error(
        `sgmdpSearch: the stitched proof of ${printSequent(theorem)} failed the checker: ${script.join('; ')}`,
      );
  }
  return {
    solved,
    script,
    generations: stats.generations,
    solvedAt: solved ? stats.solvedAt : null,
    checkerCalls: stats.checkerCalls,
    checkerAt,
    invalid: stats.invalid,
    haveProposals: stats.haveProposals,
    haveProvable: stats.haveProvable,
  };
}

/** Whole-proof sampling (B1): up to k scripts from the prover, each checked; solved at the first that passes. */
export async function wholeProofSampling(
  theorem: Sequent,
  prover: Prover,
  k: number,
  milestones: readonly number[] = [],
  chunk = 8,
  shouldStop?: () => boolean,
): Promise<SearchResult> {
  let checkerCalls = 0;
  let invalid = 0;
  const checkerAt = milestones.map(() => -1);
  let i = 0;
  for (; i < k && !shouldStop?.(); i += chunk) {
    const scripts = await Promise.all(
      Array.from({ length: Math.min(chunk, k - i) }, () => prover.proposeProof(theorem)),
    );
    for (let j = 0; j < scripts.length; j++) {
      checkerCalls++;
      const generations = i + j + 1;
      if (checkScript(theorem, scripts[j])) {
        milestones.forEach((b, t) => {
          if (checkerAt[t] < 0 && generations >= b) checkerAt[t] = checkerCalls;
        });
        milestones.forEach((_, t) => {
          if (checkerAt[t] < 0) checkerAt[t] = checkerCalls;
        });
        return {
          solved: true,
          script: scripts[j],
          generations,
          solvedAt: generations,
          checkerCalls,
          checkerAt,
          invalid,
          haveProposals: 0,
          haveProvable: 0,
        };
      }
      invalid++;
      milestones.forEach((b, t) => {
        if (checkerAt[t] < 0 && generations >= b) checkerAt[t] = checkerCalls;
      });
    }
  }
  milestones.forEach((_, t) => {
    if (checkerAt[t] < 0) checkerAt[t] = checkerCalls;
  });
  return {
    solved: false,
    script: null,
    generations: Math.min(i, k),
    solvedAt: null,
    checkerCalls,
    checkerAt,
    invalid,
    haveProposals: 0,
    haveProvable: 0,
  };
}
