// Every matmul kernel variant the adapter offers, forced one by one, against the cpu reference: plain, transposed
// operands (every load mode), ragged edges, broadcast batches, offsets, f16. Then the tuner on a small case.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, withMatmulVariant, tuneMatmul, matmulChoices, type Tensor } from '../../index.js';
import { candidates } from '../../ops/matmul-select.js';
import { assertClose, randomValues } from '../helpers.js';

const s = suite('matmul variants');

function make(shape: number[], seed: number, dtype: 'f32' | 'f16' = 'f32'): Tensor {
  const n = shape.reduce((x, y) => x * y, 1);
  return tensor(randomValues(n, seed, -1, 1), { shape, dtype, device: 'webgpu' });
}

interface Case { name: string; a: () => Tensor; b: () => Tensor; dtype?: 'f32' | 'f16' }
const cases: Case[] = [
  { name: 'aligned 32x64 @ 64x40', a: () => make([32, 64], 1), b: () => make([64, 40], 2) },
  { name: 'ragged 45x67 @ 67x29', a: () => make([45, 67], 3), b: () => make([67, 29], 4) },
  { name: 'B transposed (linear layout) 20x36 @ (44x36)^T', a: () => make([20, 36], 5), b: () => make([44, 36], 6).transpose(0, 1) },
  { name: 'A transposed 24x16^T @ 24x12', a: () => make([24, 16], 7).transpose(0, 1), b: () => make([24, 12], 8) },
  { name: 'broadcast batch [3,9,8] @ [8,12]', a: () => make([3, 9, 8], 9), b: () => make([8, 12], 10) },
  { name: 'batched with offset views [2,5,12] @ [2,12,8]', a: () => make([3, 5, 12], 11).slice(0, 1, 3), b: () => make([2, 12, 8], 12) },
  { name: 'one row 1x33 @ 33x70', a: () => make([1, 33], 13), b: () => make([33, 70], 14) },
  { name: 'f16 19x40 @ 40x24', a: () => make([19, 40], 15, 'f16'), b: () => make([40, 24], 16, 'f16'), dtype: 'f16' },
];

for (const c of cases) {
  s(`every variant matches the cpu reference: ${c.name}`, async () => {
    const a = c.a(); const b = c.b();
    const ref = await (await a.to('cpu')).matmul(await b.to('cpu')).data();
    const M = a.shape[a.ndim - 2]; const K = a.shape[a.ndim - 1]; const N = b.shape[b.ndim - 1];
    const variants = candidates({ M, N, K, a, b, out: a, aBatch: [], bBatch: [] });
    assert.ok(variants.length >= 1);
    for (const v of variants) {
      const got = await withMatmulVariant(v.name, () => a.matmul(b)).data();
      const tol = c.dtype === 'f16' ? { atol: 2e-2, rtol: 2e-2 } : { atol: 1e-4, rtol: 1e-4 };
      assertClose(got, ref, { ...tol, msg: `${v.name} on ${c.name}` });
    }
  });
}

s('the tuner validates, times and records a choice for the shape class', async () => {
  const [r] = await tuneMatmul([{ M: 40, N: 48, K: 36, transB: true }], { reps: 1 });
  assert.ok(r.timings.every((t) => t.ok), JSON.stringify(r.timings));
  assert.is(matmulChoices()[r.shapeClass], r.choice);
  assert.ok(r.timings.some((t) => t.variant === r.choice));
});

s('forcing a variant that does not exist is a clear error', () => {
  const a = make([4, 4], 1);
  assert.throws(() => withMatmulVariant('no-such-kernel', () => a.matmul(a)), /variant no-such-kernel cannot run/);
});

s.run();
