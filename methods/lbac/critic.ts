// The Lyapunov-barrier critic L_φ(s, a) = ‖f_φ(s, a)‖² with f_φ ∈ R^16 (spec §3, after LAC's L-critic, which is
// a sum of squares so that L ≥ 0 holds by construction), and the pieces of its loss.
import { cat, nn, type Tensor } from '../../index.js';
import { mlp } from '../shared/rl/index.js';

export class LyapunovCritic extends nn.Module {
  net: nn.Sequential;
  constructor(obsDim: number, actDim: number, hidden: readonly number[] = [64, 64], features = 16) {
    super();
    this.net = mlp([obsDim + actDim, ...hidden, features]);
  }
  /** L(s, a), [B] */
  forward(obs: Tensor, action: Tensor): Tensor {
    return (this.net.forward(cat([obs, action], -1)) as Tensor).square().sum(-1);
  }
}

/**
 * The TD target of L (spec §3, "Target"), all [B] with 0/1 masks:
 *   y = c_u                       if s′ is unsafe (terminal),
 *   y = c(s)                      if s′ is a goal state (absorbing, L = 0 there),
 *   y = c(s) + γ·L̄(s′, a′)        otherwise (time-limit cuts bootstrap too).
 */
export function lyapunovTarget(
  cost: Tensor,
  nextGoal: Tensor,
  nextUnsafe: Tensor,
  nextL: Tensor,
  gamma: number,
  cUnsafe: number,
): Tensor {
  const bootstrap = cost.add(nextGoal.neg().add(1).mul(gamma).mul(nextL));
  return nextUnsafe.mul(cUnsafe).add(nextUnsafe.neg().add(1).mul(bootstrap));
}

/** relu(c + ε − L): positive while an unsafe state's L is not above the level by the margin ε. */
export const unsafeHinge = (L: Tensor, level: number, eps: number): Tensor =>
  L.neg()
    .add(level + eps)
    .relu();

/** relu(L − c + ε): positive while a safe state's L is not below the level by the margin ε. */
export const safeHinge = (L: Tensor, level: number, eps: number): Tensor => L.sub(level - eps).relu();

/** mean of `values` over the rows where `mask` is 1 (0 when no row is), [B] → scalar. */
export const maskedMean = (values: Tensor, mask: Tensor): Tensor =>
  values.mul(mask).sum().div(mask.sum().clamp(1, null));
