// Batched matmul, register-blocked: a 16x16 workgroup computes a 64x64 output tile, each thread a 4x4 block,
// with 64x16 / 16x64 operand tiles staged in workgroup memory. Operands are read through strides, so
// transposed and broadcast-batch operands need no copy. Accumulates in f32.
//
// Every variant shares one declaration (`matmulKernel`): the batch dims form the index space `batch`, of which A's
// and B's matrix starts are views (broadcast batch dims have stride 0); the strides within a matrix are uniforms.
import type { DType } from '../core/dtype.js';
import { Kernel, type BufferDecl } from './kernel.js';

export const MAX_BATCH_RANK = 4;
export const TILE = 64;

/**
 * The declaration of a matmul kernel reading A and B and writing C as the given buffer declarations say, and with
 * `bias` reading the bias added to every row of C in the store (linear's epilogue): element n of the bias is at
 * bias_offset + n * sbias (sbias 0 for a broadcast scalar).
 */
export const matmulKernel = (A: BufferDecl, B: BufferDecl, C: BufferDecl, bias?: BufferDecl): Kernel =>
  new Kernel({
    name: 'matmul',
    buffers: { A, B, C: { ...C, write: true }, ...(bias ? { bias } : {}) },
    uniforms: { M: 1, N: 1, K: 1, sam: 1, sak: 1, sbk: 1, sbn: 1, batches: 1, bias_offset: 1, sbias: 1 },
    spaces: { batch: MAX_BATCH_RANK },
    views: { a: 'batch', b: 'batch' },
  });

export const matmulKey = (a: DType, b: DType, out: DType, bias: DType | null = null) =>
  `matmul|tiled64|${a}|${b}|${out}${bias ? `|bias:${bias}` : ''}`;

export function matmulSource(a: DType, b: DType, out: DType, bias: DType | null = null): string {
  const kernel = matmulKernel({ dtype: a }, { dtype: b }, { dtype: out }, bias ? { dtype: bias } : undefined);
  const addBias = bias ? ' + f32(load_bias(uw(W_bias_offset) + c * uw(W_sbias)))' : '';
  return `${kernel.header()}
var<workgroup> As: array<array<f32, 64>, 16>;
var<workgroup> Bs: array<array<f32, 64>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let M = uw(W_M); let N = uw(W_N); let K = uw(W_K);
  let rowTiles = (M + 63u) / 64u;
  let tile = unfold_wid(wid, nwg, (N + 63u) / 64u);
  let batch = tile.y / rowTiles;
  if (batch >= uw(W_batches)) { return; }
  let aBase = offset_a(batch); let bBase = offset_b(batch);
  let sam = uw(W_sam); let sak = uw(W_sak); let sbk = uw(W_sbk); let sbn = uw(W_sbn);
  let row0 = (tile.y % rowTiles) * 64u; let col0 = tile.x * 64u;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 256u;
      let am = e / 16u; let ak = e % 16u;
      var av = 0.0;
      if (row0 + am < M && k0 + ak < K) { av = load_A(aBase + (row0 + am) * sam + (k0 + ak) * sak); }
      As[ak][am] = av;
      let bk = e / 64u; let bn = e % 64u;
      var bv = 0.0;
      if (k0 + bk < K && col0 + bn < N) { bv = load_B(bBase + (k0 + bk) * sbk + (col0 + bn) * sbn); }
      Bs[bk][bn] = bv;
    }
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      var ra: array<f32, 4>; var rb: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { ra[i] = As[k][lid.y * 4u + i]; rb[i] = Bs[k][lid.x * 4u + i]; }
      for (var i = 0u; i < 4u; i++) { for (var j = 0u; j < 4u; j++) { acc[i][j] += ra[i] * rb[j]; } }
    }
    workgroupBarrier();
  }
  let cBase = batch * M * N;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y * 4u + i;
    if (r >= M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x * 4u + j;
      if (c < N) { store_C(cBase + r * N + c, acc[i][j]${addBias}); }
    }
  }
}
`;
}
