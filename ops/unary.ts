// Unary elementwise ops: each is a WGSL expression, its JS twin and its backward rule, side by side.
import type { Tensor } from '../core/tensor.js';
import { elementwise, type ElementwiseDef } from './elementwise.js';
import { where } from './binary.js';
import { truthy } from '../shaders/elementwise.js';
import { ERF, EXPM1, LOG, LOG1P, TANH, erf as erfJs, roundHalfEven } from '../shaders/math.js';

const def = (d: Omit<ElementwiseDef, 'arity'>): ElementwiseDef => ({ arity: 1, ...d });
const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// selu's constants, as torch.nn.functional.selu (Klambauer et al. 2017)
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * a copy converted to another dtype (the dtype goes in the options); also contiguous(), clone(), fills, copy_. The
 * gradient of a copy that keeps the dtype is g itself (a contiguous() of attention's output cost a copy back per
 * layer of a GPT step).
 */
const CAST: ElementwiseDef = def({
  name: 'cast', kind: 'any', wgsl: 'a', cpu: (a) => a,
  backward: (g, [x]) => [g.dtype === (x as Tensor).dtype ? g : elementwise(CAST, [g], [], { dtype: (x as Tensor).dtype })],
});

const normalPdf = (x: number) => INV_SQRT_2PI * Math.exp(-0.5 * x * x);

/**
 * gelu's gradient g * d/dx x Phi(x) = g (Phi(x) + x phi(x)) as one elementwise op (operands g, x): composed of
 * tensor ops it was eleven dispatches (erf, exp, squares, products) per GELU of a training step.
 */
export const GELU_BACKWARD: ElementwiseDef = {
  name: 'geluBackward', arity: 2, kind: 'float', helpers: ERF,
  wgsl: `a * (0.5 * (1.0 + erf_f(b * ${SQRT_HALF})) + b * ${INV_SQRT_2PI} * exp(-0.5 * b * b))`,
  cpu: (g, x) => g * (0.5 * (1 + erfJs(x * SQRT_HALF)) + x * normalPdf(x)),
  // d/dg = Phi(x) + x phi(x);  d/dx = g (2 phi(x) + x phi'(x)) = g phi(x) (2 - x^2)
  backward: (gg, [g, x]) => {
    const t = x as Tensor;
    const pdf = t.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
    return [elementwise(GELU_BACKWARD, [gg, t]), gg.mul(g).mul(pdf).mul(t.square().neg().add(2))];
  },
};

