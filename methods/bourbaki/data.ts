// The experiment's data (spec §5): theorems generated and split by canonical key, the scored test buckets and hand
// items, and the models' demonstrations (training pairs from the train side, held-out pairs from unscored test
// theorems), as symbol-id examples.
import { generateTheorems, splitByCanonical, type Theorem } from './generator.js';
import { handBenchmark } from './hand.js';
import { extractDemonstrations, type Demonstrations } from './demos.js';
import { encode } from './tokenizer.js';
import { type Example } from './lm.js';
import { type Sequent, printSequent } from './sequent.js';
import { makeRng, shuffle } from './random.js';
import { BUCKETS, type Protocol, type FullProtocol, type ModelName } from './protocol.js';

export interface Buckets {
  all: Theorem[];
  train: Theorem[];
  test: Theorem[];
  /** test-only theorems of the hard bucket's depths from extra random-source candidates, no key among `all`'s */
  extraHard: Theorem[];
  buckets: { name: string; items: Theorem[] }[];
  hand: Theorem[];
}

export function buildBuckets(p: Protocol, onProgress?: (done: number, kept: number) => void): Buckets {
  const all = generateTheorems({ n: p.candidates, depthRange: [4, 16], seed: 2507, onProgress });
  const [hardName, hardLo, hardHi] = BUCKETS[2];
  const { train, test } = splitByCanonical(all, 0.2, 2507, (t) => t.depth >= hardLo);
  // the generator gives few theorems of depth ≥ 12 (all of them go to test); the random source, drawn alone with
  // another seed, tops the hard bucket up. Keys already generated are dropped, so none is a training key.
  const known = new Set(all.map((t) => t.key));
  const extraHard = p.hardCandidates
    ? generateTheorems({ n: p.hardCandidates, depthRange: [hardLo, hardHi], seed: 2508, source: 'random' }).filter(
        (t) => !known.has(t.key),
      )
    : [];
  const rng = makeRng(2507);
  const buckets = BUCKETS.map(([name, lo, hi]) => ({
    name,
    items: shuffle(
      rng,
      test.filter((t) => t.depth >= lo && t.depth <= hi),
    ).slice(0, p.testPerBucket),
  }));
  // the main split's hard theorems first, then the extra ones
  const hard = buckets.find((b) => b.name === hardName)!;
  hard.items.push(...shuffle(makeRng(2508), extraHard).slice(0, p.testPerBucket - hard.items.length));
  const hand = handBenchmark().filter((_, i) => i % p.handStride === 0);
  return { all, train, test, extraHard, buckets, hand };
}

/** A (sequent → answer) example, or null when a symbol falls outside the vocabulary. */
export function example(s: Sequent, answer: string): Example | null {
  const prompt = encode(printSequent(s));
  const target = encode(answer);
  return prompt && target ? { prompt, target } : null;
}
const keep = (xs: (Example | null)[]) => xs.filter((x): x is Example => x !== null);

export interface ModelData {
  train: Record<ModelName, Example[]>;
  /** validation examples from training-side theorems held out of training (early stopping), never test theorems */
  valid: Record<ModelName, Example[]>;
  /** held-out examples (from test theorems outside the scored buckets), with their sequents for validity checks */
  held: Demonstrations;
}

/**
 * The training side is split again by canonical key into fitting and validation theorems. T1 and T2 get disjoint
 * halves of every (sequent → tactic) pair of the fitting theorems; S every hindsight pair; W the whole scripts and
 * every inner sub-proof's script. Validation: the validation theorems' pairs (W: their whole scripts).
 */
export function buildModelData(b: Buckets, p: FullProtocol): ModelData {
  const rng = makeRng(2507);
  const { train: fitting, test: validation } = splitByCanonical(b.train, p.validationFraction, 2508);
  const demos = extractDemonstrations(fitting);
  const val = extractDemonstrations(validation);
  const scored = new Set(b.buckets.flatMap((x) => x.items));
  const held = extractDemonstrations(b.test.filter((t) => !scored.has(t)).slice(0, 150));
  const tactic = keep(shuffle(rng, demos.tactic).map((d) => example(d.sequent, d.tactic)));
  const half = Math.floor(tactic.length / 2);
  const valTactic = keep(val.tactic.map((d) => example(d.sequent, d.tactic)));
  return {
    train: {
      T1: tactic.slice(0, half),
      T2: tactic.slice(half),
      S: keep(shuffle(rng, demos.subgoal).map((d) => example(d.sequent, d.psi))),
      W: keep(shuffle(rng, [...demos.script, ...demos.subproof]).map((d) => example(d.sequent, d.script.join('; ')))),
    },
    valid: {
      T1: valTactic,
      T2: valTactic,
      S: keep(val.subgoal.map((d) => example(d.sequent, d.psi))),
      W: keep(val.script.map((d) => example(d.sequent, d.script.join('; ')))),
    },
    held,
  };
}
