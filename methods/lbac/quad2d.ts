// The planar quadrotor of Dawson et al.'s neural_clbf (systems/quad2d.py) with the obstacle task of its Quad2D
// experiment (safe/unsafe masks), as the LBAC spec §3 fixes it:
//   state s = [px, pz, θ, vx, vz, ω], action a ∈ [−1, 1]² → thrusts u_R = m·g/2 + 4·a_R, u_L = m·g/2 + 4·a_L
//   ṗ = v, θ̇ = ω,  v̇x = −(u_R + u_L)·sinθ/m,  v̇z = (u_R + u_L)·cosθ/m − g,  ω̇ = r·(u_R − u_L)/I
// One 0.02 s control step is 4 semi-implicit Euler substeps: accelerations from the current state, then
// velocities, then positions and angle from the new velocities.

export interface QuadParams {
  mass: number;
  inertia: number;
  /** arm length r */
  arm: number;
  gravity: number;
  /** thrust per unit action (N) */
  thrustScale: number;
  /** control period (s) */
  dt: number;
  substeps: number;
}

export const QUAD_PARAMS: QuadParams = {
  mass: 1,
  inertia: 0.01,
  arm: 0.25,
  gravity: 9.81,
  thrustScale: 4,
  dt: 0.02,
  substeps: 4,
};

/** The state after one control step with action [a_R, a_L] (clipped to [−1, 1]); the input is not modified. */
export function quad2dStep(
  state: ArrayLike<number>,
  action: ArrayLike<number>,
  p: QuadParams = QUAD_PARAMS,
): Float64Array {
  if (state.length !== 6)
    throw new Error(`quad2dStep: state needs 6 values [px, pz, θ, vx, vz, ω], got ${state.length}`);
  if (action.length !== 2) throw new Error(`quad2dStep: action needs 2 values [a_R, a_L], got ${action.length}`);
  const clip = (v: number) => Math.max(-1, Math.min(1, v));
  const hover = (p.mass * p.gravity) / 2;
  const uR = hover + p.thrustScale * clip(action[0]);
  const uL = hover + p.thrustScale * clip(action[1]);
  let [px, pz, th, vx, vz, om] = Array.from(state);
  const h = p.dt / p.substeps;
  for (let k = 0; k < p.substeps; k++) {
    const ax = (-(uR + uL) * Math.sin(th)) / p.mass;
    const az = ((uR + uL) * Math.cos(th)) / p.mass - p.gravity;
    const alpha = (p.arm * (uR - uL)) / p.inertia;
    vx += h * ax;
    vz += h * az;
    om += h * alpha;
    px += h * vx;
    pz += h * vz;
    th += h * om;
  }
  return Float64Array.of(px, pz, th, vx, vz, om);
}

const norm = (s: ArrayLike<number>) => Math.hypot(...Array.from(s));
const inBox = (x: number, z: number, [x0, x1, z0, z1]: readonly number[]) => x >= x0 && x <= x1 && z >= z0 && z <= z1;

/** The obstacles [x0, x1, z0, z1] of the unsafe set, and their inflated versions bounding the safe set. */
export const OBSTACLES = [
  [-1, -0.5, -0.4, 0.5],
  [0, 1, 0.8, 1.4],
] as const;
export const SAFE_MARGIN_BOXES = [
  [-1.1, -0.4, -0.5, 0.6],
  [-0.1, 1.1, 0.7, 1.5],
] as const;
export const FLOOR_UNSAFE = -0.3;
export const FLOOR_SAFE = -0.1;

export function isUnsafe(s: ArrayLike<number>): boolean {
  return s[1] <= FLOOR_UNSAFE || OBSTACLES.some((b) => inBox(s[0], s[1], b)) || norm(s) >= 7;
}

export function isSafe(s: ArrayLike<number>): boolean {
  return s[1] >= FLOOR_SAFE && !SAFE_MARGIN_BOXES.some((b) => inBox(s[0], s[1], b)) && norm(s) <= 4.5;
}

/** Near the origin (the goal position), nearly level and slow, and safe. */
export function isGoal(s: ArrayLike<number>): boolean {
  return (
    Math.hypot(s[0], s[1]) <= 0.3 &&
    Math.abs(s[2]) <= 1 &&
    Math.hypot(s[3], s[4]) <= 1 &&
    Math.abs(s[5]) <= 1 &&
    isSafe(s)
  );
}

/** The network input: [px/2, pz/2, sin θ, cos θ, vx/2, vz/2, ω/2π] (sin/cos because θ winds under fast rotation). */
export function observe(s: ArrayLike<number>): Float64Array {
  return Float64Array.of(s[0] / 2, s[1] / 2, Math.sin(s[2]), Math.cos(s[2]), s[3] / 2, s[4] / 2, s[5] / (2 * Math.PI));
}
export const OBS_DIM = 7;
export const ACT_DIM = 2;
