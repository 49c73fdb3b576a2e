// einsum (torch.einsum): Einstein summation over labelled dims, reduced to views, sums and batched matmuls, so
// its gradient comes from those ops. The steps:
//   1. parse the equation: one term of letters per operand, an optional '...' standing for the broadcast dims, and
//      an optional '->' output (without it: the '...' dims, then the letters used once, in alphabetical order);
//   2. per operand: a label repeated inside one term takes the diagonal ('ii->i'); a label no other operand nor the
//      output uses is summed out; size-1 dims expand to their label's size (broadcasting);
//   3. the operands are contracted left to right: labels in both that are still needed later become batch dims,
//      the others are summed by the matmul ([batch, free_a, k] @ [batch, k, free_b]);
//   4. leftover labels the output does not name are summed and the rest permuted into the output's order.
import { assertTensor, type Tensor } from '../core/tensor.js';
import { numel } from '../core/shape.js';
import { describe } from './op.js';
import { matmul } from './matmul.js';
import { diagonal } from './shape-extra.js';

/** A tensor with one label per dim. */
interface Labelled {
  x: Tensor;
  labels: string[];
}

/** The labels of the broadcast ('...') dims: characters outside a-zA-Z, one per position. */
const ellipsisLabel = (k: number): string => String.fromCharCode(0x100 + k);
const shown = (label: string): string =>
  /[a-zA-Z]/.test(label) ? `'${label}'` : `'...' dim ${label.charCodeAt(0) - 0x100}`;

interface Term {
  letters: string[];
  /** where '...' stands in the term (as an index into letters), or -1 */
  ellipsisAt: number;
}

function parseTerm(equation: string, term: string, side: string): Term {
  const at = term.indexOf('...');
  const rest = at < 0 ? term : term.slice(0, at) + term.slice(at + 3);
  if (!/^[a-zA-Z]*$/.test(rest)) {
    throw new Error(
      `einsum: invalid subscript '${term}' in the ${side} of '${equation}' (use letters a-z, A-Z and at most one '...')`,
    );
  }
  return { letters: [...rest], ellipsisAt: at < 0 ? -1 : at };
}

/** The labels of one operand's dims: its letters, with '...' replaced by the last `count` broadcast labels. */
function expandTerm(term: Term, count: number, width: number): string[] {
  if (term.ellipsisAt < 0) return term.letters;
  const dots = Array.from({ length: count }, (_, i) => ellipsisLabel(width - count + i));
  return [...term.letters.slice(0, term.ellipsisAt), ...dots, ...term.letters.slice(term.ellipsisAt)];
}

/** Sums x over the dims whose label `drop` names. */
function sumOut(t: Labelled, drop: (label: string) => boolean): Labelled {
  const dims = t.labels.flatMap((l, d) => (drop(l) ? [d] : []));
  if (dims.length === 0) return t;
  return { x: t.x.sum(dims), labels: t.labels.filter((l) => !drop(l)) };
}

/** A label repeated inside one operand: its diagonal, which diagonal() moves to the last dim. */
function takeDiagonals(t: Labelled, equation: string): Labelled {
  for (;;) {
    const d2 = t.labels.findIndex((l, d) => t.labels.indexOf(l) !== d);
    if (d2 < 0) return t;
    const d1 = t.labels.indexOf(t.labels[d2]);
    if (t.x.shape[d1] !== t.x.shape[d2]) {
      throw new Error(
        `einsum: subscript ${shown(t.labels[d1])} is repeated in one operand of '${equation}' over dims of sizes ` +
          `${t.x.shape[d1]} and ${t.x.shape[d2]}; they must be equal`,
      );
    }
    const label = t.labels[d1];
    t = { x: diagonal(t.x, 0, d1, d2), labels: [...t.labels.filter((_, d) => d !== d1 && d !== d2), label] };
  }
}

/** Contracts two labelled tensors, keeping the labels in `keep` (batch or free dims) and summing the others. */
function contract(a: Labelled, b: Labelled, keep: Set<string>): Labelled {
  a = sumOut(a, (l) => !keep.has(l) && !b.labels.includes(l));
  b = sumOut(b, (l) => !keep.has(l) && !a.labels.includes(l));
  const shared = a.labels.filter((l) => b.labels.includes(l));
  const batch = shared.filter((l) => keep.has(l));
  const summed = shared.filter((l) => !keep.has(l));
  const freeA = a.labels.filter((l) => !shared.includes(l));
  const freeB = b.labels.filter((l) => !shared.includes(l));
  const sizeOf = (t: Labelled, ls: string[]) => ls.map((l) => t.x.shape[t.labels.indexOf(l)]);
  const order = (t: Labelled, ls: string[]) => ls.map((l) => t.labels.indexOf(l));
  const [nb, nfa, nk, nfb] = [sizeOf(a, batch), sizeOf(a, freeA), sizeOf(a, summed), sizeOf(b, freeB)];
  const left = a.x.permute(order(a, [...batch, ...freeA, ...summed])).reshape([numel(nb), numel(nfa), numel(nk)]);
  const right = b.x.permute(order(b, [...batch, ...summed, ...freeB])).reshape([numel(nb), numel(nk), numel(nfb)]);
  return { x: matmul(left, right).reshape([...nb, ...nfa, ...nfb]), labels: [...batch, ...freeA, ...freeB] };
}

