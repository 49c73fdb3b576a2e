// Batched matmul that shares operands across the lanes of a subgroup instead of through workgroup memory.
//
// A subgroup of S lanes computes an S x (S*TN) tile of C: lane l owns the TN columns col0 + l*TN ..., for all S rows.
// Every 4 steps of k, lane l loads the 4 values A[row0 + l, k..k+3] (one vec4 when A is contiguous along K) and
// the 4 x TN block B[k..k+3, its columns]; subgroupBroadcast(a, r) then hands row r's values to every lane, so
// each lane does 4*S*TN multiply-adds for (1 + TN) vector loads. On lavapipe (Mesa 25) a storage load at a
// run-time offset costs a bounds-checked per-lane loop whatever its width, while a broadcast is a register shuffle:
// fewer, wider loads is what makes this kernel fast there (see BENCHMARKS.md).
//
// The kernel is specialised to the subgroup size (subgroupBroadcast takes a constant lane), so it only serves
// adapters whose subgroup size is fixed; the tuner validates it against the cpu reference before using it.
// The declaration is the tiled kernel's (shaders/matmul.ts, matmulKernel) with vec4 buffers where loads are vec4s;
// its operands must be stored natively (the dispatcher picks the tiled kernel for packed 16-bit floats).
import type { DType } from '../core/dtype.js';
import { storageType } from './preamble.js';
import { matmulKernel } from './matmul.js';

/** How an operand is read: one vec4 along K ('k'), one vec4 along N ('n', B only) or four scalars ('scalar'). */
export type LoadMode = 'k' | 'n' | 'scalar';

export interface SubgroupMatmul {
  a: DType; b: DType; out: DType;
  /** subgroup size the kernel is written for */
  S: number;
  /** columns per lane, a multiple of 4 */
  TN: number;
  /** subgroups per workgroup, stacked along M */
  G: number;
  aMode: 'k' | 'scalar';
  bMode: LoadMode;
  /** C rows have a multiple of 4 columns, so the output is stored as vec4 */
  vecOut: boolean;
  /** dtype of the bias added along rows in the store, or null */
  bias: DType | null;
}

export const subgroupMatmulKey = (k: SubgroupMatmul) =>
  `matmul|sg${k.S}x${k.TN}g${k.G}|a:${k.aMode}|b:${k.bMode}|o:${k.vecOut ? 'v' : 's'}|bias:${k.bias ?? '-'}|${k.a}|${k.b}|${k.out}`;

