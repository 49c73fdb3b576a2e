// The fused update kernels' definitions: each is a WGSL body and its JS twin side by side (the cpu reference);
// ops/fused-update.ts applies one to a parameter in place, on whichever backend holds it.
import type { UpdateSpec } from '../../ops/fused-update.js';

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
