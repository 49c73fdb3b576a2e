// The decider and the difficulty measure (spec §3).
// isProvable: Dyckhoff's contraction-free calculus G4ip (LJT, J. Symbolic Logic 1992), which decides
// intuitionistic propositional logic by a terminating backward search: invertible rules first, then the
// non-invertible ∨-right choices and the (C→D)→B rule.
// shortestProof: memoised iterative deepening over the `have`-free tactics, giving a proof of least height
// (tactic steps along the longest branch) up to a cap; that height is a theorem's difficulty.
import { type Formula, bot, imp } from './formula.js';
import { type Sequent } from './sequent.js';
import { applyTactic, enumerateTactics } from './tactics.js';
import { type ProofTree, proofHeight } from './checker.js';

const provableMemo = new Map<string, boolean>();

export function isProvable(s: Sequent): boolean {
  return g4ip(
    s.hyps.map((h) => h.formula),
    s.goal,
  );
}

function g4ip(gamma: readonly Formula[], goal: Formula): boolean {
  const ctx = [...new Set(gamma)].sort((a, b) => a.id - b.id);
  const key = `${ctx.map((f) => f.id).join(',')}|${goal.id}`;
  const known = provableMemo.get(key);
  if (known !== undefined) return known;
  if (provableMemo.size > 2_000_000) provableMemo.clear();
  const result = prove(ctx, goal);
  provableMemo.set(key, result);
  return result;
}

function prove(ctx: readonly Formula[], goal: Formula): boolean {
  if (ctx.includes(goal) || ctx.includes(bot)) return true;
  // invertible left rules
  for (let i = 0; i < ctx.length; i++) {
    const f = ctx[i];
    const rest = ctx.filter((_, j) => j !== i);
    if (f.kind === 'and') return g4ip([...rest, f.a, f.b], goal);
    if (f.kind === 'or') return g4ip([...rest, f.a], goal) && g4ip([...rest, f.b], goal);
    if (f.kind === 'imp') {
      const A = f.a;
      if (A.kind === 'atom' && ctx.includes(A)) return g4ip([...rest, f.b], goal);
      if (A.kind === 'bot') return g4ip(rest, goal);
      if (A.kind === 'and') return g4ip([...rest, imp(A.a, imp(A.b, f.b))], goal);
      if (A.kind === 'or') return g4ip([...rest, imp(A.a, f.b), imp(A.b, f.b)], goal);
    }
  }
  // invertible right rules
  if (goal.kind === 'and') return g4ip(ctx, goal.a) && g4ip(ctx, goal.b);
  if (goal.kind === 'imp') return g4ip([...ctx, goal.a], goal.b);
  // non-invertible: pick a disjunct, or use a hypothesis (C→D)→B
  if (goal.kind === 'or' && (g4ip(ctx, goal.a) || g4ip(ctx, goal.b))) return true;
  for (let i = 0; i < ctx.length; i++) {
    const f = ctx[i];
    if (f.kind !== 'imp' || f.a.kind !== 'imp') continue;
    const rest = ctx.filter((_, j) => j !== i);
    const [C, D, B] = [f.a.a, f.a.b, f.b];
    if (g4ip([...rest, imp(D, B)], imp(C, D)) && g4ip([...rest, B], goal)) return true;
  }
  return false;
}

export interface ShortestOptions {
  /** largest height tried (the spec's cap 16) */
  cap?: number;
  /** give up (null) after this many search nodes */
  nodeLimit?: number;
}

/** A `have`-free proof of least height ≤ cap, or null (none, or the node limit was reached). */
export function shortestProof(s: Sequent, opts: ShortestOptions = {}): ProofTree | null {
  const cap = opts.cap ?? 16;
  const nodeLimit = opts.nodeLimit ?? 200_000;
  if (!isProvable(s)) return null;
  const best = new Map<string, ProofTree>();
  const failedAt = new Map<string, number>();
  let nodes = 0;
  // names matter to the stored tree (its `exact h3`), so the key keeps them
  const keyOf = (q: Sequent) => `${q.hyps.map((h) => `${h.name}:${h.formula.id}`).join(',')}|${q.goal.id}`;
  const search = (q: Sequent, d: number): ProofTree | null => {
    if (d <= 0) return null;
    const key = keyOf(q);
    const found = best.get(key);
    if (found && proofHeight(found) <= d) return found;
    if ((failedAt.get(key) ?? 0) >= d) return null;
    if (++nodes > nodeLimit) throw new NodeLimit();
    for (const tactic of enumerateTactics(q)) {
      const r = applyTactic(q, tactic);
      if (!r.ok) continue;
      const children: ProofTree[] = [];
      for (const c of r.children) {
        const sub = search(c, d - 1);
        if (!sub) break;
        children.push(sub);
      }
      if (children.length === r.children.length) {
        const tree = { tactic, children };
        best.set(key, tree);
        return tree;
      }
    }
    failedAt.set(key, d);
    return null;
  };
  try {
    for (let d = 1; d <= cap; d++) {
      const tree = search(s, d);
      if (tree) return tree;
    }
  } catch (e) {
    if (e instanceof NodeLimit) return null;
    throw e;
  }
  return null;
}

class NodeLimit extends Error {}

/** The spec's difficulty: the least height of a `have`-free proof, or null above the cap. */
export function shortestDepth(s: Sequent, cap = 16, nodeLimit?: number): number | null {
  const tree = shortestProof(s, { cap, nodeLimit });
  return tree ? proofHeight(tree) : null;
}

/** A proof from the decider: the shortest `have`-free proof. */
export const extractProof = (s: Sequent, opts?: ShortestOptions) => shortestProof(s, opts);
