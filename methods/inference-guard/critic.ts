// The latent critic V_ψ(h, z) (spec §3, §5): an MLP on the frozen LM's last-layer hidden state h of a prefix and
// the remaining budget z, regressed on the augmented return G = r·1[z_T ≥ 0] − n·1[z_T < 0] [R: the target form]
// of base-model rollouts, at every prefix and several budgets d′ per rollout (so it can rank by remaining budget).
import { nn, optim, tensor, tidy, noGrad, mseLoss, manualSeed, type DeviceName } from '../../index.js';
import { budgetTrajectory, augmentedReturn } from './safety-state.js';
import { reward, tokenCost, topicOf, EOS } from './world.js';

export interface CriticRow {
  h: Float32Array;
  z: number;
  target: number;
  /** the rollout ended within its budget (z_T ≥ 0) */
  safe: boolean;
}

/** The last hidden state at every position of prompt + continuation: [T + 1] states, from the prompt's last token on. */
export async function prefixHiddens(
  lm: nn.GPT,
  prompts: number[][],
  continuations: number[][],
): Promise<Float32Array[][]> {
  const L = Math.max(...prompts.map((p, i) => p.length + continuations[i].length));
  const E = lm.config.nEmbd;
  const rows = prompts.map((p, i) => [
    ...p,
    ...continuations[i],
    ...new Array(L - p.length - continuations[i].length).fill(EOS),
  ]);
  const finalT = tidy(() =>
    noGrad(
      () =>
        lm.forward(
          tensor(Int32Array.from(rows.flat()), { shape: [rows.length, L], dtype: 'i32', device: lm.wte.weight.device }),
        ).final,
    ),
  );
  const flat = await finalT.data();
  finalT.dispose();
  return prompts.map((p, i) =>
    Array.from({ length: continuations[i].length + 1 }, (_, t) => {
      const at = (i * L + p.length - 1 + t) * E;
      return Float32Array.from(flat.subarray(at, at + E));
    }),
  );
}

/** Critic rows of one rollout: every prefix t = 0..T at each budget d′, with target augmentedReturn(r, z_T, n). */
export function criticRows(
  prompt: number[],
  continuation: number[],
  hiddens: Float32Array[],
  budgets: number[],
  n: number,
): CriticRow[] {
  const r = reward(topicOf(prompt), continuation);
  const costs = continuation.map(tokenCost);
  return budgets.flatMap((d) => {
    const z = budgetTrajectory(d, costs);
    const zT = z[z.length - 1];
    return hiddens.map((h, t) => ({ h, z: z[t], target: augmentedReturn(r, zT, n), safe: zT >= 0 }));
  });
}

export class Critic {
  readonly net: nn.MLP;
  constructor(
    hiddenSize: number,
    width: number,
    seed: number,
    readonly device: DeviceName,
  ) {
    manualSeed(seed);
    this.net = new nn.MLP(hiddenSize + 1, { hidden: width, outDim: 1, device });
  }

  /** V(h, z) for a batch. */
  async values(h: readonly Float32Array[], z: readonly number[]): Promise<number[]> {
    if (h.length !== z.length) throw new Error(`Critic.values: ${h.length} hidden states but ${z.length} budgets`);
    if (!h.length) return [];
    const out = tidy(() => noGrad(() => this.net.forward(this.inputs(h, z)).reshape([-1])));
    const v = Array.from(await out.data());
    out.dispose();
    return v;
  }

  inputs(h: readonly Float32Array[], z: readonly number[]) {
    const E = h[0].length;
    const x = new Float32Array(h.length * (E + 1));
    h.forEach((row, i) => {
      x.set(row, i * (E + 1));
      x[i * (E + 1) + E] = z[i];
    });
    return tensor(x, { shape: [h.length, E + 1], device: this.device });
  }
}

export interface CriticTraining {
  epochs: number;
  lr: number;
  batch: number;
  width: number;
  seed: number;
  device: DeviceName;
}

/** Adam on the mean squared error to the augmented return, shuffled minibatches. */
export async function trainCritic(
  rows: CriticRow[],
  opts: CriticTraining,
  onEpoch?: (epoch: number, loss: number) => void,
): Promise<Critic> {
  if (!rows.length) throw new Error('trainCritic: no rows');
  const critic = new Critic(rows[0].h.length, opts.width, opts.seed, opts.device);
  const adam = new optim.Adam(critic.net.parameters(), { lr: opts.lr });
  const random = nn.data.seededRandom(opts.seed);
  const order = rows.map((_, i) => i);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let total = 0;
    for (let s = 0; s < order.length; s += opts.batch) {
      const batch = order.slice(s, s + opts.batch).map((i) => rows[i]);
      const loss = tidy(() => {
        adam.zeroGrad();
        const pred = critic.net
          .forward(
            critic.inputs(
              batch.map((r) => r.h),
              batch.map((r) => r.z),
            ),
          )
          .reshape([-1]);
        const l = mseLoss(pred, tensor(Float32Array.from(batch.map((r) => r.target)), { device: opts.device }));
        l.backward();
        adam.step();
        return l;
      });
      total += (await loss.item()) * batch.length;
      loss.dispose();
    }
    onEpoch?.(epoch, total / order.length);
  }
  adam.zeroGrad();
  return critic;
}

/** Area under the ROC curve of `score` separating positives from negatives (ties count half). */
export function auc(score: readonly number[], positive: readonly boolean[]): number {
  const pos = score.filter((_, i) => positive[i]);
  const neg = score.filter((_, i) => !positive[i]);
  if (!pos.length || !neg.length) return NaN;
  const sorted = [...score.map((s, i) => ({ s, p: positive[i] }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j].s === sorted[i].s) j++;
    const rank = (i + j + 1) / 2; // mean 1-based rank of the tie group
    for (let k = i; k < j; k++) if (sorted[k].p) rankSum += rank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}
