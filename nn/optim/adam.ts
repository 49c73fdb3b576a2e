// Adam (Kingma & Ba 2015) with L2 weight decay folded into the gradient, and AdamW (Loshchilov & Hutter 2019)
// with decoupled weight decay; torch's defaults and bias correction. One fused dispatch per parameter.
import type { Tensor } from '../../core/index.js';
import { Optimizer, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';
import { runUpdate } from '../../ops/fused-update.js';
import { ADAM } from './fused.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

type Params = Iterable<Tensor> | ParamGroupInput<AdamOptions>[];

export class Adam extends Optimizer<AdamOptions> {
  /** whether weight decay is decoupled from the gradient (AdamW) */
  protected readonly decoupled: boolean = false;

  constructor(params: Params, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...opts });
  }

  protected validate(g: ParamGroup<AdamOptions>): void {
    super.validate(g);
    const name = this.constructor.name;
    g.betas.forEach((b, i) => { if (!(b >= 0 && b < 1)) throw new Error(`${name}: invalid beta${i + 1} ${b} (need 0 <= beta < 1)`); });
    if (!(g.eps >= 0)) throw new Error(`${name}: invalid eps ${g.eps}`);
    if (!(g.weightDecay >= 0)) throw new Error(`${name}: invalid weightDecay ${g.weightDecay}`);
  }

  protected stateBuffers(): string[] {
    return ['expAvg', 'expAvgSq'];
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamOptions>): void {
    state.step++;
    const [b1, b2] = g.betas;
    const t = state.step;
    const hyper = [g.lr, b1, b2, g.eps, g.weightDecay, Number(this.decoupled), 1 - b1 ** t, Math.sqrt(1 - b2 ** t)];
    runUpdate(ADAM, p, grad, [state.expAvg as Tensor, state.expAvgSq as Tensor], hyper);
  }
}

export class AdamW extends Adam {
  protected readonly decoupled = true;

  constructor(params: Params, opts: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...opts });
  }
}
