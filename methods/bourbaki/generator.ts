// The theorem generator (spec §3): two sources mixed 50/50, each candidate relabelled with its exact difficulty
// (the least height of a `have`-free proof), and a train/test split by canonical key so that no theorem appears on
// both sides under a renaming of its atoms.
import { type Formula, atom, bot, and, or, imp, not } from './formula.js';
import { type Sequent, sequent, canonicalKey } from './sequent.js';
import { isProvable, shortestProof } from './decider.js';
import { type ProofTree, proofHeight } from './checker.js';
import { type Rng, makeRng, randInt, pick, shuffle } from './random.js';

export interface Theorem {
  sequent: Sequent;
  /** least height of a `have`-free proof */
  depth: number;
  key: string;
  /** a shortest proof (the decider's), the source of demonstrations */
  proof: ProofTree;
  source: 'random' | 'forward' | 'hand';
  name?: string;
}

/** A random formula over atoms p0..p(atoms-1) with exactly `connectives` binary connectives (¬ counts as one). */
export function randomFormula(rng: Rng, atoms: number, connectives: number): Formula {
  if (connectives === 0) return rng() < 0.05 ? bot : atom(randInt(rng, 0, atoms - 1));
  const r = rng();
  if (r < 0.15) return not(randomFormula(rng, atoms, connectives - 1));
  const left = randInt(rng, 0, connectives - 1);
  const [a, b] = [randomFormula(rng, atoms, left), randomFormula(rng, atoms, connectives - 1 - left)];
  return r < 0.55 ? imp(a, b) : r < 0.8 ? and(a, b) : or(a, b);
}

/** Source 1: a random sequent (2–5 hypotheses, 3–6 atoms, 8–30 connectives in all). */
export function randomSequent(rng: Rng): Sequent {
  const nHyps = randInt(rng, 2, 5);
  const atoms = randInt(rng, 3, 6);
  const total = randInt(rng, 8, 30);
  // share the connectives among the hypotheses and the goal
  const shares = new Array(nHyps + 1).fill(0);
  for (let i = 0; i < total; i++) shares[randInt(rng, 0, nHyps)]++;
  return sequent(
    shares.slice(0, nHyps).map((n) => randomFormula(rng, atoms, n)),
    randomFormula(rng, atoms, shares[nHyps]),
  );
}

/**
 * Source 2: a forward derivation. From random hypotheses, apply 4–14 rounds of forward rules (→-elimination,
 * ∧-elimination, ∧-introduction, ∨-introduction) and take as goal the derived formula whose derivation is tallest.
 */
export function forwardSequent(rng: Rng): Sequent {
  const atoms = randInt(rng, 3, 6);
  const hyps = Array.from({ length: randInt(rng, 2, 5) }, () => randomFormula(rng, atoms, randInt(rng, 1, 4)));
  const known = new Map<Formula, number>(hyps.map((f) => [f, 0]));
  const rounds = randInt(rng, 4, 14);
  for (let round = 0; round < rounds; round++) {
    const facts = [...known.keys()];
    const moves: [Formula, number][] = [];
    for (const f of facts) {
      const h = known.get(f)!;
      if (f.kind === 'imp' && known.has(f.a)) moves.push([f.b, 1 + Math.max(h, known.get(f.a)!)]);
      if (f.kind === 'and') moves.push([f.a, h + 1], [f.b, h + 1]);
    }
    const [x, y] = [pick(rng, facts), pick(rng, facts)];
    if (x.size + y.size < 8) moves.push([and(x, y), 1 + Math.max(known.get(x)!, known.get(y)!)]);
    moves.push([or(x, atom(randInt(rng, 0, atoms - 1))), known.get(x)! + 1]);
    const fresh = moves.filter(([f]) => !known.has(f));
    // prefer eliminations, which chain into tall derivations
    const elim = fresh.filter(([f]) => f.kind !== 'and' && f.kind !== 'or');
    const [f, h] = pick(rng, elim.length && rng() < 0.7 ? elim : fresh.length ? fresh : moves);
    if (!known.has(f)) known.set(f, h);
  }
  const derived = [...known.entries()].filter(([f]) => !hyps.includes(f));
  const tallest = derived.length ? derived.reduce((a, b) => (b[1] > a[1] ? b : a))[0] : hyps[0];
  return sequent(shuffle(rng, hyps), tallest);
}

export interface GenerateOptions {
  /** candidates to draw */
  n: number;
  /** keep depths in [lo, hi] */
  depthRange: [number, number];
  seed: number;
  /** draw from one source only (default: both, 50/50) */
  source?: 'random' | 'forward';
  /** search nodes per difficulty label */
  nodeLimit?: number;
  onProgress?: (done: number, kept: number) => void;
}

/**
 * Draws n candidates (50/50 from the two sources, or from `source` only), keeps the provable ones of depth in range,
 * one per canonical key.
 */
export function generateTheorems(opts: GenerateOptions): Theorem[] {
  const rng = makeRng(opts.seed);
  const seen = new Set<string>();
  const out: Theorem[] = [];
  for (let i = 0; i < opts.n; i++) {
    const source = opts.source ?? (i % 2 === 0 ? 'random' : 'forward');
    const s = source === 'random' ? randomSequent(rng) : forwardSequent(rng);
    opts.onProgress?.(i + 1, out.length);
    const key = canonicalKey(s);
    if (seen.has(key)) continue;
    seen.add(key);
    const t = labelTheorem(s, source, opts.nodeLimit);
    if (t && t.depth >= opts.depthRange[0] && t.depth <= opts.depthRange[1]) out.push(t);
  }
  return out;
}

/** The theorem with its exact difficulty, or null if unprovable or not `have`-free provable within the cap. */
export function labelTheorem(s: Sequent, source: Theorem['source'], nodeLimit = 50_000, name?: string): Theorem | null {
  if (!isProvable(s)) return null;
  const proof = shortestProof(s, { cap: 16, nodeLimit });
  if (!proof) return null;
  return { sequent: s, depth: proofHeight(proof), key: canonicalKey(s), proof, source, ...(name ? { name } : {}) };
}

/**
 * Splits by canonical key: every key goes wholly to train or to test (keys shuffled by seed). Keys of items that
 * `forceTest` picks go to test first (the experiment sends its rare deepest theorems there).
 */
export function splitByCanonical<T extends { key: string }>(
  items: readonly T[],
  testFraction: number,
  seed: number,
  forceTest: (t: T) => boolean = () => false,
): { train: T[]; test: T[] } {
  const forced = new Set(items.filter(forceTest).map((t) => t.key));
  const keys = shuffle(makeRng(seed), [...new Set(items.map((t) => t.key))].sort()).filter((k) => !forced.has(k));
  const testKeys = new Set([
    ...forced,
    ...keys.slice(0, Math.max(0, Math.round((keys.length + forced.size) * testFraction) - forced.size)),
  ]);
  return { train: items.filter((t) => !testKeys.has(t.key)), test: items.filter((t) => testKeys.has(t.key)) };
}
