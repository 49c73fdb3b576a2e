// The fused update kernels' definitions: each is a WGSL body and its JS twin side by side (the cpu reference),
// plus the runner that applies one to a parameter in place, on whichever backend holds it.
import type { Tensor } from '../../core/index.js';
import { castScalar } from '../../core/dtype.js';
import { dispatch } from '../../core/executor.js';
import { pipeline } from '../../shaders/pipelines.js';
import { MetaWriter, grid } from '../../shaders/preamble.js';
import { MAX_HYPER, OPTIM_WG, OW, optimSource } from '../../shaders/optim.js';

export interface UpdateSpec {
  name: string;
  /** how many state tensors (shaped like the parameter) the update reads and writes */
  stateSlots: number;
  /** WGSL statements over p, g, s0.. and hyperparameters h0..; assign the new p and s* */
  wgsl: string;
  /** the same update for one element: returns the new [p, ...state] */
  cpu(p: number, g: number, s: number[], h: readonly number[]): number[];
}

// SGD with momentum (torch.optim.SGD). h: 0 lr, 1 momentum, 2 dampening, 3 weight decay, 4 nesterov (0/1),
// 5 first step (0/1: the buffer starts as the gradient itself). s0 is the momentum buffer.
//   g <- g + wd p;  b <- first ? g : mu b + (1 - dampening) g;  g <- nesterov ? g + mu b : b;  p <- p - lr g
export const SGD_MOMENTUM: UpdateSpec = {
  name: 'sgd-momentum',
  stateSlots: 1,
  wgsl: `let gd = g + h3 * p;
  s0 = select(h1 * s0 + (1.0 - h2) * gd, gd, h5 != 0.0);
  p = p - h0 * select(s0, gd + h1 * s0, h4 != 0.0);`,
  cpu(p, g, [b], [lr, mu, damp, wd, nesterov, first]) {
    const gd = g + wd * p;
    const buf = first ? gd : mu * b + (1 - damp) * gd;
    return [p - lr * (nesterov ? gd + mu * buf : buf), buf];
  },
};

// Plain SGD: p <- p - lr (g + wd p). h: 0 lr, 3 weight decay (same slots as above).
export const SGD_PLAIN: UpdateSpec = {
  name: 'sgd',
  stateSlots: 0,
  wgsl: 'p = p - h0 * (g + h3 * p);',
  cpu: (p, g, _s, [lr, , , wd]) => [p - lr * (g + wd * p)],
};

// Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019) in torch's arrangement.
// h: 0 lr, 1 beta1, 2 beta2, 3 eps, 4 weight decay, 5 decoupled (1 = AdamW), 6 1 - beta1^t, 7 sqrt(1 - beta2^t).
//   AdamW: p <- p (1 - lr wd);  Adam: g <- g + wd p
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
export const ADAM: UpdateSpec = {
  name: 'adam',
  stateSlots: 2,
  wgsl: `let decoupled = h5 != 0.0;
  p = select(p, p * (1.0 - h0 * h4), decoupled);
  let gd = select(g + h4 * p, g, decoupled);
  s0 = h1 * s0 + (1.0 - h1) * gd;
  s1 = h2 * s1 + (1.0 - h2) * gd * gd;
  p = p - (h0 / h6) * s0 / (sqrt(s1) / h7 + h3);`,
  cpu(p, g, [m, v], [lr, b1, b2, eps, wd, decoupled, bc1, bc2Sqrt]) {
    const p1 = decoupled ? p * (1 - lr * wd) : p;
    const gd = decoupled ? g : g + wd * p1;
    const m1 = b1 * m + (1 - b1) * gd;
    const v1 = b2 * v + (1 - b2) * gd * gd;
    return [p1 - (lr / bc1) * m1 / (Math.sqrt(v1) / bc2Sqrt + eps), m1, v1];
  },
};

/**
 * Applies `spec` to `param` in place with gradient `grad` and the state tensors (all contiguous, same device,
 * same element count). f32 on webgpu; any float dtype on the cpu, where each value is rounded to its dtype.
 */
export function runUpdate(spec: UpdateSpec, param: Tensor, grad: Tensor, state: Tensor[], hyper: readonly number[]): void {
  const all = [param, grad, ...state];
  if (state.length !== spec.stateSlots) throw new Error(`internal: ${spec.name} takes ${spec.stateSlots} state tensors`);
  if (hyper.length > MAX_HYPER) throw new Error(`internal: ${spec.name} has more than ${MAX_HYPER} hyperparameters`);
  for (const t of all) {
    t.assertAlive(spec.name);
    if (t.numel !== param.numel || !t.isContiguous() || t.device !== param.device) {
      throw new Error(`${spec.name}: parameter, gradient and state must be contiguous, on one device and of one size; ` +
        `got ${all.map((x) => `[${x.shape}] on ${x.device}`).join(', ')}`);
    }
  }
  if (param.numel === 0) return;
  if (param.device === 'cpu') runCpu(spec, param, grad, state, hyper);
  else runGpu(spec, param, grad, state, hyper);
  for (const t of [param, ...state]) t.storage.version++;
}

function runCpu(spec: UpdateSpec, param: Tensor, grad: Tensor, state: Tensor[], hyper: readonly number[]): void {
  const P = param.storage.cpu!;
  const G = grad.storage.cpu!;
  const S = state.map((s) => s.storage.cpu!);
  const s = new Array<number>(state.length);
  for (let i = 0; i < param.numel; i++) {
    for (let k = 0; k < state.length; k++) s[k] = S[k][state[k].offset + i];
    const [p, ...next] = spec.cpu(P[param.offset + i], G[grad.offset + i], s, hyper);
    P[param.offset + i] = castScalar(param.dtype, p);
    for (let k = 0; k < state.length; k++) S[k][state[k].offset + i] = castScalar(state[k].dtype, next[k]);
  }
}

function runGpu(spec: UpdateSpec, param: Tensor, grad: Tensor, state: Tensor[], hyper: readonly number[]): void {
  for (const t of [param, grad, ...state]) {
    if (t.dtype !== 'f32') throw new Error(`${spec.name}: the fused webgpu update needs f32 tensors, got ${t.dtype}`);
  }
  const m = new MetaWriter().u32(OW.n, param.numel).u32(OW.paramOffset, param.offset).u32(OW.gradOffset, grad.offset);
  state.forEach((s, k) => m.u32(OW.stateOffsets + k, s.offset));
  hyper.forEach((h, j) => m.f32(OW.hyper + j, h));
  const pipe = pipeline(`optim|${spec.name}`, () => optimSource(spec.wgsl, spec.stateSlots));
  dispatch(pipe, [param, grad, ...state].map((t) => t.storage.buffer!), m.words, grid(Math.ceil(param.numel / OPTIM_WG)));
}
