// The squashed-Gaussian policy of SAC (Haarnoja et al. 2018, appendix C): an MLP gives the mean and log-std of
// u ~ N(μ(s), σ(s)²), the action is a = tanh(u) ∈ (−1, 1)^d, and by the change of variables
//   log π(a|s) = Σ_j [ log N(u_j; μ_j, σ_j) − log(1 − tanh²(u_j)) ],
// with log(1 − tanh² u) = 2·(log 2 − u − softplus(−2u)) for numerical stability (as SpinningUp's SAC).
// Sampling is reparameterised (u = μ + σ·ε), so gradients reach the policy through the action.
import { randn, softplus, type Tensor } from '../../../index.js';
import { CPU64, mlp } from './networks.js';
import { nn } from '../../../index.js';
import type { Rng } from './random.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(u; mean, exp(logStd)) − log(1 − tanh²u), summed over the last dim: [B, d] → [B]. */
export function squashedGaussianLogProb(u: Tensor, mean: Tensor, logStd: Tensor): Tensor {
  const z = u.sub(mean).div(logStd.exp());
  const gaussian = z.square().mul(-0.5).sub(logStd).sub(HALF_LOG_2PI);
  const logDetTanh = u
    .neg()
    .sub(softplus(u.mul(-2)))
    .add(Math.log(2))
    .mul(2);
  return gaussian.sub(logDetTanh).sum(-1);
}

export interface ActorOptions {
  hidden?: readonly number[];
  /** the log-std is clipped to this range (LAC/SAC codes use [−20, 2]; the LBAC spec [−5, 1]) */
  logStdMin?: number;
  logStdMax?: number;
}

export class SquashedGaussianActor extends nn.Module {
  net: nn.Sequential;
  readonly logStdMin: number;
  readonly logStdMax: number;

  constructor(
    readonly obsDim: number,
    readonly actDim: number,
    opts: ActorOptions = {},
  ) {
    super();
    this.net = mlp([obsDim, ...(opts.hidden ?? [64, 64]), 2 * actDim]);
    this.logStdMin = opts.logStdMin ?? -5;
    this.logStdMax = opts.logStdMax ?? 1;
  }

  /** mean and clipped log-std of the pre-squash Gaussian, each [B, d] */
  forward(obs: Tensor): { mean: Tensor; logStd: Tensor } {
    const out = this.net.forward(obs) as Tensor;
    return {
      mean: out.narrow(-1, 0, this.actDim),
      logStd: out.narrow(-1, this.actDim, this.actDim).clamp(this.logStdMin, this.logStdMax),
    };
  }

  /** A reparameterised sample a = tanh(μ + σ·ε) with its log-probability; `rng` seeds the noise ε. */
  sample(obs: Tensor, rng: Rng): { action: Tensor; logProb: Tensor } {
    const { mean, logStd } = this.forward(obs);
    const eps = randn(mean.shape, { ...CPU64, seed: rng.nextSeed() });
    const u = mean.add(logStd.exp().mul(eps));
    return { action: u.tanh(), logProb: squashedGaussianLogProb(u, mean, logStd) };
  }

  /** The deterministic action tanh(μ(s)) used for evaluation. */
  meanAction(obs: Tensor): Tensor {
    return this.forward(obs).mean.tanh();
  }
}
