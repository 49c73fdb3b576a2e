// The reverse sweep. Gradients of intermediate tensors are freed when the sweep ends (unless createGraph keeps
// them for a second differentiation); leaf gradients accumulate into .grad, which no tidy scope owns.
import type { Tensor } from './tensor.js';
import { hooks } from './hooks.js';
import { enableGrad, noGrad } from './autograd.js';
import { keep, tidy } from './scope.js';
import { fmtShape, sameShape } from './shape.js';

export interface BackwardOptions {
  /** record the backward pass itself, so gradients can be differentiated again */
  createGraph?: boolean;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: graphs of long training unrolls would overflow the JS stack.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
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
  return order.reverse();
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
  const sweep = () => {
    const order = topoOrder(root);
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, grad ?? hooks.onesLike(root));
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (t.isLeaf || t.retainsGrad) accumulate(t, g);
      const node = t.gradFn;
      if (!node) continue;
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
        const prev = grads.get(input);
        grads.set(input, prev ? hooks.add(prev, gi) : gi);
      });
    }
  };
  if (options.createGraph) enableGrad(sweep);
  else tidy(() => noGrad(sweep));
}

function accumulate(t: Tensor, g: Tensor): void {
  // A gradient tensor may be shared (add's rule hands the same one to both inputs): .grad always gets its own.
  const next = t.grad ? hooks.add(t.grad, g) : hooks.clone(g);
  t.grad?.dispose();
  t.grad = keep(next);
}
