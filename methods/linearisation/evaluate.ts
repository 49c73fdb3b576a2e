// Evaluation of a model in one attention mode: local and recall accuracy (percent) on held-out batches, and ρ per
// layer, the linear branch's share of attention mass over queries i ≥ W on the recall sequences.
import { nn, noGrad, tidy, type DeviceName } from '../../index.js';
import { countCorrect, tokenTensor } from './metrics.js';
import { laMassFraction } from './hybridAttention.js';
import type { Batch } from './task.js';

export interface EvalResult {
  local: number;
  recall: number;
  rho: number[];
}

export async function evaluate(model: nn.GPT, data: { filler: Batch[]; recall: Batch[] }, window: number, device: DeviceName): Promise<EvalResult> {
  const local: [number, number] = [0, 0];
  const recall: [number, number] = [0, 0];
  const rhoSums = new Array(model.blocks.length).fill(0);
  let rhoBatches = 0;
  for (const [kind, batches] of [['filler', data.filler], ['recall', data.recall]] as const) {
    for (const batch of batches) {
      const { logits, rho } = tidy(() => noGrad(() => {
        const out = model.forward(tokenTensor(batch, device));
        return { logits: out.logits, rho: (out.linearShare ?? []).map((share) => laMassFraction(share, window)) };
      }));
      const c = await countCorrect(logits, batch);
      local[0] += c.local[0]; local[1] += c.local[1];
      recall[0] += c.recall[0]; recall[1] += c.recall[1];
      if (kind === 'recall' && rho.length) {
        const values = await Promise.all(rho.map((r) => r.item()));
        values.forEach((v, l) => { rhoSums[l] += v; });
        rhoBatches++;
      }
      logits.dispose();
      rho.forEach((r) => r.dispose());
    }
  }
  const pct = ([hit, n]: [number, number]) => (n ? (100 * hit) / n : NaN);
  return { local: pct(local), recall: pct(recall), rho: rhoSums.map((s) => (rhoBatches ? s / rhoBatches : 0)) };
}
