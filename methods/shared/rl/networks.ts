// The small networks of off-policy RL: ReLU MLPs on f64 cpu tensors, a state-action critic and its twin.
// (Tiny RL nets run faster on the cpu backend than through WebGPU dispatches; see the LBAC README's measurement.)
import { cat, minimum, nn, type Tensor } from '../../../index.js';

export const CPU64 = { device: 'cpu', dtype: 'f64' } as const;

/** Linear → ReLU → ... → Linear with the given widths, e.g. mlp([9, 64, 64, 16]). */
export function mlp(widths: readonly number[]): nn.Sequential {
  if (widths.length < 2) throw new Error(`mlp: needs at least input and output widths, got [${widths.join(', ')}]`);
  const layers: (nn.Linear | nn.ReLU)[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    layers.push(new nn.Linear(widths[i], widths[i + 1], CPU64));
    if (i + 2 < widths.length) layers.push(new nn.ReLU());
  }
  return new nn.Sequential(...layers);
}

/** Q(s, a): an MLP on [obs, action] with one output, returned as [B]. */
export class QNetwork extends nn.Module {
  net: nn.Sequential;
  constructor(obsDim: number, actDim: number, hidden: readonly number[] = [64, 64]) {
    super();
    this.net = mlp([obsDim + actDim, ...hidden, 1]);
  }
  forward(obs: Tensor, action: Tensor): Tensor {
    return (this.net.forward(cat([obs, action], -1)) as Tensor).squeeze(-1);
  }
}

/** Two independent Q networks (Fujimoto 2018; SAC): both are regressed on the target, the minimum is used. */
export class TwinQ extends nn.Module {
  q1: QNetwork;
  q2: QNetwork;
  constructor(obsDim: number, actDim: number, hidden: readonly number[] = [64, 64]) {
    super();
    this.q1 = new QNetwork(obsDim, actDim, hidden);
    this.q2 = new QNetwork(obsDim, actDim, hidden);
  }
  /** [Q1, Q2], each [B] */
  forward(obs: Tensor, action: Tensor): [Tensor, Tensor] {
    return [this.q1.forward(obs, action), this.q2.forward(obs, action)];
  }
  /** min(Q1, Q2), [B] */
  min(obs: Tensor, action: Tensor): Tensor {
    const [a, b] = this.forward(obs, action);
    return minimum(a, b);
  }
}
