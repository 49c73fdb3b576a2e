// The reverse sweep. Gradients of intermediate tensors are freed when the sweep ends (unless createGraph keeps
// them for a second differentiation); leaf gradients accumulate into .grad, which no tidy scope owns.
import type { Tensor } from './tensor.js';
import { hooks } from './hooks.js';
import { enableGrad, noGrad } from './autograd.js';
import { inInnermostScope, keep, tidy } from './scope.js';
import { fmtShape, sameShape } from './shape.js';

export interface BackwardOptions {
  /** record the backward pass itself, so gradients can be differentiated again */
  createGraph?: boolean;
}

/** Tensors reachable from `roots` through requiresGrad inputs, every consumer before the tensors it consumes. */
function topoOrder(roots: Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    // Iterative DFS: graphs of long training unrolls would overflow the JS stack.
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      const inputs = t.gradFn?.inputs ?? [];
      if (i < inputs.length) {
        top[1]++;
        const next = inputs[i];
        if (next.requiresGrad && !seen.has(next)) {
          seen.add(next);
          stack.push([next, 0]);
        }
      } else {
        order.push(t);
        stack.pop();
      }
    }
  }
  return order.reverse();
}

/** The tensors of `order` from which one of `wanted` can be reached (the wanted ones included). */
function leadingTo(order: Tensor[], wanted: Set<Tensor>): Set<Tensor> {
  const needed = new Set<Tensor>();
  for (let i = order.length - 1; i >= 0; i--) { // inputs come before their consumers in this direction
    const t = order[i];
    if (wanted.has(t) || t.gradFn?.inputs.some((x) => needed.has(x))) needed.add(t);
  }
  return needed;
}

/**
 * The reverse sweep from `roots`, seeded with `seeds` (their gradients). Each tensor's gradient, complete once all
 * its consumers are done, is handed to `take`. With `wanted`, only nodes that lead to one of those tensors run.
 * With `inPlace` (the sweep is not recorded), slice gradients are added into the input's gradient in place.
 */
function sweep(roots: Tensor[], seeds: Tensor[], take: (t: Tensor, g: Tensor) => void, inPlace: boolean, wanted?: Set<Tensor>): void {
  const order = topoOrder(roots);
  const needed = wanted ? leadingTo(order, wanted) : null;
  const grads = new Map<Tensor, Tensor>();
  // Gradients the sweep made itself (sums, slice gradients) and that sit in `grads` under one tensor only: nothing
  // else can see them, so they may be changed in place. A gradient leaves the set when its tensor is processed.
  const owned = new Set<Tensor>();
  const merge = (input: Tensor, gi: Tensor) => {
    const prev = grads.get(input);
    if (!prev) return grads.set(input, gi);
    const sum = hooks.add(prev, gi);
    owned.delete(prev);
    owned.add(sum);
    grads.set(input, sum);
  };
  roots.forEach((r, i) => merge(r, seeds[i]));
  for (const t of order) {
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    owned.delete(g);
    take(t, g);
    const node = t.gradFn;
    if (!node || (needed && !node.inputs.some((x) => needed.has(x)))) continue;
    const acc = node.addInto && grads.get(node.inputs[0]);
    if (inPlace && acc && owned.has(acc) && node.inputs[0].requiresGrad) {
      node.addInto!(acc, g);
      continue;
    }
    for (const s of node.saved) {
      s.tensor.assertAlive(`backward through ${node.op}`);
      if (s.tensor.storage.version !== s.version) {
        throw new Error(`backward: a tensor saved by ${node.op} (shape ${fmtShape(s.tensor.shape)}) was modified ` +
          'in place after it was saved; clone() it before the in-place change');
      }
    }
    const inputGrads = node.backward(g);
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!gi || !input.requiresGrad) return;
      if (!sameShape(gi.shape, input.shape)) {
        throw new Error(`internal: backward of ${node.op} gave a gradient of shape ${fmtShape(gi.shape)} ` +
          `for an input of shape ${fmtShape(input.shape)}`);
      }
      const fresh = !grads.has(input) && node.addInto !== undefined; // a slice's gradient: a new zero-filled tensor
      merge(input, gi);
      if (fresh && inPlace) owned.add(gi);
    });
  }
}

export function backward(root: Tensor, grad: Tensor | undefined, options: BackwardOptions): void {
  root.assertAlive('backward');
  if (!root.requiresGrad) {
    throw new Error('backward: the tensor does not require grad (no input of the computation had requiresGrad set)');
  }
  if (!grad && root.numel !== 1) {
    throw new Error(`backward: a gradient argument is needed for a non-scalar output of shape ${fmtShape(root.shape)}`);
  }
  if (grad && !sameShape(grad.shape, root.shape)) {
    throw new Error(`backward: gradient shape ${fmtShape(grad.shape)} does not match output shape ${fmtShape(root.shape)}`);
  }
  // With createGraph the new gradients reference the backward's intermediates, so those must outlive this call:
  // they belong to the caller's scope. Otherwise everything but the leaf gradients is freed here.
  const run = () => sweep([root], [grad ?? hooks.onesLike(root)], (t, g) => {
    if (t.isLeaf || t.retainsGrad) accumulate(t, g, !options.createGraph);
  }, !options.createGraph);
  if (options.createGraph) enableGrad(run);
  else tidy(() => noGrad(run));
}

/**
 * The gradients of `outputs` (seeded with `seeds`) with respect to `inputs`, returned rather than accumulated into
 * .grad (the core of torch.autograd.grad; ops/grad.ts checks the arguments). An input the outputs do not depend on
 * gets null. Without createGraph the sweep's intermediates are freed and the results move to the caller's scope.
 */
export function gradients(outputs: Tensor[], seeds: Tensor[], inputs: Tensor[], createGraph: boolean): (Tensor | null)[] {
  const wanted = new Set(inputs);
  const found = new Map<Tensor, Tensor>();
  const run = () => sweep(outputs, seeds, (t, g) => {
    if (wanted.has(t)) found.set(t, g);
  }, !createGraph, wanted);
  if (createGraph) enableGrad(run);
  else tidy(() => (noGrad(run), [...found.values()]));
  return inputs.map((x) => found.get(x) ?? null);
}

/**
 * .grad = g, or .grad + g. A gradient tensor may be shared (add's rule hands the same one to both inputs, a view
 * shares its storage): .grad always gets its own. One the sweep made and nothing else holds (it is in the sweep's
 * scope, alone on a storage it fills) becomes .grad as it is, saving a copy per parameter and step.
 */
function accumulate(t: Tensor, g: Tensor, sweepScope: boolean): void {
  const alone = sweepScope && inInnermostScope(g) && g.storage.refs === 1 && g.offset === 0 &&
    g.numel === g.storage.length && g.isContiguous();
  const next = t.grad ? hooks.add(t.grad, g) : alone ? g : hooks.clone(g);
  t.grad?.dispose();
  t.grad = keep(next);
}
