// Cross-entropy with class-index targets, fused: the threads of a row of logits (the class dim, read through its
// stride; shaders/rows.ts) compute the log-sum-exp stably and pick the target's logit, so no log-probabilities
// are stored:
//   loss = (1 - eps) w[t] (lse - x[t]) + eps / C * sum_c w[c] (lse - x[c]),   lse = m + log sum_c exp(x[c] - m),
// with eps the label smoothing, w the class weights (1 without), m the row max. A target equal to ignoreIndex gives 0;
// any other target outside [0, C) gives NaN (the kernel cannot raise an error).
//
// Bindings: 0 logits, 1 targets (i32), 2 per-row losses, 3 class weights when given, then the uniforms (row
// geometry of shaders/rows.ts: tensor 0 logits, 1 targets, 2 losses, the last two with row stride 0;
// word 48 ignoreIndex, word 49 label smoothing).
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';
import { ROW, rowEnable, rowGridKey, rowHelpers, rowMain, type RowGrid } from './rows.js';

export interface CrossEntropyKernel { input: DType; weight: boolean; smoothing: boolean; grid: RowGrid }

export const CE = { ignoreIndex: ROW.params, smoothing: ROW.params + 1 } as const;

export const crossEntropyKey = (k: CrossEntropyKernel): string =>
  `xent|${k.input}|${k.weight ? 'w' : ''}${k.smoothing ? 's' : ''}|${rowGridKey(k.grid)}`;

export function crossEntropySource(k: CrossEntropyKernel): string {
  const S = storageType(k.input);
  const x = (j: string) => `f32(logits[base.x + ${j} * rs.x])`;
  const w = (j: string) => (k.weight ? `f32(weight[${j}])` : '1.0');
  const smoothSums = k.smoothing ? `
  var swx = 0.0;
  var sw = 0.0;
  for (var j = lane; j < L; j += TPR) { swx += ${w('j')} * ${x('j')}; sw += ${w('j')}; }
  swx = row_sum(swx, lid);
  sw = row_sum(sw, lid);` : '';
  const smoothTerm = k.smoothing ? ` + eps / f32(L) * (sw * lse - swx)` : '';
  return `${rowEnable(k.grid)}${preamble({ f16: k.input === 'f16', uniformBinding: k.weight ? 4 : 3 })}
@group(0) @binding(0) var<storage, read> logits: array<${S}>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<${S}>;
${k.weight ? `@group(0) @binding(3) var<storage, read> weight: array<${S}>;` : ''}
${rowHelpers(k.grid)}
${rowMain(k.grid, `
  var m = -inf_f32();
  for (var j = lane; j < L; j += TPR) { m = max_nan(m, ${x('j')}); }
  m = row_max(m, lid);
  var s = 0.0;
  for (var j = lane; j < L; j += TPR) { s += exp(${x('j')} - m); }
  s = row_sum(s, lid);${smoothSums}
  if (lane == 0u && has_row) {
    let t = targets[base.y];
    let eps = uwf(${CE.smoothing}u);
    let lse = select(m + log(s), nan_f32(), is_nan(m) || is_inf(m));
    var loss = 0.0;
    if (t != uwi(${CE.ignoreIndex}u)) {
      if (t < 0 || u32(t) >= L) {
        loss = nan_f32();
      } else {
        let c = u32(t);
        loss = (1.0 - eps) * ${w('c')} * (lse - ${x('c')})${smoothTerm};
      }
    }
    out[base.z] = ${S}(loss);
  }`)}`;
}
