// Demonstrations from the decider's proofs (spec §5): (sequent → tactic) pairs at every node of a proof,
// (theorem → script) pairs and the same for every inner goal's sub-proof, and hindsight (ancestor → have ψ) pairs,
// where ψ is the goal of a node at least two levels below the ancestor whose sub-proof takes two or more steps,
// kept only if the ancestor's Γ proves ψ.
import { type Sequent, hasFormula } from './sequent.js';
import { applyTactic } from './tactics.js';
import { type ProofTree, stitchProof, proofSize } from './checker.js';
import { isProvable } from './decider.js';
import { printFormula, type Formula } from './formula.js';
import { type Theorem } from './generator.js';

export interface ProofNode {
  sequent: Sequent;
  tactic: string;
  children: ProofNode[];
  /** the sub-proof rooted here */
  tree: ProofTree;
  /** steps in the sub-proof rooted here */
  size: number;
}

/** The proof tree with the sequent at every node (replayed through the tactics). */
export function annotate(s: Sequent, tree: ProofTree): ProofNode {
  const r = applyTactic(s, tree.tactic);
  if (!r.ok || r.children.length !== tree.children.length)
    throw new Error(`annotate: "${tree.tactic}" does not replay (${r.ok ? 'child count' : r.error})`);
  return {
    sequent: s,
    tactic: tree.tactic,
    children: r.children.map((c, i) => annotate(c, tree.children[i])),
    tree,
    size: proofSize(tree),
  };
}

export interface Demonstrations {
  tactic: { sequent: Sequent; tactic: string }[];
  script: { sequent: Sequent; script: string[] }[];
  /** (inner goal → its sub-proof's script) for every non-root node of two or more steps: more whole-proof data */
  subproof: { sequent: Sequent; script: string[] }[];
  subgoal: { sequent: Sequent; psi: string }[];
}

export function extractDemonstrations(theorems: readonly Theorem[]): Demonstrations {
  const out: Demonstrations = { tactic: [], script: [], subproof: [], subgoal: [] };
  for (const t of theorems) {
    const root = annotate(t.sequent, t.proof);
    out.script.push({ sequent: t.sequent, script: stitchProof(t.proof) });
    const walk = (node: ProofNode, ancestors: ProofNode[]) => {
      out.tactic.push({ sequent: node.sequent, tactic: node.tactic });
      if (ancestors.length && node.size >= 2)
        out.subproof.push({ sequent: node.sequent, script: stitchProof(node.tree) });
      // hindsight: this node's goal as a conjecture for every ancestor two or more levels up
      if (node.size >= 2) {
        for (const a of ancestors.slice(0, -1)) {
          if (isHindsightGoal(a.sequent, node.sequent.goal))
            out.subgoal.push({ sequent: a.sequent, psi: printFormula(node.sequent.goal) });
        }
      }
      for (const c of node.children) walk(c, [...ancestors, node]);
    };
    walk(root, []);
  }
  return out;
}

/** ψ is a fair conjecture at a: not the goal itself, not already a hypothesis, and provable from a's Γ. */
export function isHindsightGoal(a: Sequent, psi: Formula): boolean {
  return psi !== a.goal && !hasFormula(a, psi) && isProvable({ hyps: a.hyps, goal: psi });
}
