// Target networks: θ_targ ← (1 − τ)·θ_targ + τ·θ (Polyak averaging, as in DDPG/SAC/LAC with τ = 0.005).
import { noGrad, nn, tidy } from '../../../index.js';

function pairs(target: nn.Module, online: nn.Module) {
  const t = target.parameters();
  const o = online.parameters();
  if (t.length !== o.length) throw new Error(`polyakUpdate: target has ${t.length} parameters, online has ${o.length}`);
  t.forEach((p, i) => {
    if (p.shape.join() !== o[i].shape.join())
      throw new Error(`polyakUpdate: parameter ${i} shapes differ: [${p.shape}] vs [${o[i].shape}]`);
  });
  return t.map((p, i) => [p, o[i]] as const);
}

export function polyakUpdate(target: nn.Module, online: nn.Module, tau: number): void {
  if (!(tau >= 0 && tau <= 1)) throw new Error(`polyakUpdate: tau must lie in [0, 1], got ${tau}`);
  noGrad(() =>
    tidy(() => {
      for (const [t, o] of pairs(target, online)) t.mul_(1 - tau).add_(o.mul(tau));
    }),
  );
}

/** θ_targ ← θ (the initial hard copy). */
export function hardUpdate(target: nn.Module, online: nn.Module): void {
  polyakUpdate(target, online, 1);
}
