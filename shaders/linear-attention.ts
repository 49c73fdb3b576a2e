// Causal linear attention by running prefix sums (Katharopoulos et al. 2020, eq. 10-12):
//   S_i = S_{i-1} + phi(k_i) v_i^T,  z_i = z_{i-1} + phi(k_i),  y_i = phi(q_i)^T S_i / (phi(q_i)^T z_i + eps).
// A workgroup owns one (batch, head) and 64 value columns; each thread keeps its column of S (F numbers) and
// the shared z in registers and walks the sequence once. Feature rows of 16 steps are staged in workgroup memory,
// so a row of phi(q), phi(k) is loaded once per workgroup rather than once per column.
import type { DType } from '../core/dtype.js';
import { Kernel } from './kernel.js';

export const MAX_FEATURES = 128;
export const LINEAR_COLUMNS = 64;
const STEPS = 16;

/** Buffers phi(q), phi(k), v (strided: offset + (b, h, t, d) strides each) and the contiguous output. */
export const linearAttentionKernel = (dtype: DType): Kernel =>
  new Kernel({
    name: 'linearAttention',
    buffers: { PQ: { dtype }, PK: { dtype }, V: { dtype }, O: { dtype, write: true } },
    uniforms: { H: 1, T: 1, F: 1, Dv: 1, eps: 1, batchHeads: 1, q: 5, k: 5, v: 5 },
  });

export const linearAttentionKey = (dtype: DType) => `attention|linear|${dtype}`;

export function linearAttentionSource(dtype: DType): string {
  const strided = (name: string) =>
    `fn ${name}_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return uw(W_${name}) + b * uw(W_${name} + 1u) + h * uw(W_${name} + 2u) + t * uw(W_${name} + 3u) + d * uw(W_${name} + 4u); }`;
  return `${linearAttentionKernel(dtype).header()}
var<workgroup> qs: array<f32, ${STEPS * MAX_FEATURES}>;
var<workgroup> ks: array<f32, ${STEPS * MAX_FEATURES}>;
${strided('q')}
${strided('k')}
${strided('v')}

@compute @workgroup_size(${LINEAR_COLUMNS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let H = uw(W_H); let T = uw(W_T); let F = uw(W_F); let Dv = uw(W_Dv); let eps = uwf(W_eps);
  let tile = unfold_wid(wid, nwg, (Dv + ${LINEAR_COLUMNS - 1}u) / ${LINEAR_COLUMNS}u); // [column tiles, batch * heads]
  if (tile.y >= uw(W_batchHeads)) { return; }
  let b = tile.y / H; let h = tile.y % H;
  let col = tile.x * ${LINEAR_COLUMNS}u + tid;
  let live = col < Dv;
  var state: array<f32, ${MAX_FEATURES}>;
  var z: array<f32, ${MAX_FEATURES}>;
  for (var t0 = 0u; t0 < T; t0 += ${STEPS}u) {
    let n = min(${STEPS}u, T - t0);
    for (var e = tid; e < n * F; e += ${LINEAR_COLUMNS}u) {
      let t = t0 + e / F; let f = e % F;
      qs[e] = load_PQ(q_at(b, h, t, f));
      ks[e] = load_PK(k_at(b, h, t, f));
    }
    workgroupBarrier();
    if (live) {
      for (var s = 0u; s < n; s++) {
        let t = t0 + s;
        let v = load_V(v_at(b, h, t, col));
        var num = 0.0;
        var den = 0.0;
        for (var f = 0u; f < F; f++) {
          let kf = ks[s * F + f];
          state[f] += kf * v;
          z[f] += kf;
          let qf = qs[s * F + f];
          num += qf * state[f];
          den += qf * z[f];
        }
        store_O(((b * H + h) * T + t) * Dv + col, num / (den + eps));
      }
    }
    workgroupBarrier();
  }
}
`;
}
