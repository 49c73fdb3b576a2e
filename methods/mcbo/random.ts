// Host-side seeded draws for search decisions made one scalar at a time (nn.data.seededRandom, mulberry32).
import { nn } from '../../index.js';

export type Rng = () => number;

export const seededRng: (seed: number) => Rng = nn.data.seededRandom;

/** An integer uniform in [0, n). */
export const randomInt = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** A standard normal draw (Box-Muller). */
export const randomNormal = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

/** Beta(1, b) by inversion: 1 − U^{1/b}. */
export const betaOneDraw = (rng: Rng, b: number): number => 1 - (1 - rng()) ** (1 / b);

/** k distinct indices of [0, n), in random order. */
export function sampleIndices(rng: Rng, n: number, k: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < Math.min(k, n); i++) {
    const j = i + randomInt(rng, n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k);
}
