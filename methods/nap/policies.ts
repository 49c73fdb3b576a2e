// The four policies compared (spec §4 "Policies"), all choosing one unqueried candidate per state, batched over
// tasks run in lockstep: NAP (argmax of the learned acquisition logits), NP-EI (argmax of the bar distribution's
// EI, the NP head used as a surrogate), GP-EI (Matérn-5/2 ARD GP refitted by MLL at every step) and random.
import { nn, noGrad, tidy } from '../../index.js';
import type { Rng } from '../shared/rl/index.js';
import type { BarDistribution } from './bar.js';
import type { NapModel } from './model.js';
import { argmaxAllowed } from './sampling.js';
import { napInputs, queriedMask, stateFeatures, type Horizon, type SearchState } from './state.js';

export interface Policy {
  name: string;
  choose(states: readonly SearchState[], h: Horizon): Promise<number[]>;
}

const unqueried = (s: SearchState) => queriedMask(s).map((q) => 1 - q);

/** Forward the model on the states and pick, per state, the unqueried candidate with the largest score. */
async function argmaxOfModel(
  model: NapModel,
  states: readonly SearchState[],
  h: Horizon,
  score: (out: ReturnType<NapModel['forward']>) => ReturnType<NapModel['forward']>['acqLogits'],
): Promise<number[]> {
  const s = tidy(() => noGrad(() => score(model.forward(napInputs(states, h)))));
  const values = (await s.data()) as Float32Array;
  s.dispose();
  const N = states[0].task.y.length;
  return states.map((st, b) => argmaxAllowed(values.subarray(b * N, (b + 1) * N), unqueried(st)));
}

export const napPolicy = (model: NapModel, name = 'NAP'): Policy => ({
  name,
  choose: (states, h) => argmaxOfModel(model, states, h, (out) => out.acqLogits),
});

export const npEiPolicy = (model: NapModel, bar: BarDistribution, name = 'NP-EI'): Policy => ({
  name,
  choose: (states, h) =>
    argmaxOfModel(model, states, h, (out) =>
      bar.ei(
        out.bucketLogits,
        states.map((s) => stateFeatures(s, h)[0]),
      ),
    ),
});

/** GP-EI: an exact Matérn-5/2 ARD GP with an output scale, fitted by Adam on the MLL (100 epochs) at every step. */
export function gpEiPolicy(fit: nn.gp.FitOptions = { epochs: 100, lr: 0.03, warmStart: false }): Policy {
  return {
    name: 'GP-EI',
    async choose(states) {
      return states.map((s) => {
        const d = s.task.x[0].length;
        const kernel = nn.gp.scaleKernel(nn.gp.matern52Kernel({ dims: Array.from({ length: d }, (_, i) => i) }));
        const gp = new nn.gp.ExactGP(kernel);
        // ExactGP's EI is for minimisation: fit −y, and the incumbent is min(−y)
        const negY = s.history.map((i) => -s.task.y[i]);
        gp.fit(
          s.history.map((i) => s.task.x[i]),
          negY,
          fit,
        );
        const best = Math.min(...negY);
        const { mean, var: v } = gp.predict(s.task.x);
        const ei = Float64Array.from(mean, (m, j) => nn.gp.expectedImprovement(m, Math.sqrt(v[j]), best));
        return argmaxAllowed(ei, unqueried(s));
      });
    },
  };
}

export const randomPolicy = (rng: Rng): Policy => ({
  name: 'RS',
  async choose(states) {
    return states.map((s) => {
      const open = unqueried(s);
      const idx = Array.from(open.keys()).filter((i) => open[i]);
      return idx[rng.int(idx.length)];
    });
  },
});
