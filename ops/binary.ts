// Binary (and the one ternary) elementwise ops, with PyTorch's broadcasting and type promotion.
import type { Tensor } from '../core/tensor.js';
import { elementwise, type ElementwiseDef, type Operand } from './elementwise.js';
import { ATAN2, FLOOR_DIVIDE, FMOD, HYPOT, LOG, LOG1P, LOGADDEXP, POW, XLOGY, floorDivide, hypot, logaddexp, xlogy } from '../shaders/math.js';
import { truthy } from '../shaders/elementwise.js';

const def = (d: Omit<ElementwiseDef, 'arity'>): ElementwiseDef => ({ arity: 2, ...d });
const T = (o: Operand) => o as Tensor;
const isNanJs = (a: number, b: number) => Number.isNaN(a) || Number.isNaN(b);

/** Python's modulo: the result takes the divisor's sign (torch.remainder). */
function remainderJs(a: number, b: number): number {
  return a - b * Math.floor(a / b);
}

/** pow with C99 edge cases, the twin of the WGSL pow_f. */
function powJs(a: number, b: number): number {
  return b === 0 ? 1 : Math.pow(a, b);
}

export const BINARY = {
  add: def({ name: 'add', kind: 'numeric', wgsl: 'a + b', cpu: (a, b) => a + b, backward: (g) => [g, g], onBools: (): ElementwiseDef => BINARY.logicalOr }),
  // (sub, mul and div skip the gradient of an operand that needs none: a constant mask, a loss's mean divisor)
  sub: def({ name: 'sub', kind: 'numeric', wgsl: 'a - b', cpu: (a, b) => a - b, backward: (g, _x, _y, _p, needs) => [g, needs[1] ? g.neg() : null] }),
  mul: def({
    name: 'mul', kind: 'numeric', wgsl: 'a * b', cpu: (a, b) => a * b,
    backward: (g, [a, b], _y, _p, needs) => [needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null],
    onBools: (): ElementwiseDef => BINARY.logicalAnd,
  }),
  div: def({
    name: 'div', kind: 'float', test: { domain: [[-3, 3], [0.5, 3]] }, wgsl: 'a / b', cpu: (a, b) => a / b,
    backward: (g, [a, b], _y, _p, needs) => [needs[0] ? g.div(b) : null, needs[1] ? g.mul(a).div(T(b).square()).neg() : null],
  }),
  pow: def({
    name: 'pow', kind: 'float', test: { domain: [[0.2, 3], [-2, 2]] }, wgsl: 'pow_f(a, b)', helpers: POW, cpu: powJs,
    backward: (g, [a, b], y) => [
      // d/da a^b = b a^(b-1);  d/db a^b = a^b log a (taken as 0 where a = 0, as torch does)
      typeof a === 'number' ? null : typeof b === 'number'
        ? (b === 0 ? g.mul(0) : g.mul(T(a).pow(b - 1)).mul(b))
        : g.mul(T(a).pow(T(b).sub(1))).mul(b),
      // (a number base stays a number, so the gradient stays on the exponent's device)
      typeof b === 'number' ? null : g.mul(y).mul(typeof a === 'number' ? (a === 0 ? 0 : Math.log(a)) : where(T(a).eq(0), 0, T(a).log())),
    ],
    savesOutput: true,
  }),
  maximum: def({
    name: 'maximum', kind: 'numeric', wgsl: (t) => (t === 'f32' ? 'select(max(a, b), a + b, is_nan(a) || is_nan(b))' : 'max(a, b)'),
    cpu: (a, b) => (isNanJs(a, b) ? NaN : Math.max(a, b)),
    // ties share the gradient equally, as torch does
    backward: (g, [a, b]) => tieSplit(g, a, b, 'gt'),
  }),
  minimum: def({
    name: 'minimum', kind: 'numeric', wgsl: (t) => (t === 'f32' ? 'select(min(a, b), a + b, is_nan(a) || is_nan(b))' : 'min(a, b)'),
    cpu: (a, b) => (isNanJs(a, b) ? NaN : Math.min(a, b)),
    backward: (g, [a, b]) => tieSplit(g, a, b, 'lt'),
  }),
  remainder: def({
    name: 'remainder', kind: 'numeric', test: { domain: [[-5, 5], [0.6, 3]] },
    wgsl: (t) => (t === 'f32' ? 'a - b * floor(a / b)' : t === 'i32' ? 'select(a % b, a % b + b, (a % b != 0) && ((a % b < 0) != (b < 0)))' : 'a % b'),
    cpu: (a, b) => remainderJs(a, b),
    backward: (g, [a, b]): (Tensor | null)[] => [g, typeof b === 'number' ? null : g.mul(elementwise(BINARY.div, [a, b]).floor()).neg()],
  }),
  // C's fmod: the result takes the dividend's sign (torch.fmod); d/db = -trunc(a / b), as torch's rule
  fmod: def({
    name: 'fmod', kind: 'numeric', test: { domain: [[-5, 5], [0.6, 3]] },
    wgsl: (t) => (t === 'f32' ? 'fmod_f(a, b)' : 'a % b'), helpers: FMOD, cpu: (a, b) => a % b,
    backward: (g, [a, b]): (Tensor | null)[] => [g, typeof b === 'number' ? null : g.mul(elementwise(BINARY.div, [a, b]).trunc()).neg()],
  }),
  // rounds toward -inf (torch.floor_divide); piecewise constant, so its gradient is zero
  floorDivide: def({
    name: 'floorDivide', kind: 'numeric', test: { domain: [[-5, 5], [0.6, 3]] }, helpers: FMOD + FLOOR_DIVIDE,
    wgsl: (t) => (t === 'f32' ? 'floor_divide_f(a, b)' : t === 'i32' ? 'select(a / b, a / b - 1, (a % b != 0) && ((a < 0) != (b < 0)))' : 'a / b'),
    cpu: floorDivide, backward: (g, [a, b]) => [typeof a === 'number' ? null : g.mul(0), typeof b === 'number' ? null : g.mul(0)],
  }),
  // atan2(a, b): the angle of the point (b, a); d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
  atan2: def({
    name: 'atan2', kind: 'float', wgsl: 'atan2_f(a, b)', helpers: ATAN2, cpu: Math.atan2,
    backward: (g, [a, b]): (Tensor | null)[] => {
      const r2 = elementwise(BINARY.add, [elementwise(BINARY.mul, [a, a]), elementwise(BINARY.mul, [b, b])]);
      return [typeof a === 'number' ? null : g.mul(b).div(r2), typeof b === 'number' ? null : g.mul(a).div(r2).neg()];
    },
  }),
  hypot: def({
    name: 'hypot', kind: 'float', wgsl: 'hypot_f(a, b)', helpers: HYPOT, cpu: hypot,
    backward: (g, [a, b], y) => [typeof a === 'number' ? null : g.mul(a).div(y), typeof b === 'number' ? null : g.mul(b).div(y)],
    savesOutput: true,
  }),
  // log(exp(a) + exp(b)); each operand's gradient is its softmax weight, sigmoid(a - b)
  logaddexp: def({
    name: 'logaddexp', kind: 'float', wgsl: 'logaddexp_f(a, b)', helpers: LOG1P + LOGADDEXP, cpu: logaddexp,
    backward: (g, [a, b], y): (Tensor | null)[] => [
      typeof a === 'number' ? null : g.mul(elementwise(BINARY.sub, [a, y]).exp()),
      typeof b === 'number' ? null : g.mul(elementwise(BINARY.sub, [b, y]).exp()),
    ],
    savesOutput: true,
  }),
  // x log y with 0 where x = 0 (torch.xlogy); as torch, d/dx is 0 where x = 0 and y <= 0
  xlogy: def({
    name: 'xlogy', kind: 'float', test: { domain: [[-3, 3], [0.2, 3]] }, wgsl: 'xlogy_f(a, b)', helpers: LOG + XLOGY, cpu: xlogy,
    backward: (g, [a, b]): (Tensor | null)[] => [
      typeof a === 'number' ? null : where(T(a).eq(0).logicalAnd(elementwise(BINARY.le, [b, 0])), 0, elementwise(BINARY.xlogy, [g, b])),
      typeof b === 'number' ? null : g.mul(a).div(b),
    ],
  }),
  // NaN compares unequal to everything; WGSL float compares may assume no NaN, so eq and ne test for it.
  eq: def({ name: 'eq', kind: 'any', result: 'bool', wgsl: (t) => (t === 'f32' ? 'a == b && !is_nan(a) && !is_nan(b)' : 'a == b'), cpu: (a, b) => Number(a === b), backward: null }),
  ne: def({ name: 'ne', kind: 'any', result: 'bool', wgsl: (t) => (t === 'f32' ? 'a != b || is_nan(a) || is_nan(b)' : 'a != b'), cpu: (a, b) => Number(a !== b), backward: null }),
  lt: def({ name: 'lt', kind: 'any', result: 'bool', wgsl: 'a < b', cpu: (a, b) => Number(a < b), backward: null }),
  le: def({ name: 'le', kind: 'any', result: 'bool', wgsl: 'a <= b', cpu: (a, b) => Number(a <= b), backward: null }),
  gt: def({ name: 'gt', kind: 'any', result: 'bool', wgsl: 'a > b', cpu: (a, b) => Number(a > b), backward: null }),
  ge: def({ name: 'ge', kind: 'any', result: 'bool', wgsl: 'a >= b', cpu: (a, b) => Number(a >= b), backward: null }),
  logicalAnd: def({
    name: 'logicalAnd', kind: 'any', result: 'bool', wgsl: (t) => `${truthy(t, 'a')} && ${truthy(t, 'b')}`,
    cpu: (a, b) => Number(a !== 0 && b !== 0), backward: null,
  }),
  logicalOr: def({
    name: 'logicalOr', kind: 'any', result: 'bool', wgsl: (t) => `${truthy(t, 'a')} || ${truthy(t, 'b')}`,
    cpu: (a, b) => Number(a !== 0 || b !== 0), backward: null,
  }),
  logicalXor: def({
    name: 'logicalXor', kind: 'any', result: 'bool', wgsl: (t) => `${truthy(t, 'a')} != ${truthy(t, 'b')}`,
    cpu: (a, b) => Number((a !== 0) !== (b !== 0)), backward: null,
  }),
} satisfies Record<string, ElementwiseDef>;