/**
 * Einstein summation (torch.einsum): einsum('ij,jk->ik', a, b) is a matrix product, 'ii' a trace, 'bij->bji' a
 * transpose, '...ij,...jk' a broadcast batched product. Operands may also be passed as one list.
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  if (typeof equation !== 'string')
    throw new Error(`einsum: the first argument must be the equation string, got ${typeof equation}`);
  const tensors = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  tensors.forEach((t) => assertTensor(t, 'einsum'));
  const eq = equation.replace(/\s+/g, '');
  const sides = eq.split('->');
  if (sides.length > 2) throw new Error(`einsum: '${equation}' has more than one '->'`);
  const terms = sides[0].split(',').map((s) => parseTerm(equation, s, 'inputs'));
  if (terms.length !== tensors.length) {
    throw new Error(
      `einsum: '${equation}' names ${terms.length} operand(s) but ${tensors.length} tensor(s) were given`,
    );
  }
  // how many dims each '...' covers, and the widest (the broadcast dims of the output)
  const counts = terms.map((term, i) => {
    const t = tensors[i];
    const count = t.ndim - term.letters.length;
    if (term.ellipsisAt < 0 ? count !== 0 : count < 0) {
      throw new Error(
        `einsum: operand ${i} ${describe(t)} has ${t.ndim} dim(s) but its subscript in '${equation}' names ` +
          `${term.letters.length}${term.ellipsisAt < 0 ? '' : " plus '...'"}`,
      );
    }
    return count;
  });
  const width = Math.max(0, ...counts);
  let parts: Labelled[] = tensors.map((x, i) => ({ x, labels: expandTerm(terms[i], counts[i], width) }));
  const output = outputLabels(equation, sides[1], terms, width);
  // the size of each label (1 broadcasts against any size)
  const sizes = new Map<string, number>();
  parts.forEach(({ x, labels }, i) =>
    labels.forEach((l, d) => {
      const have = sizes.get(l);
      if (have !== undefined && have !== 1 && x.shape[d] !== 1 && have !== x.shape[d]) {
        throw new Error(
          `einsum: subscript ${shown(l)} has size ${have} in an earlier operand but ${x.shape[d]} in operand ${i} ` +
            `${describe(x)} of '${equation}'`,
        );
      }
      if (have === undefined || have === 1) sizes.set(l, x.shape[d]);
    }),
  );
  parts = parts.map((p, i) => {
    const usedElsewhere = (l: string) => output.includes(l) || parts.some((q, j) => j !== i && q.labels.includes(l));
    const t = sumOut(takeDiagonals(p, equation), (l) => !usedElsewhere(l));
    const full = t.labels.map((l) => sizes.get(l)!);
    return full.some((s, d) => s !== t.x.shape[d]) ? { x: t.x.expand(full), labels: t.labels } : t;
  });
  let acc = parts[0];
  for (let i = 1; i < parts.length; i++) {
    const keep = new Set([...output, ...parts.slice(i + 1).flatMap((p) => p.labels)]);
    acc = contract(acc, parts[i], keep);
  }
  acc = sumOut(acc, (l) => !output.includes(l));
  return acc.x.permute(output.map((l) => acc.labels.indexOf(l)));
}

/** The output's labels: as written after '->', or else the '...' dims then the letters used once, sorted. */
function outputLabels(equation: string, rhs: string | undefined, terms: Term[], width: number): string[] {
  const dots = Array.from({ length: width }, (_, k) => ellipsisLabel(k));
  const used = terms.flatMap((t) => t.letters);
  if (rhs === undefined) {
    const once = [...new Set(used)].filter((l) => used.indexOf(l) === used.lastIndexOf(l)).sort();
    return [...dots, ...once];
  }
  const term = parseTerm(equation, rhs, 'output');
  for (const [k, l] of term.letters.entries()) {
    if (!used.includes(l)) throw new Error(`einsum: output subscript '${l}' of '${equation}' appears in no input`);
    if (term.letters.indexOf(l) !== k) throw new Error(`einsum: output subscript '${l}' of '${equation}' is repeated`);
  }
  if (term.ellipsisAt < 0) return term.letters;
  return [...term.letters.slice(0, term.ellipsisAt), ...dots, ...term.letters.slice(term.ellipsisAt)];
}
