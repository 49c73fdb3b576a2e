// The NAP attention mask (spec §3 "Tokens and mask"): tokens are laid out as [T history slots | N queries] and
// token i may attend to token j iff j < t (a filled history slot) or j = i. Filled history tokens therefore see
// each other (order-invariant), each query sees the history and itself only (permutation-equivariant), and no
// token ever reads an empty slot (padding).

/** The (T + N)² row-major mask: 1 where token i (row) may attend to token j (column). */
export function buildAttentionMask(slots: number, queries: number, filled: number): Uint8Array {
  if (!Number.isInteger(filled) || filled < 0 || filled > slots || !Number.isInteger(queries) || queries < 0)
    throw new Error(
      `buildAttentionMask: need 0 <= filled <= slots and queries >= 0 (integers), got slots ${slots}, filled ${filled}, queries ${queries}`,
    );
  const size = slots + queries;
  const mask = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) mask[i * size + j] = j < filled || j === i ? 1 : 0;
  return mask;
}

/** Additive attention bias: 0 where the mask allows, a large negative number where it forbids. */
export const MASKED = -1e9;
