// The AND/OR search tree of the sG-MDP (spec §3) and its pure rules, kept apart from the search loop so tests can
// check them on hand-built trees.
//   goal (OR) node: a sequent with status open/proved/dead, visits N, value V = max over its edges of Q
//   edge (AND) node: an action; Q = W/n; worth the min V of its children; proved when all children are proved
//                    and dead when any child is dead
import { type Sequent } from './sequent.js';
import { type ProofTree } from './checker.js';

export type Status = 'open' | 'proved' | 'dead';

export interface GoalNode {
  sequent: Sequent;
  key: string;
  status: Status;
  N: number;
  edges: Edge[];
  parent: Edge | null;
  /** the first child of a `have` edge: a conjecture the prover stated */
  conjecture: boolean;
  /** set once proved: the proof of this goal */
  proof?: ProofTree;
}

export interface Edge {
  action: string;
  isHave: boolean;
  parent: GoalNode;
  children: GoalNode[];
  n: number;
  W: number;
}

export const edgeQ = (e: Edge) => (e.n ? e.W / e.n : 0);

/** V of a goal: 1 proved, 0 dead, else the max Q over its live edges (0 with none). */
export function goalValue(g: GoalNode): number {
  if (g.status === 'proved') return 1;
  if (g.status === 'dead') return 0;
  return Math.max(0, ...g.edges.filter((e) => edgeStatus(e) !== 'dead').map(edgeQ));
}

/** An edge is worth the min V over its children (an AND: the weakest child bounds it); no children: proved, 1. */
export function edgeValue(e: Edge): number {
  return Math.min(1, ...e.children.map(goalValue));
}

export function edgeStatus(e: Edge): Status {
  if (e.children.some((c) => c.status === 'dead')) return 'dead';
  return e.children.every((c) => c.status === 'proved') ? 'proved' : 'open';
}

/** UCB score of an edge at a goal visited N times: Q + c·sqrt(ln N / (1 + n)). */
export function ucbScore(e: Edge, N: number, c: number): number {
  return edgeQ(e) + c * Math.sqrt(Math.log(Math.max(N, 1)) / (1 + e.n));
}

/** The live edge with the highest UCB score (first on ties), or null when none is live. */
export function selectEdge(g: GoalNode, c: number): Edge | null {
  let best: Edge | null = null;
  let bestScore = -Infinity;
  for (const e of g.edges) {
    if (edgeStatus(e) === 'dead') continue;
    const s = ucbScore(e, g.N, c);
    if (s > bestScore) [best, bestScore] = [e, s];
  }
  return best;
}

/** The open child with the lowest V (the AND node's weakest link), or null. */
export function selectChild(e: Edge): GoalNode | null {
  let best: GoalNode | null = null;
  for (const c of e.children) if (c.status === 'open' && (!best || goalValue(c) < goalValue(best))) best = c;
  return best;
}

/** Progressive widening: a goal visited N times may hold max(1, ceil(κ·sqrt(N))) edges (κ = 1.5). */
export function edgeAllowance(N: number, kappa: number): number {
  return Math.max(1, Math.ceil(kappa * Math.sqrt(N)));
}

/** The subgoal reward: +1 the first time a conjecture (keyed by its sequent) is proved, 0 after; 0 when disabled (B5). */
export function conjectureReward(paid: Set<string>, key: string, enabled: boolean): number {
  if (!enabled || paid.has(key)) return 0;
  paid.add(key);
  return 1;
}