export const UNARY = {
  neg: def({ name: 'neg', kind: 'signed', wgsl: '-a', cpu: (a) => -a, backward: (g) => [g.neg()] }),
  abs: def({ name: 'abs', kind: 'signed', wgsl: 'abs(a)', cpu: Math.abs, backward: (g, [x]) => [g.mul((x as Tensor).sign())] }),
  sign: def({
    name: 'sign', kind: 'signed', wgsl: (T) => (T === 'f32' ? 'select(sign(a), a, is_nan(a))' : 'sign(a)'),
    cpu: (a) => (Number.isNaN(a) ? NaN : Math.sign(a) + 0), backward: (g) => [g.mul(0)],
  }),
  exp: def({ name: 'exp', kind: 'float', wgsl: 'exp(a)', cpu: Math.exp, backward: (g, _x, y) => [g.mul(y)], savesOutput: true }),
  log: def({ name: 'log', kind: 'float', test: { domain: [[0.05, 4]] }, wgsl: 'log_f(a)', helpers: LOG, cpu: Math.log, backward: (g, [x]) => [g.div(x)] }),
  log1p: def({ name: 'log1p', kind: 'float', test: { domain: [[-0.9, 4]] }, wgsl: 'log1p_f(a)', helpers: LOG1P, cpu: Math.log1p, backward: (g, [x]) => [g.div((x as Tensor).add(1))] }),
  log2: def({
    name: 'log2', kind: 'float', test: { domain: [[0.05, 4]] }, wgsl: 'log_f(a) * 1.4426950408889634', helpers: LOG, cpu: Math.log2,
    backward: (g, [x]) => [g.div((x as Tensor).mul(Math.LN2))],
  }),
  log10: def({
    name: 'log10', kind: 'float', test: { domain: [[0.05, 4]] }, wgsl: 'log_f(a) * 0.4342944819032518', helpers: LOG, cpu: Math.log10,
    backward: (g, [x]) => [g.div((x as Tensor).mul(Math.LN10))],
  }),
  exp2: def({ name: 'exp2', kind: 'float', wgsl: 'exp2(a)', cpu: (a) => 2 ** a, backward: (g, _x, y) => [g.mul(y).mul(Math.LN2)], savesOutput: true }),
  expm1: def({ name: 'expm1', kind: 'float', wgsl: 'expm1_f(a)', helpers: EXPM1, cpu: Math.expm1, backward: (g, _x, y) => [g.mul(y.add(1))], savesOutput: true }),
  sqrt: def({
    name: 'sqrt', kind: 'float', test: { domain: [[0.05, 4]] }, wgsl: 'select(sqrt(a), nan_f32(), a < 0.0)', cpu: Math.sqrt,
    backward: (g, _x, y) => [g.div(y.mul(2))], savesOutput: true,
  }),
  rsqrt: def({
    name: 'rsqrt', kind: 'float', test: { domain: [[0.05, 4]] }, wgsl: 'select(select(inverseSqrt(a), inf_f32(), a == 0.0), nan_f32(), a < 0.0)',
    cpu: (a) => 1 / Math.sqrt(a), backward: (g, _x, y) => [g.mul(y.pow(3)).mul(-0.5)], savesOutput: true,
  }),
  square: def({ name: 'square', kind: 'numeric', wgsl: 'a * a', cpu: (a) => a * a, backward: (g, [x]) => [g.mul(x).mul(2)] }),
  reciprocal: def({
    name: 'reciprocal', kind: 'float', test: { domain: [[0.2, 3]] }, wgsl: '1.0 / a', cpu: (a) => 1 / a,
    backward: (g, _x, y) => [g.mul(y.square()).neg()], savesOutput: true,
  }),
  sin: def({ name: 'sin', kind: 'float', wgsl: 'sin(a)', cpu: Math.sin, backward: (g, [x]) => [g.mul((x as Tensor).cos())] }),
  cos: def({ name: 'cos', kind: 'float', wgsl: 'cos(a)', cpu: Math.cos, backward: (g, [x]) => [g.mul((x as Tensor).sin()).neg()] }),
  // tan, the inverse trig functions and the hyperbolic ones; asin and acos are NaN outside [-1, 1], as in torch, and
  // go through atan2 (some drivers' asin and acos are off by 3e-4)
  tan: def({
    name: 'tan', kind: 'float', test: { domain: [[-1.2, 1.2]] }, wgsl: 'tan(a)', cpu: Math.tan,
    backward: (g, _x, y) => [g.mul(y.square().add(1))], savesOutput: true,
  }),
  asin: def({
    name: 'asin', kind: 'float', test: { domain: [[-0.9, 0.9]] }, wgsl: 'select(atan2(a, sqrt((1.0 - a) * (1.0 + a))), nan_f32(), abs(a) > 1.0)', cpu: Math.asin,
    backward: (g, [x]) => [g.div((x as Tensor).square().neg().add(1).sqrt())],
  }),
  acos: def({
    name: 'acos', kind: 'float', test: { domain: [[-0.9, 0.9]] }, wgsl: 'select(atan2(sqrt((1.0 - a) * (1.0 + a)), a), nan_f32(), abs(a) > 1.0)', cpu: Math.acos,
    backward: (g, [x]) => [g.div((x as Tensor).square().neg().add(1).sqrt()).neg()],
  }),
  atan: def({ name: 'atan', kind: 'float', wgsl: 'atan(a)', cpu: Math.atan, backward: (g, [x]) => [g.div((x as Tensor).square().add(1))] }),
  // sinh and cosh from exp(a) and exp(-a); sinh near 0 through expm1, where exp(a) - exp(-a) would cancel
  sinh: def({
    name: 'sinh', kind: 'float', helpers: EXPM1, wgsl: 'select(0.5 * (exp(a) - exp(-a)), 0.5 * (expm1_f(a) - expm1_f(-a)), abs(a) < 1.0)',
    cpu: Math.sinh, backward: (g, [x]) => [g.mul((x as Tensor).cosh())],
  }),
  cosh: def({ name: 'cosh', kind: 'float', wgsl: '0.5 * (exp(a) + exp(-a))', cpu: Math.cosh, backward: (g, [x]) => [g.mul((x as Tensor).sinh())] }),
  tanh: def({
    name: 'tanh', kind: 'float', wgsl: 'tanh_f(a)', helpers: TANH, cpu: Math.tanh,
    backward: (g, _x, y) => [g.mul(y.square().neg().add(1))], savesOutput: true,
  }),
  sigmoid: def({
    name: 'sigmoid', kind: 'float', wgsl: '1.0 / (1.0 + exp(-a))', cpu: (a) => 1 / (1 + Math.exp(-a)),
    backward: (g, _x, y) => [g.mul(y).mul(y.neg().add(1))], savesOutput: true,
  }),
  relu: def({
    name: 'relu', kind: 'numeric', wgsl: (T) => `select(a, ${T}(0), a < ${T}(0))`, cpu: (a) => (a < 0 ? 0 : a),
    backward: (g, [x]) => [g.mul((x as Tensor).gt(0))],
  }),
  leakyRelu: def({
    name: 'leakyRelu', kind: 'float', test: { params: [0.1] }, wgsl: 'select(a, a * p0, a < 0.0)', cpu: (a, _b, _c, [s]) => (a < 0 ? a * s : a),
    backward: (g, [x], _y, [s]) => [g.mul(where((x as Tensor).lt(0), s, 1))],
  }),
  erf: def({
    name: 'erf', kind: 'float', wgsl: 'erf_f(a)', helpers: ERF, cpu: erfJs,
    backward: (g, [x]) => [g.mul((x as Tensor).square().neg().exp().mul(2 / Math.sqrt(Math.PI)))],
  }),
  gelu: def({
    name: 'gelu', kind: 'float', wgsl: `0.5 * a * (1.0 + erf_f(a * ${SQRT_HALF}))`, helpers: ERF,
    cpu: (a) => 0.5 * a * (1 + erfJs(a * SQRT_HALF)),
    backward: (g, [x]) => [elementwise(GELU_BACKWARD, [g, x])],
  }),
  geluTanh: def({
    name: 'gelu(tanh)', kind: 'float', helpers: TANH,
    wgsl: '0.5 * a * (1.0 + tanh_f(0.7978845608028654 * (a + 0.044715 * a * a * a)))',
    cpu: (a) => 0.5 * a * (1 + Math.tanh(0.7978845608028654 * (a + 0.044715 * a * a * a))),
    backward: (g, [x]) => {
      const t = x as Tensor;
      const inner = t.add(t.pow(3).mul(0.044715)).mul(0.7978845608028654);
      const th = inner.tanh();
      const dInner = t.square().mul(3 * 0.044715).add(1).mul(0.7978845608028654);
      const d = th.add(1).mul(0.5).add(t.mul(0.5).mul(th.square().neg().add(1)).mul(dInner));
      return [g.mul(d)];
    },
  }),
  silu: def({
    name: 'silu', kind: 'float', wgsl: 'a / (1.0 + exp(-a))', cpu: (a) => a / (1 + Math.exp(-a)),
    backward: (g, [x]) => {
      const s = (x as Tensor).sigmoid();
      return [g.mul(s.mul((x as Tensor).mul(s.neg().add(1)).add(1)))];
    },
  }),
  // softplus(x) = log(1 + exp(beta x)) / beta, linear where beta x > threshold (p0 = beta, p1 = threshold)
  softplus: def({
    name: 'softplus', kind: 'float', test: { params: [2, 4] }, helpers: LOG1P,
    wgsl: 'select(log1p_f(exp(-abs(a * p0))) / p0 + max(a, 0.0), a, a * p0 > p1)',
    cpu: (a, _b, _c, [beta, th]) => (a * beta > th ? a : Math.log1p(Math.exp(-Math.abs(a * beta))) / beta + Math.max(a, 0)),
    backward: (g, [x], _y, [beta, th]) => {
      const bx = (x as Tensor).mul(beta);
      return [g.mul(where(bx.gt(th), 1, bx.sigmoid()))];
    },
  }),
  elu: def({
    name: 'elu', kind: 'float', test: { params: [0.7] }, helpers: EXPM1, wgsl: 'select(a, p0 * expm1_f(a), a <= 0.0)',
    cpu: (a, _b, _c, [alpha]) => (a <= 0 ? alpha * Math.expm1(a) : a),
    backward: (g, [x], y, [alpha]) => [g.mul(where((x as Tensor).le(0), y.add(alpha), 1))], savesOutput: true,
  }),
  // log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)), finite for large |x|; d/dx = sigmoid(-x)
  logsigmoid: def({
    name: 'logsigmoid', kind: 'float', helpers: LOG1P, wgsl: 'min(a, 0.0) - log1p_f(exp(-abs(a)))',
    cpu: (a) => Math.min(a, 0) - Math.log1p(Math.exp(-Math.abs(a))), backward: (g, [x]) => [g.mul((x as Tensor).neg().sigmoid())],
  }),
  // clamp to [p0, p1] whose gradient, as torch's hardtanh_backward, is 0 at the bounds themselves (relu6 is p = 0, 6)
  hardtanh: def({
    name: 'hardtanh', kind: 'float', test: { params: [-1, 1.5] }, wgsl: 'select(select(a, p0, a < p0), p1, a > p1)',
    cpu: (a, _b, _c, [lo, hi]) => (a < lo ? lo : a > hi ? hi : a),
    backward: (g, [x], _y, [lo, hi]) => [g.mul((x as Tensor).gt(lo).logicalAnd((x as Tensor).lt(hi)))],
  }),
  // x tanh(softplus(x)); d/dx = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)
  mish: def({
    name: 'mish', kind: 'float', helpers: LOG1P + TANH, wgsl: 'a * tanh_f(log1p_f(exp(-abs(a))) + max(a, 0.0))',
    cpu: (a) => a * Math.tanh(Math.log1p(Math.exp(-Math.abs(a))) + Math.max(a, 0)),
    backward: (g, [x]) => {
      const t = x as Tensor;
      const th = t.softplus().tanh();
      return [g.mul(th.add(t.mul(t.sigmoid()).mul(th.square().neg().add(1))))];
    },
  }),
  // scale (max(0, x) + min(0, alpha (exp(x) - 1))) with torch's constants; at 0 the gradient takes the x <= 0 side
  selu: def({
    name: 'selu', kind: 'float', helpers: EXPM1, wgsl: `select(${SELU_SCALE} * a, ${SELU_SCALE * SELU_ALPHA} * expm1_f(a), a <= 0.0)`,
    cpu: (a) => (a <= 0 ? SELU_SCALE * SELU_ALPHA * Math.expm1(a) : SELU_SCALE * a),
    backward: (g, [x]) => [g.mul(where((x as Tensor).le(0), (x as Tensor).exp().mul(SELU_SCALE * SELU_ALPHA), SELU_SCALE))],
  }),
  // max(0, x) + min(0, alpha (exp(x / alpha) - 1)) (p0 = alpha)
  celu: def({
    name: 'celu', kind: 'float', test: { params: [0.7] }, helpers: EXPM1, wgsl: 'select(a, p0 * expm1_f(a / p0), a <= 0.0)',
    cpu: (a, _b, _c, [alpha]) => (a <= 0 ? alpha * Math.expm1(a / alpha) : a),
    backward: (g, [x], _y, [alpha]) => [g.mul(where((x as Tensor).le(0), (x as Tensor).div(alpha).exp(), 1))],
  }),
  // x relu6(x + 3) / 6; gradient x / 3 + 1/2 on [-3, 3] (both ends included, as torch), 0 below, 1 above
  hardswish: def({
    name: 'hardswish', kind: 'float', test: { domain: [[-5, 5]] }, wgsl: 'select(select(a * (a + 3.0) / 6.0, 0.0, a <= -3.0), a, a >= 3.0)',
    cpu: (a) => (a <= -3 ? 0 : a >= 3 ? a : (a * (a + 3)) / 6),
    backward: (g, [x]) => {
      const t = x as Tensor;
      return [g.mul(where(t.lt(-3), 0, where(t.le(3), t.div(3).add(0.5), 1)))];
    },
  }),
  // relu6(x + 3) / 6; gradient 1/6 strictly inside (-3, 3), as torch
  hardsigmoid: def({
    name: 'hardsigmoid', kind: 'float', test: { domain: [[-5, 5]] }, wgsl: 'select(select(a / 6.0 + 0.5, 0.0, a <= -3.0), 1.0, a >= 3.0)',
    cpu: (a) => (a <= -3 ? 0 : a >= 3 ? 1 : a / 6 + 0.5),
    backward: (g, [x]) => [g.mul((x as Tensor).gt(-3).logicalAnd((x as Tensor).lt(3))).div(6)],
  }),
  floor: def({ name: 'floor', kind: 'numeric', wgsl: (T) => (T === 'f32' ? 'floor(a)' : 'a'), cpu: Math.floor, backward: (g) => [g.mul(0)] }),
  ceil: def({ name: 'ceil', kind: 'numeric', wgsl: (T) => (T === 'f32' ? 'ceil(a)' : 'a'), cpu: Math.ceil, backward: (g) => [g.mul(0)] }),
  round: def({ name: 'round', kind: 'numeric', wgsl: (T) => (T === 'f32' ? 'round(a)' : 'a'), cpu: roundHalfEven, backward: (g) => [g.mul(0)] }),
  trunc: def({ name: 'trunc', kind: 'numeric', wgsl: (T) => (T === 'f32' ? 'trunc(a)' : 'a'), cpu: Math.trunc, backward: (g) => [g.mul(0)] }),
  // the fractional part, with the sign of a (torch.frac: a - trunc(a))
  frac: def({ name: 'frac', kind: 'float', wgsl: 'a - trunc(a)', cpu: (a) => a - Math.trunc(a), backward: (g) => [g] }),
  // clamp to [p0, p1]; NaN passes through (compares with NaN are false)
  clamp: def({
    name: 'clamp', kind: 'numeric', test: { params: [-1, 1.5] }, wgsl: 'select(select(a, p0, a < p0), p1, a > p1)',
    cpu: (a, _b, _c, [lo, hi]) => (a < lo ? lo : a > hi ? hi : a),
    backward: (g, [x], _y, [lo, hi]) => [g.mul((x as Tensor).ge(lo).logicalAnd((x as Tensor).le(hi)))],
  }),
  isnan: def({
    name: 'isnan', kind: 'any', result: 'bool', wgsl: (T) => (T === 'f32' ? 'is_nan(a)' : 'false'),
    cpu: (a) => Number(Number.isNaN(a)), backward: null,
  }),
  isfinite: def({
    name: 'isfinite', kind: 'any', result: 'bool', wgsl: (T) => (T === 'f32' ? '!(is_nan(a) || is_inf(a))' : 'true'),
    cpu: (a) => Number(Number.isFinite(a)), backward: null,
  }),
  // p0 replaces NaN, p1 +inf, p2 -inf
  nanToNum: def({
    name: 'nanToNum', kind: 'float', test: { params: [0, 100, -100] }, wgsl: 'select(select(select(a, p2, is_inf(a) && a < 0.0), p1, is_inf(a) && a > 0.0), p0, is_nan(a))',
    cpu: (a, _b, _c, [nan, pos, neg]) => (Number.isNaN(a) ? nan : a === Infinity ? pos : a === -Infinity ? neg : a),
    backward: (g, [x]) => [g.mul((x as Tensor).isfinite())],
  }),
  logicalNot: def({ name: 'logicalNot', kind: 'any', result: 'bool', wgsl: (T) => `!${truthy(T, 'a')}`, cpu: (a) => Number(a === 0), backward: null }),
  cast: CAST,
} satisfies Record<string, ElementwiseDef>;

export type UnaryName = keyof typeof UNARY;

export const unary = (name: UnaryName, x: Tensor, params: number[] = []): Tensor => elementwise(UNARY[name], [x], params);
