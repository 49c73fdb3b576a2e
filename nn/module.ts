// Module: the base class of every layer, as torch.nn.Module. Submodules and parameters are found by walking the
// instance's own fields (in declaration order), so a layer only assigns them: `this.weight = new Parameter(...)`.
import { Tensor, keep, noGrad, type DeviceName } from '../core/index.js';
import '../ops/index.js';
import { Parameter } from './parameter.js';

export abstract class Module {
  training = true;

  /** Each subclass says what one call does. */
  abstract forward(...args: never[]): unknown;

  /** [name, child] for each direct submodule (fields holding a Module, or arrays/maps of them). */
  *namedChildren(): Generator<[string, Module]> {
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) yield [key, value];
      else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) if (v instanceof Module) yield [`${key}.${i}`, v];
      } else if (value instanceof Map) {
        for (const [k, v] of value) if (v instanceof Module) yield [`${key}.${k}`, v];
      }
    }
  }

  /** Replaces the direct child named `name` (as namedChildren names it: a field, or `field.i` / `field.key`). */
  setChild(name: string, m: Module): void {
    const fields = this as unknown as Record<string, unknown>;
    const [key, sub] = name.split('.', 2);
    const value = fields[key];
    if (sub === undefined && value instanceof Module) fields[key] = m;
    else if (sub !== undefined && Array.isArray(value) && value[Number(sub)] instanceof Module) value[Number(sub)] = m;
    else if (sub !== undefined && value instanceof Map && value.get(sub) instanceof Module) value.set(sub, m);
    else throw new Error(`setChild: ${this.constructor.name} has no child module named '${name}'`);
  }

  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }

  /** Every module in the tree, this one first, with dotted names. */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  /** [dotted name, parameter] for every parameter in the tree; shared parameters appear once. */
  *namedParameters(): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter && !seen.has(value)) {
          seen.add(value);
          yield [prefix ? `${prefix}.${key}` : key, value];
        }
      }
    }
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Non-trainable tensors that belong to the state (running stats, masks): fields listed in `bufferNames`. */
  protected bufferNames: string[] = [];

  /** Stores `t` as a buffer field named `name` (kept out of tidy scopes, saved in the state dict). */
  registerBuffer(name: string, t: Tensor): void {
    (this as unknown as Record<string, unknown>)[name] = keep(t);
    if (!this.bufferNames.includes(name)) this.bufferNames.push(name);
  }

  *namedBuffers(): Generator<[string, Tensor]> {
    for (const [prefix, m] of this.namedModules()) {
      for (const key of m.bufferNames) {
        const t = (m as unknown as Record<string, unknown>)[key];
        if (t instanceof Tensor) yield [prefix ? `${prefix}.${key}` : key, t];
      }
    }
  }

  /** Calls `fn` on every module in the tree, children first (as torch's Module.apply, e.g. for custom init). */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Freezes (false) or unfreezes every parameter. */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }

  /** Parameters and buffers by dotted name (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's tensors by name. With `strict`, missing or unexpected names are an error;
   * shapes must always match.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, strict = true): { missing: string[]; unexpected: string[] } {
    const entries = new Map(state instanceof Map ? state : Object.entries(state));
    const made = noGrad(() => [...this.namedModules()].flatMap(([name, m]) => m.upgradeStateDict(entries, name ? `${name}.` : '')));
    try {
      return this.loadEntries(entries, strict);
    } finally {
      made.forEach((t) => t.dispose());
    }
  }

  /**
   * Rewrites, in `state`, the entries of this module (names starting with `prefix`) saved under an older layout
   * into the current one, before loadStateDict matches names (torch's load_state_dict pre-hook); returns the
   * tensors it made, which loadStateDict frees. Modules whose layout changed override it.
   */
  upgradeStateDict(_state: Map<string, Tensor>, _prefix: string): Tensor[] {
    return [];
  }

  private loadEntries(entries: Map<string, unknown>, strict: boolean): { missing: string[]; unexpected: string[] } {
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !entries.has(k));
    const unexpected = [...entries.keys()].filter((k) => !own.has(k));
    if (strict && (missing.length || unexpected.length)) {
      throw new Error(`loadStateDict: ${missing.length ? `missing keys: ${missing.join(', ')}` : ''}` +
        `${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys: ${unexpected.join(', ')}` : ''}`);
    }
    // All or nothing: every entry is checked before the first copy, so a bad one leaves the module unchanged.
    const copies: [Tensor, Tensor][] = [];
    for (const [name, target] of own) {
      const src = entries.get(name);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        throw new Error(`loadStateDict: ${name} must be a Tensor, got ${Array.isArray(src) ? 'an array' : typeof src}; wrap data with tensor()`);
      }
      src.assertAlive(`loadStateDict (${name})`);
      if (src.shape.join() !== target.shape.join()) {
        throw new Error(`loadStateDict: ${name} has shape [${src.shape}] in the state dict but [${target.shape}] in the module`);
      }
      if (src.device !== target.device) {
        throw new Error(`loadStateDict: ${name} is on ${src.device} but the module is on ${target.device}; move one first`);
      }
      copies.push([target, src]);
    }
    noGrad(() => { for (const [target, src] of copies) target.copy_(src); });
    return { missing, unexpected };
  }

  /** Moves every parameter and buffer to `device` (async: leaving the GPU reads back). */
  async to(device: DeviceName): Promise<this> {
    for (const [, m] of this.namedModules()) {
      const fields = m as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter && value.device !== device) {
          const moved = await value.to(device);
          fields[key] = new Parameter(moved, value.requiresGrad);
          moved.dispose();
          value.dispose();
        } else if (value instanceof Tensor && m.bufferNames.includes(key) && value.device !== device) {
          fields[key] = keep(await value.to(device));
          value.dispose();
        }
      }
    }
    return this;
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}
