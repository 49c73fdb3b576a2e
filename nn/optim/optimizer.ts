// The optimiser base class, as torch.optim.Optimizer: parameter groups with their own hyperparameters, per-
// parameter state, zeroGrad, and a state dict that round-trips. Subclasses implement `update` for one parameter;
// the update runs outside autograd and writes the parameter in place.
import { Tensor, keep, noGrad } from '../../core/index.js';
import { zerosLike } from '../../ops/index.js';
import { batchedUpdates } from '../../ops/fused-update.js';

/** Every optimiser has a learning rate; schedulers rescale it from `initialLr`. */
export interface BaseOptions {
  lr: number;
}

export type ParamGroup<O> = O & { params: Tensor[]; initialLr: number };
export type ParamGroupInput<O> = { params: Iterable<Tensor>; initialLr?: number } & Partial<O>;

/** Per-parameter state: the step count and tensors shaped like the parameter. */
export interface ParamState {
  step: number;
  [buffer: string]: number | Tensor;
}

export interface OptimizerStateDict<O> {
  /** state by parameter index (in group order) */
  state: Record<number, ParamState>;
  paramGroups: (O & { initialLr: number; params: number[] })[];
}

export abstract class Optimizer<O extends BaseOptions> {
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Tensor> | ParamGroupInput<O>[], defaults: O) {
    this.defaults = defaults;
    const list = [...params] as (Tensor | ParamGroupInput<O>)[];
    if (list.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor)
      ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>]
      : list as ParamGroupInput<O>[];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group; options it leaves out come from the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    const params = [...group.params];
    const name = this.constructor.name;
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new Error(`${name}: parameter groups hold tensors, got ${typeof p}`);
      if (!p.isLeaf) throw new Error(`${name}: can only optimise leaf tensors (parameters), got a computed tensor`);
      if (this.paramGroups.some((g) => g.params.includes(p))) throw new Error(`${name}: a parameter appears in more than one group`);
    }
    const options = { ...this.defaults, ...group, params } as unknown as ParamGroup<O>;
    options.initialLr = group.initialLr ?? options.lr;
    this.validate(options);
    this.paramGroups.push(options);
  }

  /** Checks one group's hyperparameters, naming the invalid one. */
  protected validate(group: ParamGroup<O>): void {
    if (!(group.lr >= 0)) throw new Error(`${this.constructor.name}: invalid learning rate ${group.lr}`);
  }

  /** Updates one parameter in place from its gradient. */
  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>): void;

  /** Tensor state slots (zeros like the parameter) this optimiser keeps for a parameter in `group`. */
  protected abstract stateBuffers(group: ParamGroup<O>): string[];

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    // webgpu updates are gathered and recorded several parameters to a dispatch (ops/fused-update.ts)
    noGrad(() => batchedUpdates(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (!p.grad) continue;
          const grad = p.grad.isContiguous() ? p.grad : p.grad.contiguous();
          this.update(p, grad, this.stateOf(p, group), group);
          if (grad !== p.grad) grad.dispose();
        }
      }
    }));
  }

  private stateOf(p: Tensor, group: ParamGroup<O>): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = { step: 0 };
      for (const name of this.stateBuffers(group)) s[name] = keep(zerosLike(p));
      this.state.set(p, s);
    }
    return s;
  }

  /** Clears gradients: frees them (setToNone, the default, as torch 2) or fills them with zeros. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        if (setToNone) {
          p.grad.dispose();
          p.grad = null;
        } else noGrad(() => p.grad!.zero_());
      }
    }
  }

  /** The hyperparameters and state (state tensors are the live ones, as torch's). */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map(({ params, ...options }) => ({
      ...(options as unknown as O & { initialLr: number }),
      params: params.map((p) => { index.set(p, index.size); return index.size - 1; }),
    }));
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) state[index.get(p)!] = { ...s };
    return { state, paramGroups };
  }

  /** Restores hyperparameters and copies of the state; group and parameter counts and shapes must match. */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    const name = this.constructor.name;
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${name}.loadStateDict: ${sd.paramGroups.length} parameter groups given, the optimiser has ${this.paramGroups.length}`);
    }
    const params: Tensor[] = [];
    sd.paramGroups.forEach((g, i) => {
      const own = this.paramGroups[i];
      if (g.params.length !== own.params.length) {
        throw new Error(`${name}.loadStateDict: group ${i} has ${g.params.length} parameters in the state dict but ${own.params.length} here`);
      }
      const { params: _ids, ...options } = g;
      Object.assign(own, options);
      params.push(...own.params);
    });
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (!p) throw new Error(`${name}.loadStateDict: state for parameter ${key}, but there are ${params.length}`);
      const copy: ParamState = { step: s.step };
      for (const [k, v] of Object.entries(s)) {
        if (!(v instanceof Tensor)) continue;
        if (v.shape.join() !== p.shape.join() || v.device !== p.device) {
          throw new Error(`${name}.loadStateDict: state '${k}' of parameter ${key} is [${v.shape}] on ${v.device}, ` +
            `the parameter is [${p.shape}] on ${p.device}`);
        }
        copy[k] = keep(noGrad(() => v.clone()));
      }
      this.state.set(p, copy);
    }
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
  }
}

function disposeState(s: ParamState): void {
  for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
}
