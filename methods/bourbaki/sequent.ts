// Sequents Γ ⊢ φ with named hypotheses h0..hn. Names are stable: a tactic that adds a hypothesis names it one past
// the largest index in use, and removing one never renames the others, so a script's `exact h3` keeps its meaning.
import { type Formula, atomsOf, renameAtoms, parseFormula, printFormula } from './formula.js';

export interface Hyp {
  readonly name: string;
  readonly formula: Formula;
}

export interface Sequent {
  readonly hyps: readonly Hyp[];
  readonly goal: Formula;
}

export function sequent(hyps: readonly Formula[], goal: Formula): Sequent {
  return { hyps: hyps.map((formula, i) => ({ name: `h${i}`, formula })), goal };
}

export function nextHypName(s: Sequent): string {
  return `h${s.hyps.reduce((m, h) => Math.max(m, Number(h.name.slice(1)) + 1), 0)}`;
}

export function withHyps(s: Sequent, add: readonly Formula[], goal: Formula = s.goal, remove?: string): Sequent {
  let hyps = remove ? s.hyps.filter((h) => h.name !== remove) : [...s.hyps];
  let next = Number(nextHypName(s).slice(1));
  for (const formula of add) hyps = [...hyps, { name: `h${next++}`, formula }];
  return { hyps, goal };
}

export function findHyp(s: Sequent, name: string): Hyp | undefined {
  return s.hyps.find((h) => h.name === name);
}

export function hasFormula(s: Sequent, f: Formula): boolean {
  return s.hyps.some((h) => h.formula === f);
}

export function printSequent(s: Sequent): string {
  return `${s.hyps.map((h) => `${h.name}: ${printFormula(h.formula)}`).join(', ')}${s.hyps.length ? ' ' : ''}⊢ ${printFormula(s.goal)}`;
}

/** Parses "h0: p0 → p1, h1: p0 ⊢ p1" (names optional: unnamed hypotheses are numbered in order). */
export function parseSequent(text: string): Sequent {
  const parts = text.split('⊢');
  if (parts.length !== 2) throw new Error(`parseSequent: expected exactly one ⊢ in "${text}"`);
  const hyps = parts[0].trim()
    ? parts[0].split(',').map((h, i) => {
        const m = /^\s*(h\d+)\s*:(.*)$/.exec(h);
        return m ? { name: m[1], formula: parseFormula(m[2]) } : { name: `h${i}`, formula: parseFormula(h) };
      })
    : [];
  return { hyps, goal: parseFormula(parts[1]) };
}

/** A cheap key for caches inside one search: the set of hypothesis formulas and the goal, names ignored. */
export function sequentKey(s: Sequent): string {
  const ids = [...new Set(s.hyps.map((h) => h.formula.id))].sort((a, b) => a - b);
  return `${ids.join(',')}|${s.goal.id}`;
}

/**
 * The spec's canonical key: rename atoms by first occurrence, then sort the hypotheses (names and duplicates
 * dropped). Occurrence is read from the goal first and then from the hypotheses in an order that does not depend on
 * atom names (their shape with atoms blanked), so sequents equal up to renaming atoms get the same key.
 */
export function canonicalKey(s: Sequent): string {
  const shape = (f: Formula) => printFormula(f).replace(/p\d+/g, 'p');
  const ordered = [...new Set(s.hyps.map((h) => h.formula))].sort((x, y) =>
    shape(x) < shape(y) ? -1 : shape(x) > shape(y) ? 1 : 0,
  );
  const order: number[] = [];
  atomsOf(s.goal, order);
  for (const f of ordered) atomsOf(f, order);
  const map = new Map(order.map((a, i) => [a, i] as [number, number]));
  const hyps = ordered.map((f) => printFormula(renameAtoms(f, map))).sort();
  return `${hyps.join(', ')} ⊢ ${printFormula(renameAtoms(s.goal, map))}`;
}
