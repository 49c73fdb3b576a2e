// Propositional formulas of the spec's environment (§3): atoms p0..p7, ⊥, ∧, ∨, →, with ¬A := A→⊥ and
// A↔B := (A→B)∧(B→A). Formulas are hash-consed: building the same formula twice returns the same object, so
// equality is identity and `id` is a cheap key for sets of formulas (the decider and the checker lean on this).

export type Connective = 'and' | 'or' | 'imp';
export type Formula =
  | { readonly kind: 'atom'; readonly id: number; readonly index: number; readonly size: 0 }
  | { readonly kind: 'bot'; readonly id: number; readonly size: 0 }
  | {
      readonly kind: Connective;
      readonly id: number;
      readonly a: Formula;
      readonly b: Formula;
      /** connectives */ readonly size: number;
    };

const table = new Map<string, Formula>();
let nextId = 0;

function intern(key: string, make: (id: number) => Formula): Formula {
  let f = table.get(key);
  if (!f) {
    f = make(nextId++);
    table.set(key, f);
  }
  return f;
}

export const ATOMS = 8;
export const bot: Formula = intern('bot', (id) => ({ kind: 'bot', id, size: 0 }));

export function atom(index: number): Formula {
  if (!Number.isInteger(index) || index < 0 || index >= ATOMS)
    throw new Error(`atom: index must be an integer in [0, ${ATOMS}), got ${index}`);
  return intern(`p${index}`, (id) => ({ kind: 'atom', id, index, size: 0 }));
}

export function binary(kind: Connective, a: Formula, b: Formula): Formula {
  return intern(`${kind},${a.id},${b.id}`, (id) => ({ kind, id, a, b, size: 1 + a.size + b.size }));
}
export const and = (a: Formula, b: Formula) => binary('and', a, b);
export const or = (a: Formula, b: Formula) => binary('or', a, b);
export const imp = (a: Formula, b: Formula) => binary('imp', a, b);
export const not = (a: Formula) => imp(a, bot);
export const iff = (a: Formula, b: Formula) => and(imp(a, b), imp(b, a));

/** Atom indices in order of first occurrence (left to right). */
export function atomsOf(f: Formula, out: number[] = []): number[] {
  if (f.kind === 'atom') {
    if (!out.includes(f.index)) out.push(f.index);
  } else if (f.kind !== 'bot') {
    atomsOf(f.a, out);
    atomsOf(f.b, out);
  }
  return out;
}

/** The formula with every atom pi replaced by p(map[i]). */
export function renameAtoms(f: Formula, map: ReadonlyMap<number, number>): Formula {
  if (f.kind === 'atom') return atom(map.get(f.index) ?? f.index);
  if (f.kind === 'bot') return f;
  return binary(f.kind, renameAtoms(f.a, map), renameAtoms(f.b, map));
}

/** Height of the syntax tree (atoms and ⊥ have height 0). */
export function height(f: Formula): number {
  return f.kind === 'atom' || f.kind === 'bot' ? 0 : 1 + Math.max(height(f.a), height(f.b));
}

// ---- printing: → is right-associative and binds loosest, then ∨, then ∧ (both printed right-nested), ¬ tightest.
const PRECEDENCE: Record<Connective, number> = { imp: 1, or: 2, and: 3 };
const SYMBOL: Record<Connective, string> = { imp: '→', or: '∨', and: '∧' };

export function printFormula(f: Formula): string {
  return print(f, 0);
}

function print(f: Formula, context: number): string {
  if (f.kind === 'atom') return `p${f.index}`;
  if (f.kind === 'bot') return '⊥';
  if (f.kind === 'imp' && f.b.kind === 'bot') return `¬${print(f.a, 4)}`;
  const p = PRECEDENCE[f.kind];
  // the left operand of a right-associative operator at the same level needs parentheses
  const text = `${print(f.a, p + 1)} ${SYMBOL[f.kind]} ${print(f.b, p)}`;
  return p < context ? `(${text})` : text;
}

// ---- parsing: accepts the printed form and ASCII spellings (~, &, |, ->, <->, F for ⊥).
const TOKEN = /\s*(p\d+|⊥|F|¬|~|∧|&|∨|\||→|->|↔|<->|\(|\))/y;

export function tokenizeFormula(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m)
      throw new Error(
        `parseFormula: unexpected character at ${at} in "${text}" (valid: p0..p${ATOMS - 1}, ⊥, ¬, ∧, ∨, →, ↔, parentheses)`,
      );
    tokens.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

export function parseFormula(text: string): Formula {
  const tokens = tokenizeFormula(text);
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`parseFormula: ${what} at token ${i} in "${text}"`);
  };
  const peek = () => tokens[i];
  const parseIff = (): Formula => {
    const a = parseImp();
    if (peek() === '↔' || peek() === '<->') {
      i++;
      return iff(a, parseIff());
    }
    return a;
  };
  const parseImp = (): Formula => {
    const a = parseOr();
    if (peek() === '→' || peek() === '->') {
      i++;
      return imp(a, parseImp());
    }
    return a;
  };
  const parseOr = (): Formula => {
    const a = parseAnd();
    if (peek() === '∨' || peek() === '|') {
      i++;
      return or(a, parseOr());
    }
    return a;
  };
  const parseAnd = (): Formula => {
    const a = parseUnary();
    if (peek() === '∧' || peek() === '&') {
      i++;
      return and(a, parseAnd());
    }
    return a;
  };
  const parseUnary = (): Formula => {
    const t = tokens[i++];
    if (t === undefined) return fail('unexpected end');
    if (t === '¬' || t === '~') return not(parseUnary());
    if (t === '⊥' || t === 'F') return bot;
    if (t === '(') {
      const f = parseIff();
      if (tokens[i++] !== ')') fail('expected )');
      return f;
    }
    if (/^p\d+$/.test(t)) {
      const n = Number(t.slice(1));
      if (n >= ATOMS) fail(`atom ${t} outside p0..p${ATOMS - 1}`);
      return atom(n);
    }
    return fail(`unexpected "${t}"`);
  };
  const f = parseIff();
  if (i !== tokens.length) fail(`trailing "${tokens[i]}"`);
  return f;
}
