// Kernels built from kernels: an output scale σ² k (gpytorch's ScaleKernel) and CoCaBO's mixture
// (1 − λ)(k_cat + k_num) + λ k_cat·k_num with λ fixed. Their gradients reweight W and pass it to the parts.
import { checkParams, clampLog, type Kernel } from './kernel.js';

/** σ² k with raw parameter log σ² first, then the inner kernel's parameters. */
export function scaleKernel(inner: Kernel): Kernel {
  const nInner = inner.paramNames.length;
  const kernel: Kernel = {
    name: `scaleKernel(${inner.name})`,
    paramNames: ['outputscale', ...inner.paramNames],
    initialParams: () => Float64Array.of(Math.log(2), ...inner.initialParams()), // softplus(0) as in gpytorch
    clampParams(p) {
      clampLog(p, 0, 1, -10, 10);
      inner.clampParams(p.subarray(1));
    },
    matrix(x1, x2, p) {
      checkParams(kernel, p);
      const k = inner.matrix(x1, x2, p.subarray(1));
      const s = Math.exp(p[0]);
      for (let i = 0; i < k.length; i++) k[i] *= s;
      return k;
    },
    diag(x, p) {
      const d = inner.diag(x, p.subarray(1));
      const s = Math.exp(p[0]);
      for (let i = 0; i < d.length; i++) d[i] *= s;
      return d;
    },
    gradContract(x, p, w) {
      checkParams(kernel, p);
      const s = Math.exp(p[0]);
      const k = inner.matrix(x, x, p.subarray(1));
      let gs = 0;
      for (let i = 0; i < k.length; i++) gs += w[i] * k[i] * s; // ∂(σ²k)/∂ log σ² = σ² k
      const scaled = Float64Array.from(w, (v) => v * s);
      return Float64Array.of(gs, ...(nInner ? inner.gradContract(x, p.subarray(1), scaled) : []));
    },
    refresh: inner.refresh ? (rng) => inner.refresh!(rng) : undefined,
  };
  return kernel;
}

/** (1 − λ)(k_cat + k_num) + λ k_cat k_num, parameters [...cat, ...num]. */
export function mixtureKernel(kCat: Kernel, kNum: Kernel, lambda = 0.5): Kernel {
  if (!(lambda >= 0 && lambda <= 1)) throw new Error(`gp.mixtureKernel: lambda must lie in [0, 1], got ${lambda}`);
  const nc = kCat.paramNames.length;
  const split = (p: Float64Array) => [p.subarray(0, nc), p.subarray(nc)] as const;
  const combine = (c: Float64Array, n: Float64Array) => c.map((v, i) => (1 - lambda) * (v + n[i]) + lambda * v * n[i]);
  const kernel: Kernel = {
    name: `mixtureKernel(${kCat.name}, ${kNum.name})`,
    paramNames: [...kCat.paramNames, ...kNum.paramNames],
    initialParams: () => Float64Array.of(...kCat.initialParams(), ...kNum.initialParams()),
    clampParams(p) {
      const [pc, pn] = split(p);
      kCat.clampParams(pc);
      kNum.clampParams(pn);
    },
    matrix(x1, x2, p) {
      checkParams(kernel, p);
      const [pc, pn] = split(p);
      return combine(kCat.matrix(x1, x2, pc), kNum.matrix(x1, x2, pn));
    },
    diag(x, p) {
      const [pc, pn] = split(p);
      return combine(kCat.diag(x, pc), kNum.diag(x, pn));
    },
    gradContract(x, p, w) {
      checkParams(kernel, p);
      const [pc, pn] = split(p);
      const kc = kCat.matrix(x, x, pc);
      const kn = kNum.matrix(x, x, pn);
      // ∂k/∂θ_cat = ((1 − λ) + λ k_num) ∂k_cat/∂θ_cat, and symmetrically
      const wc = w.map((v, i) => v * (1 - lambda + lambda * kn[i]));
      const wn = w.map((v, i) => v * (1 - lambda + lambda * kc[i]));
      return Float64Array.of(...kCat.gradContract(x, pc, wc), ...kNum.gradContract(x, pn, wn));
    },
    refresh:
      kCat.refresh || kNum.refresh
        ? (rng) => {
            kCat.refresh?.(rng);
            kNum.refresh?.(rng);
          }
        : undefined,
  };
  return kernel;
}
