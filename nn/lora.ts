// LoRA (Hu et al. 2021, "Low-Rank Adaptation of Large Language Models"): a frozen Linear W plus a trainable
// low-rank update, h = W x + (alpha / r) B A x  (eq. 3), with A [r, in] random and B [out, r] zero, so training
// starts from the base model. Merging folds (alpha / r) B A into W for inference; unmerging takes it out again.
import { noGrad, tidy, type Tensor } from '../core/index.js';
import { linear } from '../ops/index.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { Linear } from './layers/linear.js';
import { Dropout } from './layers/dropout.js';
import { parameter } from './layers/factory.js';
import { kaimingUniform_ } from './init.js';

export interface LoRAOptions {
  /** rank of the update (default 8) */
  r?: number;
  /** scale numerator: the update is multiplied by alpha / r (default r, i.e. a scale of 1) */
  alpha?: number;
  /** dropout on the adapter's input (default 0) */
  dropout?: number;
}

export class LoRALinear extends Module {
  base: Linear;
  loraA: Parameter;
  loraB: Parameter;
  dropout: Dropout;
  readonly r: number;
  readonly scaling: number;
  /** whether the update is currently folded into base.weight */
  merged = false;

  constructor(base: Linear, opts: LoRAOptions = {}) {
    super();
    const r = opts.r ?? 8;
    if (!Number.isInteger(r) || r <= 0) throw new Error(`LoRALinear: rank r must be a positive integer, got ${r}`);
    this.base = base.requiresGrad_(false);
    this.r = r;
    this.scaling = (opts.alpha ?? r) / r;
    const where = { device: base.weight.device, dtype: base.weight.dtype };
    this.loraA = parameter([r, base.inFeatures], where, (a) => kaimingUniform_(a, { a: Math.sqrt(5) }));
    this.loraB = parameter([base.outFeatures, r], where);
    this.dropout = new Dropout(opts.dropout ?? 0);
  }

  forward(x: Tensor): Tensor {
    const y = this.base.forward(x);
    if (this.merged) return y;
    return y.add(linear(linear(this.dropout.forward(x), this.loraA), this.loraB).mul(this.scaling));
  }

  /** W <- W + (alpha / r) B A: one matmul per call afterwards, and the adapter can no longer train. */
  merge(): void {
    if (this.merged) throw new Error('LoRALinear.merge: already merged');
    this.shiftWeight(1);
    this.merged = true;
  }

  /** W <- W - (alpha / r) B A. */
  unmerge(): void {
    if (!this.merged) throw new Error('LoRALinear.unmerge: not merged');
    this.shiftWeight(-1);
    this.merged = false;
  }

  private shiftWeight(sign: 1 | -1): void {
    noGrad(() => tidy(() => { this.base.weight.add_(this.loraB.matmul(this.loraA).mul(sign * this.scaling)); }));
  }
}

/** Whether a module's dotted name matches: a string matches the whole name or its last dotted parts (peft's rule). */
function matches(name: string, target: string | RegExp | readonly (string | RegExp)[]): boolean {
  if (Array.isArray(target)) return target.some((t) => matches(name, t));
  if (target instanceof RegExp) return target.test(name);
  return name === target || name.endsWith(`.${target as string}`);
}

/**
 * Wraps every Linear of `model` whose dotted name matches `target` in a LoRALinear (in place), and freezes every
 * other parameter. Returns the names of the wrapped layers; it is an error when nothing matches.
 */
export function applyLoRA(model: Module, target: string | RegExp | readonly (string | RegExp)[], opts: LoRAOptions = {}): string[] {
  const found: [Module, string, string, Linear][] = [];
  for (const [prefix, parent] of model.namedModules()) {
    if (parent instanceof LoRALinear) continue;
    for (const [key, child] of parent.namedChildren()) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (child instanceof Linear && matches(name, target)) found.push([parent, key, name, child]);
    }
  }
  if (found.length === 0) {
    const linears = [...model.namedModules()].filter(([, m]) => m instanceof Linear).map(([n]) => n);
    throw new Error(`applyLoRA: no Linear matches ${String(target)} (Linear layers: ${linears.join(', ') || 'none'})`);
  }
  model.requiresGrad_(false);
  for (const [parent, key, , layer] of found) parent.setChild(key, new LoRALinear(layer, opts));
  return found.map(([, , name]) => name);
}

const adapters = (model: Module) => [...model.namedModules()].map(([, m]) => m).filter((m): m is LoRALinear => m instanceof LoRALinear);

/** Merges every adapter of `model` into its base weight. */
export const mergeLoRA = (model: Module): void => adapters(model).forEach((m) => m.merge());
/** Takes every merged adapter back out of its base weight. */
export const unmergeLoRA = (model: Module): void => adapters(model).forEach((m) => m.unmerge());

/** Parameter element counts: all, and those that train. */
export function countParameters(model: Module): { total: number; trainable: number } {
  const params = model.parameters();
  const count = (ps: Tensor[]) => ps.reduce((n, p) => n + p.numel, 0);
  return { total: count(params), trainable: count(params.filter((p) => p.requiresGrad)) };
}