/** Rows and columns of C one workgroup computes. */
export const subgroupTile = (k: SubgroupMatmul) => ({ rows: k.S * k.G, cols: k.S * k.TN });

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function subgroupMatmulSource(k: SubgroupMatmul): string {
  const { S, TN, G } = k;
  const Q = TN / 4; // vec4 column groups per lane
  const ta = storageType(k.a); const tb = storageType(k.b); const tc = storageType(k.out);
  const aArr = k.aMode === 'k' ? `vec4<${ta}>` : ta;
  const bArr = k.bMode === 'scalar' ? tb : `vec4<${tb}>`;
  const cArr = k.vecOut ? `vec4<${tc}>` : tc;
  // vec4 loads index by element offset / 4: the dispatcher guarantees every such offset is a multiple of 4.
  const loadA = k.aMode === 'k'
    ? `if (aOk) { av = vec4<f32>(A[(aRow + k0) / 4u]); }`
    : range(4).map((j) => `if (aOk && k0 + ${j}u < K) { av[${j}] = f32(A[aRow + (k0 + ${j}u) * sak]); }`).join('\n    ');
  // b[j][q]: B[k0 + j, cols of group q] as a vec4 over the group's 4 columns.
  const loadB = range(Q).map((q) => {
    const c = `col0 + ${4 * q}u`;
    if (k.bMode === 'n') {
      return range(4).map((j) => `if (${c} < N && k0 + ${j}u < K) { b[${j}][${q}] = vec4<f32>(B[(bBase + (k0 + ${j}u) * sbk + ${c}) / 4u]); }`).join('\n    ');
    }
    if (k.bMode === 'k') {
      // B^T is contiguous along K: one vec4 per column holds its 4 k values; transpose into b[j][q].
      const cols = range(4).map((c4) => `    var t${c4} = vec4<f32>(0.0);\n    if (${c} + ${c4}u < N) { t${c4} = vec4<f32>(B[(bBase + (${c} + ${c4}u) * sbn + k0) / 4u]); }`).join('\n');
      return `{\n${cols}\n${range(4).map((j) => `    b[${j}][${q}] = vec4<f32>(t0[${j}], t1[${j}], t2[${j}], t3[${j}]);`).join('\n')}\n    }`;
    }
    return range(4).map((j) => range(4).map((c4) =>
      `if (${c} + ${c4}u < N && k0 + ${j}u < K) { b[${j}][${q}][${c4}] = f32(B[bBase + (k0 + ${j}u) * sbk + (${c} + ${c4}u) * sbn]); }`).join('\n    ')).join('\n    ');
  }).join('\n    ');
  // acc[r][q] += a_r[j] * b[j][q] for the 4 k steps j, with row r's a values broadcast from lane r.
  const fma = range(S).map((r) => [
    `{ let ar = subgroupBroadcast(av, ${r}u);`,
    ...range(Q).map((q) => `  acc[${r}][${q}] += ar.x * b[0][${q}] + ar.y * b[1][${q}] + ar.z * b[2][${q}] + ar.w * b[3][${q}];`),
    '}',
  ].join('\n    ')).join('\n    ');
  // the bias of the lane's columns, read once: bias[q] holds column group q
  const loadBias = k.bias
    ? `var bias: array<vec4<f32>, ${Q}>;\n  ${range(Q).map((q) => range(4).map((c4) =>
      `if (col0 + ${4 * q + c4}u < N) { bias[${q}][${c4}] = f32(load_bias(uw(W_bias_offset) + (col0 + ${4 * q + c4}u) * uw(W_sbias))); }`).join('\n  ')).join('\n  ')}`
    : '';
  const value = (q: number) => (k.bias ? `(acc[r][${q}] + bias[${q}])` : `acc[r][${q}]`);
  const store = k.vecOut
    ? range(Q).map((q) => `if (col0 + ${4 * q}u < N) { C[(cRow + col0 + ${4 * q}u) / 4u] = vec4<${tc}>(${value(q)}); }`).join('\n      ')
    : range(Q).map((q) => range(4).map((c4) =>
      `if (col0 + ${4 * q + c4}u < N) { C[cRow + col0 + ${4 * q + c4}u] = ${tc}(${value(q)}[${c4}]); }`).join('\n      ')).join('\n      ');
  return `enable subgroups;
${matmulKernel({ type: aArr }, { type: bArr }, { type: cArr }, k.bias ? { dtype: k.bias } : undefined).header()}

@compute @workgroup_size(${S * G})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32, @builtin(subgroup_invocation_id) lane: u32) {
  let M = uw(W_M); let N = uw(W_N); let K = uw(W_K);
  let rowTiles = (M + ${S * G - 1}u) / ${S * G}u;
  let tile = unfold_wid(wid, nwg, (N + ${S * TN - 1}u) / ${S * TN}u);
  let batch = tile.y / rowTiles;
  if (batch >= uw(W_batches)) { return; }
  let aBase = offset_a(batch); let bBase = offset_b(batch);
  let sam = uw(W_sam); let sak = uw(W_sak); let sbk = uw(W_sbk); let sbn = uw(W_sbn);
  let row0 = ((tile.y % rowTiles) * ${G}u + li / ${S}u) * ${S}u;
  let col0 = tile.x * ${S * TN}u + lane * ${TN}u;
  let aOk = row0 + lane < M;
  let aRow = aBase + (row0 + lane) * sam;
  var acc: array<array<vec4<f32>, ${Q}>, ${S}>;
  for (var k0 = 0u; k0 < K; k0 += 4u) {
    var av = vec4<f32>(0.0);
    ${loadA}
    var b: array<array<vec4<f32>, ${Q}>, 4>;
    ${loadB}
    ${fma}
  }
  let cBase = batch * M * N;
  ${loadBias}
  for (var r = 0u; r < ${S}u; r++) {
    if (row0 + r < M) {
      let cRow = cBase + (row0 + r) * N;
      ${store}
    }
  }
}
`;
}
