// The tactic language (spec §3) and its semantics: applyTactic turns one goal into the goals that remain.
//   intro            Γ ⊢ A→B            ⇒  Γ, h:A ⊢ B
//   exact hi         hi : φ             ⇒  (closed)
//   assumption       some hi : φ        ⇒  (closed)
//   constructor      Γ ⊢ A∧B            ⇒  Γ ⊢ A ;  Γ ⊢ B
//   left / right     Γ ⊢ A∨B            ⇒  Γ ⊢ A   /  Γ ⊢ B
//   exfalso          Γ ⊢ φ              ⇒  Γ ⊢ ⊥
//   apply hi         hi : A1→…→Ak→φ     ⇒  Γ ⊢ A1 ; … ; Γ ⊢ Ak   (the smallest k ≥ 1 that matches)
//   cases hi         hi : A∧B           ⇒  Γ∖hi, a:A, b:B ⊢ φ
//                    hi : A∨B           ⇒  Γ∖hi, a:A ⊢ φ ;  Γ∖hi, b:B ⊢ φ
//                    hi : ⊥             ⇒  (closed)
//   mp hi hj         hi : A→B, hj : A   ⇒  Γ, h:B ⊢ φ            (B must be new)
//   have ψ           Γ ⊢ φ              ⇒  Γ ⊢ ψ ;  Γ, h:ψ ⊢ φ   (the first child lacks h:ψ)
import { bot, parseFormula, type Formula } from './formula.js';
import { type Sequent, findHyp, hasFormula, withHyps } from './sequent.js';

export type TacticResult = { ok: true; children: Sequent[] } | { ok: false; error: string };

const fail = (error: string): TacticResult => ({ ok: false, error });
const done = (...children: Sequent[]): TacticResult => ({ ok: true, children });

export const TACTIC_NAMES = [
  'intro',
  'exact',
  'assumption',
  'constructor',
  'left',
  'right',
  'exfalso',
  'apply',
  'cases',
  'mp',
  'have',
] as const;

export function applyTactic(s: Sequent, text: string): TacticResult {
  const words = text.trim().split(/\s+/);
  const [name, ...args] = words;
  const hyp = (i: number) => {
    if (args.length <= i) return undefined;
    return findHyp(s, args[i]);
  };
  const arity = (n: number) => (args.length === n ? null : fail(`${name} takes ${n} argument(s), got ${args.length}`));
  const g = s.goal;
  switch (name) {
    case 'intro':
      return (
        arity(0) ?? (g.kind === 'imp' ? done(withHyps(s, [g.a], g.b)) : fail('intro: the goal is not an implication'))
      );
    case 'exact': {
      const h = hyp(0);
      return (
        arity(1) ??
        (!h
          ? fail(`exact: no hypothesis ${args[0]}`)
          : h.formula === g
            ? done()
            : fail(`exact: ${args[0]} does not match the goal`))
      );
    }
    case 'assumption':
      return arity(0) ?? (hasFormula(s, g) ? done() : fail('assumption: no hypothesis matches the goal'));
    case 'constructor':
      return (
        arity(0) ??
        (g.kind === 'and'
          ? done({ hyps: s.hyps, goal: g.a }, { hyps: s.hyps, goal: g.b })
          : fail('constructor: the goal is not a conjunction'))
      );
    case 'left':
    case 'right':
      return (
        arity(0) ??
        (g.kind === 'or'
          ? done({ hyps: s.hyps, goal: name === 'left' ? g.a : g.b })
          : fail(`${name}: the goal is not a disjunction`))
      );
    case 'exfalso':
      return arity(0) ?? (g === bot ? fail('exfalso: the goal is already ⊥') : done({ hyps: s.hyps, goal: bot }));
    case 'apply': {
      const h = hyp(0);
      if (arity(1) || !h) return arity(1) ?? fail(`apply: no hypothesis ${args[0]}`);
      const premises: Formula[] = [];
      for (let f = h.formula; f.kind === 'imp'; f = f.b) {
        premises.push(f.a);
        if (f.b === g) return done(...premises.map((p) => ({ hyps: s.hyps, goal: p })));
      }
      return fail(`apply: ${args[0]} does not conclude the goal`);
    }
    case 'cases': {
      const h = hyp(0);
      if (arity(1) || !h) return arity(1) ?? fail(`cases: no hypothesis ${args[0]}`);
      const f = h.formula;
      if (f.kind === 'and') return done(withHyps(s, [f.a, f.b], g, h.name));
      if (f.kind === 'or') return done(withHyps(s, [f.a], g, h.name), withHyps(s, [f.b], g, h.name));
      if (f.kind === 'bot') return done();
      return fail(`cases: ${args[0]} is not a conjunction, disjunction or ⊥`);
    }
    case 'mp': {
      const [hi, hj] = [hyp(0), hyp(1)];
      if (arity(2) || !hi || !hj) return arity(2) ?? fail(`mp: no hypothesis ${!hi ? args[0] : args[1]}`);
      if (hi.formula.kind !== 'imp' || hi.formula.a !== hj.formula)
        return fail(`mp: ${args[0]} is not an implication from ${args[1]}`);
      if (hasFormula(s, hi.formula.b)) return fail('mp: the conclusion is already a hypothesis');
      return done(withHyps(s, [hi.formula.b]));
    }
    case 'have': {
      const rest = text.trim().slice(4);
      let psi: Formula;
      try {
        psi = parseFormula(rest);
      } catch (e) {
        return fail(`have: ${(e as Error).message}`);
      }
      return done({ hyps: s.hyps, goal: psi }, withHyps(s, [psi]));
    }
    default:
      return fail(`unknown tactic "${name ?? ''}" (valid: ${TACTIC_NAMES.join(', ')})`);
  }
}

/**
 * Every `have`-free tactic that applies to s, closing tactics first (the decider's and the random prover's move
 * list; `assumption` is left out because `exact hi` covers it).
 */
export function enumerateTactics(s: Sequent): string[] {
  const closing: string[] = [];
  const others: string[] = [];
  const g = s.goal;
  for (const h of s.hyps) {
    if (h.formula === g) closing.push(`exact ${h.name}`);
    if (h.formula.kind === 'bot') closing.push(`cases ${h.name}`);
  }
  if (g.kind === 'imp') others.push('intro');
  if (g.kind === 'and') others.push('constructor');
  if (g.kind === 'or') others.push('left', 'right');
  for (const h of s.hyps) {
    const f = h.formula;
    if (f.kind === 'and' || f.kind === 'or') others.push(`cases ${h.name}`);
    for (let c = f; c.kind === 'imp'; c = c.b)
      if (c.b === g) {
        others.push(`apply ${h.name}`);
        break;
      }
    if (f.kind === 'imp' && !hasFormula(s, f.b))
      for (const k of s.hyps)
        if (k.formula === f.a) {
          others.push(`mp ${h.name} ${k.name}`);
          break;
        }
  }
  if (g !== bot && s.hyps.some((h) => conclusion(h.formula) === bot)) others.push('exfalso');
  return [...closing, ...others];
}

/** The final conclusion of A1→…→Ak→C (C itself when not an implication). */
function conclusion(f: Formula): Formula {
  return f.kind === 'imp' ? conclusion(f.b) : f;
}
