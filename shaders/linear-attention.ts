// Causal linear attention by running prefix sums (Katharopoulos et al. 2020, eq. 10-12):
//   S_i = S_{i-1} + phi(k_i) v_i^T,  z_i = z_{i-1} + phi(k_i),  y_i = phi(q_i)^T S_i / (phi(q_i)^T z_i + eps).
// A workgroup owns one (batch, head) and 64 value columns; each thread keeps its column of S (F numbers) and
// the shared z in registers and walks the sequence once. Feature rows of 16 steps are staged in workgroup memory,
// so a row of phi(q), phi(k) is loaded once per workgroup rather than once per column.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const MAX_FEATURES = 128;
export const LINEAR_COLUMNS = 64;
const STEPS = 16;

/** Uniform words: sizes, eps, then offset + (b, h, t, d) strides of phi(q), phi(k) and v. */
export const LW = { H: 0, T: 1, F: 2, Dv: 3, eps: 4, batchHeads: 5, q: 8, k: 13, v: 18 } as const;

export const linearAttentionKey = (dtype: DType) => `attention|linear|${dtype}`;

export function linearAttentionSource(dtype: DType): string {
  const S = storageType(dtype);
  const strided = (name: string, at: number) =>
    `fn ${name}_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return uw(${at}u) + b * uw(${at + 1}u) + h * uw(${at + 2}u) + t * uw(${at + 3}u) + d * uw(${at + 4}u); }`;
  return `${preamble({ f16: dtype === 'f16', uniformBinding: 4 })}
@group(0) @binding(0) var<storage, read> PQ: array<${S}>;
@group(0) @binding(1) var<storage, read> PK: array<${S}>;
@group(0) @binding(2) var<storage, read> V: array<${S}>;
@group(0) @binding(3) var<storage, read_write> O: array<${S}>;
var<workgroup> qs: array<f32, ${STEPS * MAX_FEATURES}>;
var<workgroup> ks: array<f32, ${STEPS * MAX_FEATURES}>;
${strided('q', LW.q)}
${strided('k', LW.k)}
${strided('v', LW.v)}

@compute @workgroup_size(${LINEAR_COLUMNS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let H = uw(${LW.H}); let T = uw(${LW.T}); let F = uw(${LW.F}); let Dv = uw(${LW.Dv}); let eps = uwf(${LW.eps});
  let tile = unfold_wid(wid, nwg, (Dv + ${LINEAR_COLUMNS - 1}u) / ${LINEAR_COLUMNS}u); // [column tiles, batch * heads]
  if (tile.y >= uw(${LW.batchHeads})) { return; }
  let b = tile.y / H; let h = tile.y % H;
  let col = tile.x * ${LINEAR_COLUMNS}u + tid;
  let live = col < Dv;
  var state: array<f32, ${MAX_FEATURES}>;
  var z: array<f32, ${MAX_FEATURES}>;
  for (var t0 = 0u; t0 < T; t0 += ${STEPS}u) {
    let n = min(${STEPS}u, T - t0);
    for (var e = tid; e < n * F; e += ${LINEAR_COLUMNS}u) {
      let t = t0 + e / F; let f = e % F;
      qs[e] = f32(PQ[q_at(b, h, t, f)]);
      ks[e] = f32(PK[k_at(b, h, t, f)]);
    }
    workgroupBarrier();
    if (live) {
      for (var s = 0u; s < n; s++) {
        let t = t0 + s;
        let v = f32(V[v_at(b, h, t, col)]);
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
        O[((b * H + h) * T + t) * Dv + col] = ${S}(num / (den + eps));
      }
    }
    workgroupBarrier();
  }
}
`;
}
