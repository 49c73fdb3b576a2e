// Batched matmul, register-blocked: a 16x16 workgroup computes a 64x64 output tile, each thread a 4x4 block,
// with 64x16 / 16x64 operand tiles staged in workgroup memory. Operands are read through strides, so
// transposed and broadcast-batch operands need no copy. Accumulates in f32.
//
// Uniform words: 0 M, 1 N, 2 K, 3 batch rank, 4 a offset, 5 b offset, 6 a row stride, 7 a k stride,
// 8 b k stride, 9 b col stride, 10 batches (the grid is [N tiles, M tiles, batches] folded, see unfold_wid), 12..15 batch shape, 16..19 a batch strides, 20..23 b batch strides.
import type { DType } from '../core/dtype.js';
import { preamble, storageType } from './preamble.js';

export const MW = { M: 0, N: 1, K: 2, batchRank: 3, aOff: 4, bOff: 5, sam: 6, sak: 7, sbk: 8, sbn: 9, batches: 10, batchShape: 12, aBatch: 16, bBatch: 20 } as const;
export const MAX_BATCH_RANK = 4;
export const TILE = 64;

/** WGSL: where one batch's A and B matrices start (broadcast batch dims have stride 0); every variant uses it. */
export const BATCH_BASES = `
fn batch_bases(batch: u32) -> vec2<u32> {
  var a = uw(${MW.aOff}); var b = uw(${MW.bOff});
  var rem = batch;
  for (var d = i32(uw(${MW.batchRank})) - 1; d >= 0; d--) {
    let ud = u32(d); let size = uw(${MW.batchShape}u + ud); let c = rem % size; rem = rem / size;
    a += c * uw(${MW.aBatch}u + ud); b += c * uw(${MW.bBatch}u + ud);
  }
  return vec2<u32>(a, b);
}`;

export const matmulKey = (a: DType, b: DType, out: DType) => `matmul|tiled64|${a}|${b}|${out}`;

export function matmulSource(a: DType, b: DType, out: DType): string {
  const f16 = [a, b, out].includes('f16');
  return `${preamble({ f16, uniformBinding: 3 })}
@group(0) @binding(0) var<storage, read> A: array<${storageType(a)}>;
@group(0) @binding(1) var<storage, read> B: array<${storageType(b)}>;
@group(0) @binding(2) var<storage, read_write> C: array<${storageType(out)}>;
${BATCH_BASES}
var<workgroup> As: array<array<f32, 64>, 16>;
var<workgroup> Bs: array<array<f32, 64>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let M = uw(${MW.M}); let N = uw(${MW.N}); let K = uw(${MW.K});
  let rowTiles = (M + 63u) / 64u;
  let tile = unfold_wid(wid, nwg, (N + 63u) / 64u);
  let batch = tile.y / rowTiles;
  if (batch >= uw(${MW.batches})) { return; }
  let bases = batch_bases(batch);
  let aBase = bases.x; let bBase = bases.y;
  let sam = uw(${MW.sam}); let sak = uw(${MW.sak}); let sbk = uw(${MW.sbk}); let sbn = uw(${MW.sbn});
  let row0 = (tile.y % rowTiles) * 64u; let col0 = tile.x * 64u;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 256u;
      let am = e / 16u; let ak = e % 16u;
      var av = 0.0;
      if (row0 + am < M && k0 + ak < K) { av = f32(A[aBase + (row0 + am) * sam + (k0 + ak) * sak]); }
      As[ak][am] = av;
      let bk = e / 64u; let bn = e % 64u;
      var bv = 0.0;
      if (k0 + bk < K && col0 + bn < N) { bv = f32(B[bBase + (k0 + bk) * sbk + (col0 + bn) * sbn]); }
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
      if (c < N) { C[cBase + r * N + c] = ${storageType(out)}(acc[i][j]); }
    }
  }
}
`;
}
