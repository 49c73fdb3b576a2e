// Provers (spec §4): anything that proposes tactics, `have` subgoals and whole proofs for a sequent. Every string
// returned is one generation of budget, valid or not: the search and the sampler count them and check them.
import { type nn } from '../../index.js';
import { type Formula, printFormula } from './formula.js';
import { type Sequent, printSequent } from './sequent.js';
import { applyTactic, enumerateTactics } from './tactics.js';
import { type Rng, makeRng, pick } from './random.js';
import { SampleBatcher } from './lm.js';
import { encode, decode } from './tokenizer.js';

export interface Prover {
  readonly name: string;
  /** does it propose tactics / subgoals (the search's 30% subgoal share goes to the tactic models when none does) */
  readonly hasTactics: boolean;
  readonly hasSubgoals: boolean;
  proposeTactics(s: Sequent, m: number): Promise<string[]>;
  /** candidate formulas ψ for `have ψ` (as text) */
  proposeSubgoals(s: Sequent, m: number): Promise<string[]>;
  /** a whole proof script, one tactic per line */
  proposeProof(s: Sequent): Promise<string[]>;
}

/** Prompt text of a sequent for the models (hypothesis names included, so tactics can cite them). */
export const promptOf = (s: Sequent) => encode(printSequent(s));

export interface LmProverModels {
  tactic?: nn.GPT;
  subgoal?: nn.GPT;
  whole?: nn.GPT;
}

/** A prover backed by trained models (any subset of tactic, subgoal, whole-proof), sampling at a temperature. */
export function lmProver(
  name: string,
  models: LmProverModels,
  opts: { temperature: number; seed: number },
): Prover & { tokens(): number } {
  const make = (model: nn.GPT | undefined, maxNewTokens: number, seed: number) =>
    model ? new SampleBatcher(model, { temperature: opts.temperature, maxNewTokens, seed }) : null;
  const tactic = make(models.tactic, 6, opts.seed);
  const subgoal = make(models.subgoal, 40, opts.seed + 1);
  const whole = make(models.whole, 128, opts.seed + 2);
  const sampleMany = async (b: SampleBatcher | null, s: Sequent, m: number, what: string) => {
    if (!b) throw new Error(`lmProver ${name}: no ${what} model`);
    const prompt = promptOf(s);
    if (!prompt) return new Array<string>(m).fill('');
    return (await Promise.all(Array.from({ length: m }, () => b.sample(prompt)))).map(decode);
  };
  return {
    name,
    hasTactics: !!tactic,
    hasSubgoals: !!subgoal,
    proposeTactics: (s, m) => sampleMany(tactic, s, m, 'tactic'),
    proposeSubgoals: (s, m) => sampleMany(subgoal, s, m, 'subgoal'),
    proposeProof: async (s) =>
      (await sampleMany(whole, s, 1, 'whole-proof'))[0]
        .split(';')
        .map((l) => l.trim())
        .filter((l) => l),
    tokens: () => [tactic, subgoal, whole].reduce((n, b) => n + (b?.tokens ?? 0), 0),
  };
}

/** Round-robin over members: the i-th of m proposals goes to member (offset + i) mod size; the offset rotates per call. */
export function ensembleProver(name: string, provers: readonly Prover[]): Prover {
  const split = async (
    members: readonly Prover[],
    m: number,
    ask: (p: Prover, n: number) => Promise<string[]>,
    turn: number,
  ) => {
    if (!members.length) throw new Error(`ensembleProver ${name}: no member can answer`);
    const counts = new Array(members.length).fill(0);
    for (let i = 0; i < m; i++) counts[(turn + i) % members.length]++;
    return (await Promise.all(members.map((p, j) => (counts[j] ? ask(p, counts[j]) : Promise.resolve([]))))).flat();
  };
  let turn = 0;
  return {
    name,
    hasTactics: provers.some((p) => p.hasTactics),
    hasSubgoals: provers.some((p) => p.hasSubgoals),
    proposeTactics: (s, m) =>
      split(
        provers.filter((p) => p.hasTactics),
        m,
        (p, n) => p.proposeTactics(s, n),
        turn++,
      ),
    proposeSubgoals: (s, m) =>
      split(
        provers.filter((p) => p.hasSubgoals),
        m,
        (p, n) => p.proposeSubgoals(s, n),
        turn++,
      ),
    proposeProof: async (s) =>
      (await split(provers, 1, (p) => p.proposeProof(s).then((x) => [x.join('; ')]), turn++))[0]
        .split('; ')
        .filter((l) => l),
  };
}

/** Subformulas of a formula (itself included). */
function subformulas(f: Formula, out: Formula[] = []): Formula[] {
  out.push(f);
  if (f.kind !== 'atom' && f.kind !== 'bot') {
    subformulas(f.a, out);
    subformulas(f.b, out);
  }
  return out;
}

/**
 * The quick tier's prover: a uniformly random legal `have`-free tactic; a random subformula of the context as a
 * subgoal; a whole proof by random legal tactics on the first open goal (up to 40 lines).
 */
export function randomProver(seed: number): Prover {
  const rng: Rng = makeRng(seed);
  const randomTactic = (s: Sequent) => {
    const moves = enumerateTactics(s);
    return moves.length ? pick(rng, moves) : 'assumption';
  };
  return {
    name: 'random',
    hasTactics: true,
    hasSubgoals: true,
    proposeTactics: async (s, m) => Array.from({ length: m }, () => randomTactic(s)),
    proposeSubgoals: async (s, m) => {
      const pool = s.hyps.flatMap((h) => subformulas(h.formula)).filter((f) => f.kind !== 'atom' || rng() < 0.5);
      return Array.from({ length: m }, () => printFormula(pick(rng, pool.length ? pool : [s.goal])));
    },
    proposeProof: async (s) => {
      const script: string[] = [];
      let goals: Sequent[] = [s];
      while (goals.length && script.length < 40) {
        const t = randomTactic(goals[0]);
        const r = applyTactic(goals[0], t);
        script.push(t);
        if (!r.ok) break;
        goals = [...r.children, ...goals.slice(1)];
      }
      return script;
    },
  };
}
