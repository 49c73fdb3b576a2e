// Containers: Sequential chains modules, ModuleList and ModuleDict hold them by index or key. Their children are
// named '0', '1', ... (or by key), so state-dict names match torch's (e.g. "0.weight").
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';

/** A module whose forward maps one tensor to one tensor. */
type TensorModule = Module & { forward(x: Tensor): Tensor };

export class ModuleList<M extends Module = Module> extends Module {
  protected readonly items: M[];

  constructor(modules: Iterable<M> = []) {
    super();
    this.items = [...modules];
    for (const m of this.items) checkModule('ModuleList', m);
  }

  *namedChildren(): Generator<[string, Module]> {
    for (const [i, m] of this.items.entries()) yield [String(i), m];
  }

  setChild(name: string, m: Module): void {
    this.set(Number(name), m as M);
  }

  get length(): number { return this.items.length; }
  at(i: number): M {
    const m = this.items.at(i);
    if (!m) throw new Error(`ModuleList: index ${i} is out of range for ${this.items.length} modules`);
    return m;
  }
  push(...modules: M[]): this {
    for (const m of modules) checkModule('ModuleList', m);
    this.items.push(...modules);
    return this;
  }
  /** Replaces the module at index i (used by LoRA to swap layers in place). */
  set(i: number, m: M): void {
    this.at(i);
    this.items[i < 0 ? i + this.items.length : i] = checkModule('ModuleList', m);
  }
  [Symbol.iterator](): Iterator<M> { return this.items[Symbol.iterator](); }

  forward(..._args: never[]): unknown {
    throw new Error('ModuleList has no forward; iterate over its modules');
  }
}

export class Sequential extends ModuleList<TensorModule> {
  constructor(...modules: TensorModule[]) {
    super(modules);
  }

  forward(x: Tensor): Tensor {
    return this.items.reduce((h, m) => m.forward(h), x);
  }
}

export class ModuleDict<M extends Module = Module> extends Module {
  protected readonly items = new Map<string, M>();

  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? modules as Iterable<[string, M]> : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  *namedChildren(): Generator<[string, Module]> {
    yield* this.items;
  }

  setChild(name: string, m: Module): void {
    this.get(name);
    this.set(name, m as M);
  }

  get size(): number { return this.items.size; }
  get(key: string): M {
    const m = this.items.get(key);
    if (!m) throw new Error(`ModuleDict: no module named '${key}' (have: ${[...this.items.keys()].join(', ')})`);
    return m;
  }
  has(key: string): boolean { return this.items.has(key); }
  set(key: string, m: M): this {
    if (key.includes('.') || key === '') throw new Error(`ModuleDict: key '${key}' must be non-empty and contain no '.'`);
    this.items.set(key, checkModule('ModuleDict', m));
    return this;
  }
  keys(): IterableIterator<string> { return this.items.keys(); }
  entries(): IterableIterator<[string, M]> { return this.items.entries(); }
  [Symbol.iterator](): Iterator<[string, M]> { return this.items[Symbol.iterator](); }

  forward(): never {
    throw new Error('ModuleDict has no forward; get its modules by key');
  }
}

function checkModule<M>(container: string, m: M): M {
  if (!(m instanceof Module)) throw new Error(`${container}: expected a Module, got ${m === null ? 'null' : typeof m}`);
  return m;
}
