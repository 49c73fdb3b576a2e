// WGSL helper functions for elementwise expressions that WGSL lacks or gets wrong at the edges.
// Each comes with the JS twin the cpu reference uses, so both backends follow the same formula.

/** erf from the erfc Chebyshev fit of Numerical Recipes (fractional error < 1.2e-7), same formula on both backends. */
export const ERF = `
fn erf_f(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - r, r - 1.0, x < 0.0);
}`;
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x < 0 ? r - 1 : 1 - r;
}

/** log1p and expm1 accurate near 0 (Goldberg's and Kahan's tricks), without WGSL builtins for either. */
export const LOG1P = `
fn log1p_f(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (is_inf(u) || u <= 0.0) { return log(u); }
  return log(u) * x / (u - 1.0);
}`;
export const EXPM1 = `
fn expm1_f(x: f32) -> f32 {
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um = u - 1.0;
  if (um == -1.0 || is_inf(u)) { return um; }
  return um * x / log(u);
}`;

/** tanh that stays finite for large |x| (exp overflow makes the textbook formula NaN). */
export const TANH = `
fn tanh_f(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  let t = (1.0 - e) / (1.0 + e);
  return select(t, -t, x < 0.0);
}`;

/** log with IEEE edge cases spelled out: log(0) = -inf, log(x < 0) = NaN. */
export const LOG = `
fn log_f(x: f32) -> f32 {
  if (x == 0.0) { return -inf_f32(); }
  if (x < 0.0) { return nan_f32(); }
  return log(x);
}`;

/**
 * pow with C99 semantics (as JS Math.pow): WGSL's pow is undefined for a < 0, so it is taken of |a|, and the sign
 * comes back for odd integer exponents; a negative base to a non-integer power is NaN; zeros and infinities as C99.
 */
export const POW = `
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  let negative = (bitcast<u32>(a) & 0x80000000u) != 0u; // -0 counts: pow(-0, -1) = -inf
  let odd = !is_inf(b) && floor(b) == b && floor(b * 0.5) != b * 0.5;
  var r: f32;
  if (a == 0.0) { r = select(0.0, inf_f32(), b < 0.0); }
  else if (is_inf(a)) { r = select(0.0, inf_f32(), b > 0.0); }
  else if (negative && floor(b) != b) { return nan_f32(); }
  else { r = pow(abs(a), b); }
  return select(r, -r, negative && odd);
}`;

/** round half to even, as WGSL's round() and torch.round do (JS Math.round rounds half up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** hypot without overflow or underflow: the larger magnitude times sqrt(1 + ratio^2); an infinity wins over NaN. */
export const HYPOT = `
fn hypot_f(a: f32, b: f32) -> f32 {
  if (is_inf(a) || is_inf(b)) { return inf_f32(); }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  let m = max(abs(a), abs(b));
  let r = min(abs(a), abs(b)) / m;
  return select(m * sqrt(1.0 + r * r), 0.0, m == 0.0);
}`;
export function hypot(a: number, b: number): number {
  return Math.hypot(a, b);
}

/** log(exp(a) + exp(b)) as max + log1p(exp(-|a - b|)); equal infinities give that infinity (a - b would be NaN). */
export const LOGADDEXP = `
fn logaddexp_f(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  if (is_inf(a) && a == b) { return a; }
  return max(a, b) + log1p_f(exp(-abs(a - b)));
}`;
export function logaddexp(a: number, b: number): number {
  if (a === b && !Number.isFinite(a)) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** x * log(y), 0 where x = 0 unless y is NaN (torch.xlogy). */
export const XLOGY = `
fn xlogy_f(x: f32, y: f32) -> f32 {
  if (is_nan(y)) { return y; }
  if (x == 0.0) { return 0.0; }
  return x * log_f(y);
}`;
export function xlogy(x: number, y: number): number {
  if (Number.isNaN(y)) return NaN;
  return x === 0 ? 0 : x * Math.log(y);
}

/**
 * Floor division as torch computes it (div_floor): the quotient of a - fmod(a, b), corrected by one where fmod has
 * the other sign from b, then rounded; so floorDivide(1, 0.1) is 9, like Python's 1 // 0.1, not floor(1 / 0.1) = 10.
 * WGSL has no exact fmod: fmod_f (FMOD) stands in for it on the GPU.
 */
export const FLOOR_DIVIDE = `
fn floor_divide_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return a / b; }
  let m = fmod_f(a, b);
  var d = (a - m) / b;
  if (m != 0.0 && (b < 0.0) != (m < 0.0)) { d = d - 1.0; }
  var f = floor(d);
  if (d - f > 0.5) { f = f + 1.0; }
  return f;
}`;
export function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const m = a % b;
  let d = (a - m) / b;
  if (m !== 0 && b < 0 !== m < 0) d -= 1;
  let f = Math.floor(d);
  if (d - f > 0.5) f += 1;
  return f;
}

/** C's fmod on the GPU: a - b trunc(a / b), which is inexact where a / b is large; fmod(x, inf) = x for finite x. */
export const FMOD = `
fn fmod_f(a: f32, b: f32) -> f32 {
  if (is_inf(b) && !is_inf(a) && !is_nan(a)) { return a; }
  return a - b * trunc(a / b);
}`;

/**
 * atan2 with C's special cases spelled out (WGSL leaves atan2(0, 0) and infinite operands undefined): a zero's sign
 * picks the side, atan2(+-0, x) = +-pi for x < 0 or x = -0, atan2(+-inf, +-inf) = +-pi/4 or +-3pi/4.
 */
export const ATAN2 = `
fn atan2_f(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  let a_negative = (bitcast<u32>(a) & 0x80000000u) != 0u;
  let b_negative = (bitcast<u32>(b) & 0x80000000u) != 0u;
  var r: f32;
  if (a == 0.0) { r = select(0.0, 3.141592653589793, b_negative); }
  else if (is_inf(a) && is_inf(b)) { r = select(0.7853981633974483, 2.356194490192345, b_negative); }
  else if (is_inf(b)) { r = select(0.0, 3.141592653589793, b_negative); }
  else if (is_inf(a)) { r = 1.5707963267948966; }
  else { return atan2(a, b); }
  return select(r, -r, a_negative);
}`;
