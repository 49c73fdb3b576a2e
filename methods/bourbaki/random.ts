// Seeded randomness for the generator, the provers and the search (mulberry32 via nn's seededRandom).
import { nn } from '../../index.js';

export type Rng = () => number;
export const makeRng = (seed: number): Rng => nn.data.seededRandom(seed);
export const randInt = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

export function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
