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
