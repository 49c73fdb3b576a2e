// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay (torch.optim.SGD).
import type { Tensor } from '../../core/index.js';
import { Optimizer, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';
import { runUpdate } from '../../ops/fused-update.js';
import { SGD_MOMENTUM, SGD_PLAIN } from './fused.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Iterable<Tensor> | ParamGroupInput<SGDOptions>[], opts: Partial<SGDOptions> = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...opts });
  }

  protected validate(g: ParamGroup<SGDOptions>): void {
    super.validate(g);
    if (!(g.momentum >= 0)) throw new Error(`SGD: invalid momentum ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new Error(`SGD: invalid weightDecay ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }

  protected stateBuffers(g: ParamGroup<SGDOptions>): string[] {
    return g.momentum > 0 ? ['momentumBuffer'] : [];
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<SGDOptions>): void {
    const buffer = state.momentumBuffer as Tensor | undefined;
    const hyper = [g.lr, g.momentum, g.dampening, g.weightDecay, Number(g.nesterov), Number(state.step === 0)];
    if (g.momentum > 0 && buffer) runUpdate(SGD_MOMENTUM, p, grad, [buffer], hyper);
    else runUpdate(SGD_PLAIN, p, grad, [], hyper);
    state.step++;
  }
}
