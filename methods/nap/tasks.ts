// The two task families of the small-scale experiment (spec §5): pools of N candidates uniform in [0, 1]^d with
// objective values min-max normalised to [0, 1] per task (to be maximised).
//   GP family: f ~ GP(0, Matérn-5/2) with ARD lengthscales ℓ_i ~ U[0.1, 0.4] and noise 1e-4 (exact f64 draw).
//   Hartmann-3 family: y = Σ_i α_i exp(−Σ_j A_ij (z_j − P_ij)²) at z = clip(x + δ), one shift δ ~ U[−0.1, 0.1]³
//   per task, so every task shares the Hartmann landscape that meta-learning can exploit.
import { nn } from '../../index.js';
import type { Rng } from '../shared/rl/index.js';

export interface Task {
  /** N candidate points, each of d coordinates in [0, 1] */
  x: Float64Array[];
  /** their objective values, min-max normalised to [0, 1] */
  y: Float64Array;
}

export interface TaskFamily {
  name: string;
  d: number;
  n: number;
  sample(rng: Rng): Task;
}

/** (y − min) / (max − min); a constant vector maps to zeros. */
export function minMaxNormalise(y: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < y.length; i++) [lo, hi] = [Math.min(lo, y[i]), Math.max(hi, y[i])];
  const span = hi - lo;
  return Float64Array.from(y, (v) => (span > 0 ? (v - lo) / span : 0));
}

const uniformPool = (rng: Rng, n: number, d: number): Float64Array[] =>
  Array.from({ length: n }, () => Float64Array.from({ length: d }, () => rng.uniform()));

export interface GpFamilyOptions {
  n: number;
  d: number;
  lengthscaleRange?: [number, number];
  noise?: number;
}

export function gpTaskFamily(opts: GpFamilyOptions): TaskFamily {
  const [lo, hi] = opts.lengthscaleRange ?? [0.1, 0.4];
  const kernel = nn.gp.matern52Kernel({ dims: Array.from({ length: opts.d }, (_, i) => i) });
  return {
    name: `gp${opts.d}d`,
    d: opts.d,
    n: opts.n,
    sample(rng) {
      const x = uniformPool(rng, opts.n, opts.d);
      const logScales = Float64Array.from({ length: opts.d }, () => Math.log(rng.range(lo, hi)));
      const f = nn.gp.samplePrior(kernel, x, logScales, rng.uniform, { noise: opts.noise ?? 1e-4 });
      return { x, y: minMaxNormalise(f) };
    },
  };
}

const H3_ALPHA = [1, 1.2, 3, 3.2];
const H3_A = [
  [3, 10, 30],
  [0.1, 10, 35],
  [3, 10, 30],
  [0.1, 10, 35],
];
const H3_P = [
  [3689, 1170, 2673],
  [4699, 4387, 7470],
  [1091, 8732, 5547],
  [381, 5743, 8828],
].map((row) => row.map((v) => v * 1e-4));

/** The (positive, to be maximised) Hartmann-3 function; its maximum 3.86278 lies at (0.1146, 0.5556, 0.8525). */
export function hartmann3(z: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let e = 0;
    for (let j = 0; j < 3; j++) e += H3_A[i][j] * (z[j] - H3_P[i][j]) ** 2;
    s += H3_ALPHA[i] * Math.exp(-e);
  }
  return s;
}

export function hartmannTaskFamily(opts: { n: number; shift?: number }): TaskFamily {
  const shift = opts.shift ?? 0.1;
  return {
    name: 'hartmann3',
    d: 3,
    n: opts.n,
    sample(rng) {
      const x = uniformPool(rng, opts.n, 3);
      const delta = [0, 1, 2].map(() => rng.range(-shift, shift));
      const y = x.map((p) => hartmann3(Array.from(p, (v, j) => Math.min(1, Math.max(0, v + delta[j])))));
      return { x, y: minMaxNormalise(y) };
    },
  };
}

/** A fixed list of tasks (validation or test set) drawn from one seed. */
export function fixedTasks(family: TaskFamily, count: number, rng: Rng): Task[] {
  return Array.from({ length: count }, () => family.sample(rng));
}
