// Cross-entropy with class-index targets, fused: the threads of a row of logits (the class dim, read through its
// stride; shaders/rows.ts) compute the log-sum-exp stably and pick the target's logit, so no log-probabilities
// are stored:
//   loss = (1 - eps) w[t] (lse - x[t]) + eps / C * sum_c w[c] (lse - x[c]),   lse = m + log sum_c exp(x[c] - m),
// with eps the label smoothing, w the class weights (1 without), m the row max. A target equal to ignoreIndex gives 0;
// any other target outside [0, C) gives NaN (the kernel cannot raise an error).
//
// Row tensors (shaders/rows.ts): the logits, the targets (i32) and the per-row losses, the last two with row stride
// 0; the class weights when given; uniforms ignoreIndex and label smoothing. Half-width floats are computed in f32.
import type { DType } from '../core/dtype.js';
import type { Kernel } from './kernel.js';
import { rowGridKey, rowKernel, rowSource, type RowGrid } from './rows.js';

export interface CrossEntropyKernel { input: DType; weight: boolean; smoothing: boolean; grid: RowGrid }

export const crossEntropyKey = (k: CrossEntropyKernel): string =>
  `xent|${k.input}|${k.weight ? 'w' : ''}${k.smoothing ? 's' : ''}|${rowGridKey(k.grid)}`;

export const crossEntropyKernel = (k: CrossEntropyKernel): Kernel =>
  rowKernel(
    'crossEntropy',
    {
      logits: { dtype: k.input },
      targets: { dtype: 'i32' },
      out: { dtype: k.input, write: true },
      ...(k.weight ? { weight: { dtype: k.input } } : {}),
    },
    ['logits', 'targets', 'out'],
    { ignoreIndex: 1, smoothing: 1 },
  );

export function crossEntropySource(k: CrossEntropyKernel): string {
  const x = (j: string) => `load_logits(base.x + ${j} * rs.x)`;
  const w = (j: string) => (k.weight ? `load_weight(${j})` : '1.0');
  const smoothSums = k.smoothing ? `
  var swx = 0.0;
  var sw = 0.0;
  for (var j = lane; j < L; j += TPR) { swx += ${w('j')} * ${x('j')}; sw += ${w('j')}; }
  swx = row_sum(swx, lid);
  sw = row_sum(sw, lid);` : '';
  const smoothTerm = k.smoothing ? ` + eps / f32(L) * (sw * lse - swx)` : '';
  return rowSource(crossEntropyKernel(k), k.grid, `
  var m = -inf_f32();
  for (var j = lane; j < L; j += TPR) { m = max_nan(m, ${x('j')}); }
  m = row_max(m, lid);
  var s = 0.0;
  for (var j = lane; j < L; j += TPR) { s += exp(${x('j')} - m); }
  s = row_sum(s, lid);${smoothSums}
  if (lane == 0u && has_row) {
    let t = load_targets(base.y);
    let eps = uwf(W_smoothing);
    let lse = select(m + log(s), nan_f32(), is_nan(m) || is_inf(m));
    var loss = 0.0;
    if (t != uwi(W_ignoreIndex)) {
      if (t < 0 || u32(t) >= L) {
        loss = nan_f32();
      } else {
        let c = u32(t);
        loss = (1.0 - eps) * ${w('c')} * (lse - ${x('c')})${smoothTerm};
      }
    }
    store_out(base.z, loss);
  }`);
}
