// The hand benchmark (spec §3): Pelletier problems, classic intuitionistic tautologies, and three parametrised
// families — chain(k), orSplit(k) (k nested ∨-case splits) and lemmaReuse(k, m) (an m-step lemma needed in each
// of k case branches).
import { type Formula, atom, and, or, imp } from './formula.js';
import { type Sequent, sequent, parseSequent } from './sequent.js';
import { type Theorem, labelTheorem } from './generator.js';

const p = atom;

/** {p_i → p_(i+1) | i < k} ⊢ p0 → pk. */
export function chain(k: number): Sequent {
  return sequent(
    Array.from({ length: k }, (_, i) => imp(p(i), p(i + 1))),
    imp(p(0), p(k)),
  );
}

/** p0∨p1, p2∨p3, … (k disjunctions) ⊢ the disjunction over every choice of one atom from each: k nested case splits. */
export function orSplit(k: number): Sequent {
  const pairs = Array.from({ length: k }, (_, i) => [p(2 * i), p(2 * i + 1)]);
  let choices: Formula[][] = [[]];
  for (const [a, b] of pairs)
    choices = choices.flatMap((c) => [
      [...c, a],
      [...c, b],
    ]);
  const conj = (xs: Formula[]) => xs.slice(0, -1).reduceRight((acc, x) => and(x, acc), xs[xs.length - 1]);
  const goal = choices
    .map(conj)
    .reverse()
    .slice(0, -1)
    .reduceRight((acc, x) => or(x, acc), conj(choices[0]));
  return sequent(
    pairs.map(([a, b]) => or(a, b)),
    goal,
  );
}

/**
 * x1∨…∨xk, s, s→c1, c1→c2, …, c(m-1)→cm ⊢ (x1∧cm) ∨ … ∨ (xk∧cm): the m-step lemma cm is needed in every branch
 * (atoms: x = p0..p(k-1), s = pk, c = p(k+1)..p(k+m)).
 */
export function lemmaReuse(k: number, m: number): Sequent {
  const xs = Array.from({ length: k }, (_, i) => p(i));
  const s = p(k);
  const cs = Array.from({ length: m }, (_, i) => p(k + 1 + i));
  const chainHyps = cs.map((c, i) => imp(i === 0 ? s : cs[i - 1], c));
  const disj = (fs: Formula[]) => fs.slice(0, -1).reduceRight((acc, f) => or(f, acc), fs[fs.length - 1]);
  return sequent([disj(xs), s, ...chainHyps], disj(xs.map((x) => and(x, cs[m - 1]))));
}

const CLASSICS: [string, string][] = [
  ['P3', '⊢ ¬(p0 → p1) → (p1 → p0)'],
  ['P9', '⊢ (p0 ∨ p1) ∧ (¬p0 ∨ p1) ∧ (p0 ∨ ¬p1) → ¬(¬p0 ∨ ¬p1)'],
  ['P10', 'p1 → p2, p2 → p0 ∧ p1, p0 → p1 ∨ p2 ⊢ p0 ↔ p1'],
  ['P11', '⊢ p0 ↔ p0'],
  ['P13', '⊢ p0 ∨ p1 ∧ p2 ↔ (p0 ∨ p1) ∧ (p0 ∨ p2)'],
  ['nnEM', '⊢ ¬¬(p0 ∨ ¬p0)'],
  ['tripleNeg', '⊢ ¬¬¬p0 ↔ ¬p0'],
  ['deMorganOr', '⊢ ¬(p0 ∨ p1) ↔ ¬p0 ∧ ¬p1'],
  ['deMorganAnd', '⊢ ¬p0 ∨ ¬p1 → ¬(p0 ∧ p1)'],
  ['contraposition', '⊢ (p0 → p1) → ¬p1 → ¬p0'],
  ['dni', '⊢ p0 → ¬¬p0'],
  ['syllogism', '⊢ (p0 → p1) → (p1 → p2) → p0 → p2'],
  ['nnDNE', '⊢ ¬¬(¬¬p0 → p0)'],
  ['curry', '⊢ (p0 ∧ p1 → p2) ↔ (p0 → p1 → p2)'],
  ['orImp', '⊢ (p0 ∨ p1 → p2) ↔ (p0 → p2) ∧ (p1 → p2)'],
  ['nnAnd', '⊢ ¬¬(p0 ∧ p1) ↔ ¬¬p0 ∧ ¬¬p1'],
  ['impAnd', '⊢ (p0 → p1) ∧ (p0 → p2) ↔ (p0 → p1 ∧ p2)'],
];

/** The hand benchmark, each item labelled with its exact difficulty (items the cap cannot label are dropped). */
export function handBenchmark(): Theorem[] {
  const items: [string, Sequent][] = [
    ...CLASSICS.map(([name, text]) => [name, parseSequent(text)] as [string, Sequent]),
    ...[1, 2, 3, 4, 5, 6, 7].map((k) => [`chain(${k})`, chain(k)] as [string, Sequent]),
    ...[1, 2, 3].map((k) => [`orSplit(${k})`, orSplit(k)] as [string, Sequent]),
    ...[
      [2, 1],
      [2, 2],
      [2, 3],
      [2, 4],
      [2, 5],
      [3, 1],
      [3, 2],
      [3, 3],
      [3, 4],
      [4, 1],
      [4, 2],
      [4, 3],
      [5, 2],
    ].map(([k, m]) => [`lemmaReuse(${k},${m})`, lemmaReuse(k, m)] as [string, Sequent]),
  ];
  return items.map(([name, s]) => labelTheorem(s, 'hand', 400_000, name)).filter((t): t is Theorem => t !== null);
}
