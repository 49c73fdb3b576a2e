// The GRPO paper's synthetic log-linear contextual bandit (§5.1; official bandit code). The environment (features,
// true rewards, preference collection) is plain host code; the greedy policy's evaluation runs on tensors.
// States s ~ U[0,1]², 8 actions, 2 groups. Features φ(s, a, g) ∈ R⁴: for each state dim j the pair
//   [(a/8 + 1)·cos(π s_j), sin(π s_j)/(a/8 + 1)], with the pair's two entries swapped for group 1.
// True rewards r_g(s, a) = θ*_gᵀφ(s, a, g); the policy shares one θ across groups: πθ(a|s, g) ∝ exp(θᵀφ(s, a, g)).
import { readTensors, tensor, tidy } from '../../index.js';
import { randomInt, type Rng } from './random.js';

const F64 = { dtype: 'f64', device: 'cpu' } as const;

export interface GroupLinearBandit {
  stateDim: number;
  actions: number;
  groups: number;
  featureDim: number;
  thetaStar: number[][];
  features(state: readonly number[], action: number, group: number): number[];
  reward(state: readonly number[], action: number, group: number): number;
}

export interface BanditConfig {
  stateDim?: number;
  actions?: number;
  thetaStar?: number[][];
}

export function groupLinearBandit(cfg: BanditConfig = {}): GroupLinearBandit {
  const stateDim = cfg.stateDim ?? 2;
  const actions = cfg.actions ?? 8;
  const thetaStar = cfg.thetaStar ?? [[1, 3, 1, 3], [3, 1, 3, 1]];
  const features = (s: readonly number[], a: number, g: number): number[] => {
    const scale = a / actions + 1;
    return s.flatMap((sj) => {
      const pair = [scale * Math.cos(Math.PI * sj), Math.sin(Math.PI * sj) / scale];
      return g % 2 === 1 ? [pair[1], pair[0]] : pair;
    });
  };
  const reward = (s: readonly number[], a: number, g: number) => dot(thetaStar[g], features(s, a, g));
  return { stateDim, actions, groups: thetaStar.length, featureDim: 2 * stateDim, thetaStar, features, reward };
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export interface PreferenceSet {
  /** rows Y_i = φ(s, y_w, g) − φ(s, y_l, g) */
  Y: number[][];
  group: number[];
}

/**
 * 'even': both actions uniform with a1 ≠ a2. 'uneven': group 0 compares a with a ± 1 (close actions, a hard
 * group), reflected at the ends as the official data code does (a + 1 past the last action becomes a − 1, a − 1
 * below 0 becomes a + 1), so every group-0 pair stays a neighbour pair; group 1 compares a with a + 4 (mod 8).
 * Group g gets round(n·shares[g]) pairs; the label is deterministic (the higher true reward wins).
 */
export function collectPreferences(env: GroupLinearBandit, n: number, shares: readonly number[], mode: 'even' | 'uneven', rng: Rng): PreferenceSet {
  const Y: number[][] = [];
  const group: number[] = [];
  shares.forEach((share, g) => {
    for (let k = 0; k < Math.round(n * share); k++) {
      const s = Array.from({ length: env.stateDim }, () => rng());
      const a1 = randomInt(rng, env.actions);
      const a2 = comparedAction(mode, g, a1, env.actions, rng);
      const [w, l] = env.reward(s, a1, g) >= env.reward(s, a2, g) ? [a1, a2] : [a2, a1];
      const fw = env.features(s, w, g);
      const fl = env.features(s, l, g);
      Y.push(fw.map((v, j) => v - fl[j]));
      group.push(g);
    }
  });
  return { Y, group };
}

/** The action a1 is compared with: any other action (even); a neighbour (uneven, group 0); a1 + K/2 mod K (uneven, group 1). */
export function comparedAction(mode: 'even' | 'uneven', group: number, a1: number, actions: number, rng: Rng): number {
  if (mode === 'even') return (a1 + 1 + randomInt(rng, actions - 1)) % actions;
  if (group === 0) return neighbourAction(a1, rng() < 0.5 ? 1 : -1, actions);
  return (a1 + actions / 2) % actions;
}

/** a1 + step (step = ±1), reflected back to a1 − step when it would leave 0..actions−1 (official uneven data rule). */
export function neighbourAction(a1: number, step: 1 | -1, actions: number): number {
  const a2 = a1 + step;
  return a2 >= 0 && a2 < actions ? a2 : a1 - step;
}

/**
 * Relative reward gap of the greedy policy per group, (r*_g − r_g(π̂))/r*_g, with r*_g = E_s max_a r_g(s, a) and
 * r_g(π̂) = E_s r_g(s, argmax_a θᵀφ(s, a, g)) over the given states; batched over seeds (θ and states per seed).
 * Returns [seed][group].
 */
export async function greedyRewardError(env: GroupLinearBandit, theta: readonly (readonly number[])[], states: readonly (readonly number[])[][]): Promise<number[][]> {
  const [S, E, A, d] = [theta.length, states[0].length, env.actions, env.featureDim];
  const perGroup = env.thetaStar.map((thetaStar, g) => tidy(() => {
    const phi = new Float64Array(S * E * A * d); // φ(s, a, g) for every seed, state and action: [S, E·A, d]
    states.forEach((seedStates, si) => seedStates.forEach((st, e) => {
      for (let a = 0; a < A; a++) phi.set(env.features(st, a, g), ((si * E + e) * A + a) * d);
    }));
    const features = tensor(phi, { shape: [S, E * A, d], ...F64 });
    const reward = features.matmul(tensor(thetaStar, F64).unsqueeze(-1)).reshape([S, E, A]);
    const score = features.matmul(tensor(theta as number[][], F64).unsqueeze(-1)).reshape([S, E, A]);
    const got = reward.gather(-1, score.argmax(-1, true)).sum([1, 2]);
    const best = reward.amax(-1).sum(-1);
    return best.sub(got).div(best);
  }));
  const values = await readTensors(perGroup);
  perGroup.forEach((t) => t.dispose());
  return Array.from({ length: S }, (_, si) => values.map((v) => v[si]));
}
