// Gauss-Jordan elimination with partial pivoting: solves A X = B for a batch of square f32 matrices, one workgroup
// per matrix. The kernel works in place on a scratch copy of A (buffer a) and on the output, which holds B on entry
// and X on exit (buffer x). For each pivot column c: thread 0 picks the row with the largest |A[r][c]| (r >= c),
// the workgroup swaps it into row c, then each thread eliminates column c from its own rows (rows r = lid, lid + 64,
// ...), reading the pivot row, which no thread writes in that phase. A zero (or NaN) pivot marks the matrix singular:
// a kernel cannot raise, so it reports batch · n + column of the first one into the error-flag buffer (err,
// core/index-errors.ts), which the next readback turns into the cpu backend's error; its solution is written as NaN.
// Uniforms: n (rows of A), k (columns of B), batch (matrix count), report (the dispatch's report id).
import { Kernel } from './kernel.js';

export const solveKernel = new Kernel({
  name: 'solve',
  buffers: {
    a: { type: 'f32', write: true },
    x: { type: 'f32', write: true },
    err: { type: 'atomic<u32>', write: true },
  },
  uniforms: { n: 1, k: 1, batch: 1, report: 1 },
});
export const SOLVE_WG = 64;
export const solveKey = 'solve|f32';

export function solveSource(): string {
  return `${solveKernel.header()}var<workgroup> pivot_row: u32;
var<workgroup> singular: u32;

/** the first report wins: word 0 the dispatch's report id, word 1 what it reports */
fn report(word: u32) {
  loop {
    let r = atomicCompareExchangeWeak(&err[0], 0u, uw(W_report));
    if (r.exchanged) { atomicStore(&err[1], word); break; }
    if (r.old_value != 0u) { break; }
  }
}

@compute @workgroup_size(${SOLVE_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let batch = wid.y * nwg.x + wid.x;
  if (batch >= uw(W_batch)) { return; }
  let n = uw(W_n);
  let k = uw(W_k);
  let ab = batch * n * n;
  let xb = batch * n * k;
  if (lid == 0u) { singular = 0u; }
  workgroupBarrier();
  for (var c = 0u; c < n; c++) {
    if (lid == 0u) {
      var best = c;
      var big = abs(a[ab + c * n + c]);
      for (var r = c + 1u; r < n; r++) {
        let v = abs(a[ab + r * n + c]);
        if (v > big) { big = v; best = r; }
      }
      pivot_row = best;
      if (singular == 0u && (!(big > 0.0) || is_nan(big))) {
        singular = 1u;
        report(batch * n + c);
      }
    }
    workgroupBarrier();
    let p = pivot_row;
    if (p != c) {
      for (var j = lid; j < n; j += ${SOLVE_WG}u) {
        let t = a[ab + c * n + j]; a[ab + c * n + j] = a[ab + p * n + j]; a[ab + p * n + j] = t;
      }
      for (var j = lid; j < k; j += ${SOLVE_WG}u) {
        let t = x[xb + c * k + j]; x[xb + c * k + j] = x[xb + p * k + j]; x[xb + p * k + j] = t;
      }
    }
    storageBarrier();
    let pivot = a[ab + c * n + c];
    for (var r = lid; r < n; r += ${SOLVE_WG}u) {
      if (r == c) { continue; }
      let f = a[ab + r * n + c] / pivot;
      for (var j = c; j < n; j++) { a[ab + r * n + j] -= f * a[ab + c * n + j]; }
      for (var j = 0u; j < k; j++) { x[xb + r * k + j] -= f * x[xb + c * k + j]; }
    }
    storageBarrier();
  }
  workgroupBarrier();
  let bad = singular != 0u;
  for (var r = lid; r < n; r += ${SOLVE_WG}u) {
    let d = a[ab + r * n + r];
    for (var j = 0u; j < k; j++) { x[xb + r * k + j] = select(x[xb + r * k + j] / d, nan_f32(), bad); }
  }
}
`;
}
