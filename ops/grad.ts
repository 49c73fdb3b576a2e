// The functional gradient, torch.autograd.grad: gradients of outputs with respect to chosen inputs, returned as a
// list instead of accumulated into .grad (which it leaves untouched). With createGraph the returned gradients are
// themselves differentiable (gradient penalties, Hessian-vector products, meta-learning).
import { Tensor, assertTensor } from '../core/tensor.js';
import { gradients } from '../core/backward.js';
import { fmtShape, sameShape } from '../core/shape.js';
import { describe } from './op.js';
import { onesLike, zerosLike } from './creation.js';

export interface GradOptions {
  /** the gradient of each output (torch's grad_outputs); null or absent for a one-element output means 1 */
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null;
  /** record the sweep so the gradients can be differentiated again (torch's create_graph) */
  createGraph?: boolean;
  /**
   * accepted for torch compatibility: tessera never frees a graph after a sweep (its saved tensors live as long as
   * the tensors do), so a graph can always be swept again, as with torch's retain_graph=True
   */
  retainGraph?: boolean;
  /** give null for an input the outputs do not depend on, instead of raising (torch's allow_unused) */
  allowUnused?: boolean;
  /** give zeros instead of null for unused inputs (torch's materialize_grads; implies allowUnused) */
  materializeGrads?: boolean;
}

const OPTION_NAMES = new Set(['gradOutputs', 'createGraph', 'retainGraph', 'allowUnused', 'materializeGrads']);

const asList = (v: Tensor | readonly Tensor[], what: string): Tensor[] => {
  const list = v instanceof Tensor ? [v] : Array.isArray(v) ? [...(v as Tensor[])] : null;
  if (!list || list.length === 0) throw new Error(`grad: ${what} must be a Tensor or a non-empty list of tensors`);
  return list;
};

/** The gradient of each output: the given one (checked against the output's shape), or 1 for a scalar output. */
function seedsFor(outputs: Tensor[], given: GradOptions['gradOutputs'], made: Tensor[]): Tensor[] {
  const list = given == null ? [] : given instanceof Tensor ? [given] : [...given];
  if (given != null && list.length !== outputs.length) {
    throw new Error(
      `grad: ${list.length} gradOutputs given for ${outputs.length} output(s); give one per output (null for 1)`,
    );
  }
  return outputs.map((out, k) => {
    const g = list[k];
    if (g == null) {
      if (out.numel !== 1) {
        throw new Error(
          `grad: output ${k} ${describe(out)} is not a scalar, so its gradient must be given in gradOutputs ` +
            '(grad can be implicitly created only for scalar outputs)',
        );
      }
      const one = onesLike(out);
      made.push(one);
      return one;
    }
    assertTensor(g, 'grad');
    if (!sameShape(g.shape, out.shape)) {
      throw new Error(
        `grad: gradOutputs[${k}] has shape ${fmtShape(g.shape)} but output ${k} has shape ${fmtShape(out.shape)}`,
      );
    }
    return g;
  });
}

/**
 * Gradients of `outputs` with respect to `inputs` (torch.autograd.grad): a list with one entry per input (null
 * for an unused input with allowUnused). Leaf .grad fields are not touched.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: GradOptions = {},
): (Tensor | null)[] {
  for (const key of Object.keys(opts)) {
    if (!OPTION_NAMES.has(key))
      throw new Error(`grad: unknown option '${key}' (valid: ${[...OPTION_NAMES].join(', ')})`);
  }
  const materialize = opts.materializeGrads ?? false;
  const allowUnused = opts.allowUnused ?? materialize;
  if (materialize && !allowUnused) throw new Error('grad: materializeGrads needs allowUnused to be true or absent');
  const outs = asList(outputs, 'outputs');
  const ins = asList(inputs, 'inputs');
  outs.forEach((o, k) => {
    assertTensor(o, 'grad');
    if (!o.requiresGrad) {
      throw new Error(
        `grad: output ${k} ${describe(o)} does not require grad (nothing it was computed from requires grad)`,
      );
    }
  });
  ins.forEach((x, k) => {
    assertTensor(x, 'grad');
    if (!x.requiresGrad) {
      throw new Error(
        `grad: input ${k} ${describe(x)} does not require grad; call requiresGrad_() before computing the outputs`,
      );
    }
  });
  const made: Tensor[] = [];
  const seeds = seedsFor(outs, opts.gradOutputs, made);
  const createGraph = opts.createGraph ?? false;
  const found = gradients(outs, seeds, ins, createGraph);
  // the implicit ones are freed unless returned or (with createGraph) read by the recorded sweep
  if (!createGraph) for (const s of made) if (!found.includes(s)) s.dispose();
  return found.map((g, k) => {
    if (g) return g;
    if (!allowUnused) {
      throw new Error(
        `grad: input ${k} ${describe(ins[k])} was not used to compute the outputs; pass allowUnused: true to get null for it`,
      );
    }
    return materialize ? zerosLike(ins[k]) : null;
  });
}