function tieSplit(g: Tensor, a: Operand, b: Operand, winner: 'gt' | 'lt'): (Tensor | null)[] {
  const ta = typeof a === 'number' ? null : T(a);
  const tb = typeof b === 'number' ? null : T(b);
  const x = ta ?? tb!;
  const other = ta ? b : a;
  const wins = x[winner](other).add(x.eq(other).mul(0.5));
  return ta ? [g.mul(wins), tb ? g.sub(g.mul(wins)) : null] : [null, g.mul(wins)];
}

/** where(cond, a, b): a where cond is true, else b; cond is cast to bool. */
export const WHERE: ElementwiseDef = {
  name: 'where', arity: 3, kind: 'any', conditional: true, wgsl: (t) => `select(c, b, a != ${t}(0))`,
  cpu: (cond, a, b) => (cond !== 0 ? a : b),
  backward: (g, [cond, a, b]) => {
    const zero = g.mul(0);
    return [null, typeof a === 'number' ? null : where(cond, g, zero), typeof b === 'number' ? null : where(cond, zero, g)];
  },
};

export type BinaryName = keyof typeof BINARY;

export const binary = (name: BinaryName, a: Operand, b: Operand): Tensor => elementwise(BINARY[name], [a, b]);

export function where(cond: Operand, a: Operand, b: Operand): Tensor {
  // where's operand order (cond, a, b) maps onto (a, b, c) of the kernel; the condition promotes with neither.
  const condBool = typeof cond === 'number' || cond.dtype === 'bool' ? cond : T(cond).ne(0);
  return elementwise(WHERE, [condBool, a, b]);
}
