// A small seeded host-side generator (mulberry32) for decisions made in JS one scalar at a time: batch offsets,
// synthetic data sets, per-step dropout draws. Tensor-valued randomness uses the library's Philox rand/randn, which
// gives the same numbers on both backends; this one never touches a device.

/** Uniform numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
