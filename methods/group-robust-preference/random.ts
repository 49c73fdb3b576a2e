// A small seeded host generator (mulberry32) for drawing the synthetic data sets: the same seed gives the same data.
// Why not the library's Philox generator (rand/randn/randint, manualSeed)? It draws tensors and reads back
// asynchronously, while these generators draw scalars one at a time inside host logic: ties and too-wide gaps are
// redrawn (samplePair), reward vectors are redrawn until the groups disagree enough (drawGroupRewards), and each
// pair's second action depends on the first. Model initialisation, dropout and sampling use the library's
// generator (manualSeed); this one only shapes the data, and keeps the data sets of earlier runs identical.
export type Rng = () => number;

export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer uniform in [0, n). */
export const randomInt = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** A standard normal draw (Box-Muller). */
export function randomNormal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
