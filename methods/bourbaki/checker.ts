// Proof scripts and their checker. A script is a list of tactic lines run against a stack of open goals: each
// line acts on the first open goal and its children take its place, in order (depth-first, as Lean's focusing
// does). A script proves Γ ⊢ φ when every line applies and no goal is left. A proof tree (a tactic per node, its
// children the proofs of the goals it creates) is stitched into a script by a pre-order walk.
import { type Sequent } from './sequent.js';
import { applyTactic } from './tactics.js';

export interface ProofTree {
  tactic: string;
  children: ProofTree[];
}

export type CheckResult = { ok: true; steps: number } | { ok: false; error: string; line: number };

export function runScript(s: Sequent, script: readonly string[]): CheckResult {
  let goals: Sequent[] = [s];
  for (let line = 0; line < script.length; line++) {
    if (!goals.length) return { ok: false, error: 'no goals left', line };
    const r = applyTactic(goals[0], script[line]);
    if (!r.ok) return { ok: false, error: r.error, line };
    goals = [...r.children, ...goals.slice(1)];
  }
  return goals.length
    ? { ok: false, error: `${goals.length} goal(s) left`, line: script.length }
    : { ok: true, steps: script.length };
}

export function checkScript(s: Sequent, script: readonly string[]): boolean {
  return runScript(s, script).ok;
}

/** The script of a proof tree (pre-order). A missing sub-proof can be left as the placeholder `sorry`, which the checker rejects. */
export function stitchProof(tree: ProofTree): string[] {
  return [tree.tactic, ...tree.children.flatMap(stitchProof)];
}

/** Height of a proof tree: tactic steps along its longest branch. */
export function proofHeight(tree: ProofTree): number {
  return 1 + Math.max(0, ...tree.children.map(proofHeight));
}

/** Tactic steps in the tree. */
export function proofSize(tree: ProofTree): number {
  return 1 + tree.children.reduce((n, c) => n + proofSize(c), 0);
}
