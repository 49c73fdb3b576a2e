// The gradient of cross-entropy with class-index targets as one row kernel (the loss's backward; ops/
// cross-entropy-backward.ts): per row of logits it recomputes the row max m and s = sum_c exp(x[c] - m) as the
// forward does, then writes, with p = exp(x - m) / s, t the target, w the class weights (1 without), eps the label
// smoothing and g the row's output gradient,
//   dx[c] = g ((1 - eps) w[t] (p[c] - [c == t]) + eps / C (sum(w) p[c] - w[c])),   0 where t == ignoreIndex.
// Composed of tensor ops (a one-hot mask from arange and eq, softmax, products, where) this was 15 dispatches; here
// it is one. A target outside [0, C) that is not ignored gives NaN, as the forward does.
//
// Row tensors (shaders/rows.ts): the logits, the targets (i32) and the output gradient g (both with row stride 0:
// one value per row, g often an expanded scalar with every stride 0), the result dx; the class weights when given;
// uniforms ignoreIndex and label smoothing. Half-width floats are computed in f32.
import type { DType } from '../core/dtype.js';
import type { Kernel } from './kernel.js';
import { rowGridKey, rowKernel, rowSource, type RowGrid } from './rows.js';

export interface CrossEntropyBackwardKernel {
  dtype: DType;
  weight: boolean;
  smoothing: boolean;
  grid: RowGrid;
}

export const crossEntropyBackwardKey = (k: CrossEntropyBackwardKernel): string =>
  `xentBackward|${k.dtype}|${k.weight ? 'w' : ''}${k.smoothing ? 's' : ''}|${rowGridKey(k.grid)}`;

export function crossEntropyBackwardKernel(k: CrossEntropyBackwardKernel): Kernel {
  const d = { dtype: k.dtype };
  return rowKernel(
    'crossEntropyBackward',
    {
      logits: d,
      targets: { dtype: 'i32' },
      grad: d,
      out: { ...d, write: true },
      ...(k.weight ? { weight: d } : {}),
    },
    ['logits', 'targets', 'grad', 'out'],
    { ignoreIndex: 1, smoothing: 1 },
  );
}

export function crossEntropyBackwardSource(k: CrossEntropyBackwardKernel): string {
  const x = 'load_logits(base.x + j * rs.x)';
  const w = (j: string) => (k.weight ? `load_weight(${j})` : '1.0');
  // sum(w): a row reduction with weights, C without
  const weightSum = k.smoothing && k.weight;
  const alpha = k.smoothing ? `(1.0 - eps) * wt + eps * ${weightSum ? 'sw' : 'f32(L)'} / f32(L)` : 'wt';
  const uniform = k.smoothing ? ` - eps / f32(L) * ${w('j')}` : '';
  return rowSource(
    crossEntropyBackwardKernel(k),
    k.grid,
    `
  var t = 0;
  var g = 0.0;
  if (has_row) {
    t = load_targets(base.y);
    g = load_grad(base.z);
  }
  var m = -inf_f32();
  for (var j = lane; j < L; j += TPR) { m = max_nan(m, ${x}); }
  m = row_max(m, lid);
  var s = 0.0;${weightSum ? '\n  var sw = 0.0;' : ''}
  for (var j = lane; j < L; j += TPR) { s += exp(${x} - m);${weightSum ? ` sw += ${w('j')};` : ''} }
  s = row_sum(s, lid);${weightSum ? '\n  sw = row_sum(sw, lid);' : ''}
  let eps = uwf(W_smoothing);
  let ignored = t == uwi(W_ignoreIndex);
  let in_range = t >= 0 && u32(t) < L;
  let c = select(0u, u32(t), in_range);
  let wt = select(nan_f32(), ${w('c')}, in_range);
  let alpha = ${alpha};
  let picked = ${k.smoothing ? '(1.0 - eps) * wt' : 'wt'};
  for (var j = lane; j < L; j += TPR) {
    var d = alpha * exp(${x} - m) / s${uniform};
    if (j == c) { d -= picked; }
    store_out(base.w + j * rs.w, select(g * d, 0.0, ignored));
  }`,
  );
}
