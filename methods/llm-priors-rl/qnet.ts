// The Q network (spec §3: an MLP on frozen prior features, 64-64-1): Q(s, a) = mlp(feature(s, a)). The same scorer
// gives PPO its policy logits over the admissible actions.
import { noGrad, readTensors, tensor, tidy, type nn, type Tensor } from '../../index.js';
import { CPU64, mlp } from '../shared/rl/index.js';

export function makeQNet(featureDim: number, hidden: readonly number[] = [64, 64]): nn.Sequential {
  return mlp([featureDim, ...hidden, 1]);
}

/** feature rows → [n, d] f64 cpu tensor */
export function featureTensor(rows: readonly Float64Array[]): Tensor {
  if (rows.length === 0) throw new Error('featureTensor: no rows');
  const d = rows[0].length;
  const flat = new Float64Array(rows.length * d);
  rows.forEach((r, i) => flat.set(r, i * d));
  return tensor(flat, { shape: [rows.length, d], ...CPU64 });
}

/** Q(rows) as a differentiable [n] tensor */
export function qForward(net: nn.Sequential, rows: readonly Float64Array[]): Tensor {
  return (net.forward(featureTensor(rows)) as Tensor).squeeze(-1);
}

/** Q(rows) read back to the host, without gradients */
export async function qValues(net: nn.Sequential, rows: readonly Float64Array[]): Promise<Float64Array> {
  const q = tidy(() => noGrad(() => qForward(net, rows)));
  const [v] = await readTensors([q]);
  q.dispose();
  return Float64Array.from(v);
}
