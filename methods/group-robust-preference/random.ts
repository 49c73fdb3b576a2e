// Host-side draws for the synthetic data sets, from nn's seeded host generator (nn.data.seededRandom, mulberry32):
// the same seed gives the same data. Why not the library's Philox generator (rand/randn/randint, manualSeed)? It
// draws tensors and reads back asynchronously, while these generators draw scalars one at a time inside host
// logic: ties and too-wide gaps are redrawn (samplePair), reward vectors are redrawn until the groups disagree
// enough (drawGroupRewards), and each pair's second action depends on the first. Model initialisation uses the
// library's generator (manualSeed, nn.GPT's seed).
import { nn } from '../../index.js';

export type Rng = () => number;

export const seededRng: (seed: number) => Rng = nn.data.seededRandom;

/** An integer uniform in [0, n). */
export const randomInt = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** A standard normal draw (Box-Muller). */
export function randomNormal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
