// The interface every optimiser of the benchmark implements (MCBO OptimizerBase): ask for a point, tell its value.
import type { X } from './space.js';

export interface Solver {
  readonly name: string;
  /** the next point to evaluate (batches are not supported: n must be 1) */
  suggest(n?: number): X[];
  observe(x: X, y: number): void;
}

export function checkBatch(solver: string, n: number): void {
  if (n !== 1) throw new Error(`mcbo.${solver}.suggest: only n = 1 is supported (sequential BO), got n = ${n}`);
}
