// A small seeded generator for the host side of RL (start states, minibatch indices, exploration noise):
// nn.data.seededRandom (mulberry32) for uniforms, Box-Muller for normals. Tensors draw their own noise from
// tessera's Philox generator; `nextSeed()` hands each such draw a fresh seed so one integer seeds a whole run.

import { nn } from '../../../index.js';

export interface Rng {
  /** uniform on [0, 1) */
  uniform(): number;
  /** uniform on [lo, hi) */
  range(lo: number, hi: number): number;
  /** integer uniform on [0, n) */
  int(n: number): number;
  /** standard normal */
  normal(): number;
  /** a fresh 31-bit seed for a tensor draw (randn's `seed` option) */
  nextSeed(): number;
}

export function makeRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`makeRng: seed must be an integer, got ${seed}`);
  const uniform = nn.data.seededRandom(seed);
  return {
    uniform,
    range: (lo, hi) => lo + (hi - lo) * uniform(),
    int: (n) => Math.floor(uniform() * n),
    normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
    nextSeed: () => Math.floor(uniform() * 2 ** 31),
  };
}
