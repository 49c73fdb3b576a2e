// The budget d (spec §5): a quantile of C under the warm-started student, measured on calibration prompts before
// any RL and then fixed. Linear interpolation between order statistics (numpy's default).

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile: need at least one value');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}
