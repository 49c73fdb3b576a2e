// Train/validation split of a token stream: the last `valFraction` of the tokens are held out, as one block,
// so no validation window overlaps a training window.
export function trainValSplit(tokens: ArrayLike<number>, valFraction = 0.1): { train: Int32Array; val: Int32Array } {
  if (!(valFraction > 0 && valFraction < 1)) throw new Error(`trainValSplit: valFraction must be in (0, 1), got ${valFraction}`);
  const all = Int32Array.from(tokens);
  const cut = Math.round(all.length * (1 - valFraction));
  if (cut < 2 || all.length - cut < 2) throw new Error(`trainValSplit: ${all.length} tokens are too few to split at ${valFraction}`);
  return { train: all.subarray(0, cut), val: all.subarray(cut) };
}
