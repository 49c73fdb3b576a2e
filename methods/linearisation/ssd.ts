// Scheduled Sliding-window Dropout (spec §3 remedy 3): during hybrid fine-tuning the softmax-window branch is
// zeroed with probability p = 0.9, 0.75, 0.5 over equal thirds of training (p = 0 at test). Granularity [R]: one
// draw per (layer, step); a dropped layer runs its linear branch over all j ≤ i (laFull).

export const SSD_PROBABILITIES: readonly number[] = [0.9, 0.75, 0.5];

/** The drop probability at `step` (0 ≤ step < total), the schedule split into equal parts, one per probability. */
export function ssdProbability(step: number, total: number, probs: readonly number[] = SSD_PROBABILITIES): number {
  if (!(Number.isInteger(step) && step >= 0 && step < total)) throw new Error(`ssdProbability: step must be an integer in [0, ${total}), got ${step}`);
  return probs[Math.floor((step * probs.length) / total)];
}

/** For each layer, whether its window branch is dropped at this step. */
export function drawSwaDrops(step: number, total: number, layers: number, random: () => number,
  probs: readonly number[] = SSD_PROBABILITIES): boolean[] {
  const p = ssdProbability(step, total, probs);
  return Array.from({ length: layers }, () => random() < p);
}
