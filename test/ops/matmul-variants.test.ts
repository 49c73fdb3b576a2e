// Every matmul kernel variant the adapter offers, forced one by one, against the cpu reference: plain, transposed
// operands (every load mode), ragged edges, K below one tile, broadcast batches, offsets, f16 native and packed,
// bf16, the fused bias of linear. Then which variants are offered (adapter limits, no subgroups) and the tuner.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, linear, withMatmulVariant, tuneMatmul, matmulChoices, setPackedF16, type Tensor } from '../../index.js';
import { gpu, simulateMissingSubgroups } from '../../core/device.js';
import { candidates, type MatmulVariant } from '../../ops/matmul-select.js';
import { assertClose, randomValues } from '../helpers.js';

const s = suite('matmul variants');

type Half = 'f16' | 'bf16';
function make(shape: number[], seed: number, dtype: 'f32' | Half = 'f32'): Tensor {
  const n = shape.reduce((x, y) => x * y, 1);
  return tensor(randomValues(n, seed, -1, 1), { shape, dtype, device: 'webgpu' });
}

/** The variants that can run a @ b (+ bias). */
function variantsFor(a: Tensor, b: Tensor, bias?: Tensor): MatmulVariant[] {
  const M = a.shape[a.ndim - 2]; const K = a.shape[a.ndim - 1]; const N = b.shape[b.ndim - 1];
  return candidates({ M, N, K, a, b, out: a, aBatch: [], bBatch: [], bias });
}

interface Case {
  name: string; a: () => Tensor; b: () => Tensor;
  /** a bias: the case runs linear(a, b^T, bias), whose bias the kernels add in their store */
  bias?: () => Tensor;
  dtype?: Half;
  /** f16 stored two per u32 (the path of adapters without shader-f16) */
  packed?: boolean;
  /** only the variants this accepts: the cases of one kernel feature keep the compile count down */
  only?: (variant: string) => boolean;
}
/** tiled64, the blocked kernels and the default subgroup kernel (8 columns per lane, one subgroup) */
const NEW_FEATURES = (v: string) => !v.startsWith('subgroup') || v.endsWith('x8g1');
/**
 * The blocked kernels a case runs: each one's WGSL is a separate pipeline per load mode and dtype, seconds of
 * compiling each on lavapipe, so every case runs blocked128x128 (the one made for large GPU problems) and one of
 * the other tiles in turn; the ragged case runs all four. The tiles share their generator and differ only in the
 * number of 4-row and 4-column groups per thread (1 or 2), which 128x128 and each other tile cover between them.
 */
const BLOCKED_OTHERS = ['blocked128x64', 'blocked64x128', 'blocked64x64'];
const blockedFor = (i: number, name: string) => (v: string) =>
  !v.startsWith('blocked') || v === 'blocked128x128' || name.startsWith('ragged') || v === BLOCKED_OTHERS[i % 3];
const cases: Case[] = [
  { name: 'aligned 32x64 @ 64x40', a: () => make([32, 64], 1), b: () => make([64, 40], 2) },
  { name: 'ragged 45x67 @ 67x29', a: () => make([45, 67], 3), b: () => make([67, 29], 4) },
  { name: 'B transposed (linear layout) 20x36 @ (44x36)^T', a: () => make([20, 36], 5), b: () => make([44, 36], 6).transpose(0, 1) },
  { name: 'A transposed 24x16^T @ 24x12', a: () => make([24, 16], 7).transpose(0, 1), b: () => make([24, 12], 8) },
  { name: 'broadcast batch [3,9,8] @ [8,12]', a: () => make([3, 9, 8], 9), b: () => make([8, 12], 10) },
  { name: 'batched with offset views [2,5,12] @ [2,12,8]', a: () => make([3, 5, 12], 11).slice(0, 1, 3), b: () => make([2, 12, 8], 12) },
  { name: 'one row 1x33 @ 33x70', a: () => make([1, 33], 13), b: () => make([33, 70], 14) },
  { name: 'f16 19x40 @ 40x24', a: () => make([19, 40], 15, 'f16'), b: () => make([40, 24], 16, 'f16'), dtype: 'f16' },
  { name: 'K below one tile 3x5 @ 5x130', a: () => make([3, 5], 17), b: () => make([5, 130], 18) },
  { name: 'broadcast on both sides [2,1,9,12] @ [3,12,20]', a: () => make([2, 1, 9, 12], 19), b: () => make([3, 12, 20], 20) },
  { name: 'step-sliced A (no unit stride) 40x45 @ 45x30', a: () => make([40, 90], 21).slice(1, 0, 90, 2), b: () => make([45, 30], 22) },
  { name: 'bf16 ragged 37x21 @ 21x53', a: () => make([37, 21], 23, 'bf16'), b: () => make([21, 53], 24, 'bf16'), dtype: 'bf16', only: NEW_FEATURES },
  { name: 'packed f16 136x40 @ 40x24', a: () => make([136, 40], 25, 'f16'), b: () => make([40, 24], 26, 'f16'), dtype: 'f16', packed: true, only: NEW_FEATURES },
  {
    name: 'linear with bias [2,21,36] @ (44x36)^T + [44]', a: () => make([2, 21, 36], 27), b: () => make([44, 36], 28).transpose(0, 1),
    bias: () => make([44], 29), only: NEW_FEATURES,
  },
  {
    name: 'linear, packed f16, ragged, with bias 9x13 @ (30x13)^T + [30]', a: () => make([9, 13], 30, 'f16'), b: () => make([30, 13], 31, 'f16').transpose(0, 1),
    bias: () => make([30], 32, 'f16'), dtype: 'f16', packed: true, only: NEW_FEATURES,
  },
];

for (const [i, c] of cases.entries()) {
  s(`every variant matches the cpu reference: ${c.name}`, async () => {
    setPackedF16(!!c.packed);
    try {
      const a = c.a(); const b = c.b(); const bias = c.bias?.();
      // with a bias, b is the transposed weight: linear(a, b^T, bias) = a @ b + bias
      const run = (x: Tensor, y: Tensor, z?: Tensor) => (z ? linear(x, y.transpose(0, 1), z) : x.matmul(y));
      const ref = await run(await a.to('cpu'), await b.to('cpu'), bias && (await bias.to('cpu'))).data();
      const variants = variantsFor(a, b, bias).filter((v) => (!c.only || c.only(v.name)) && blockedFor(i, c.name)(v.name));
      assert.ok(variants.length >= 1);
      for (const v of variants) {
        const got = await withMatmulVariant(v.name, () => run(a, b, bias)).data();
        const tol = c.dtype === 'bf16' ? { atol: 5e-2, rtol: 2e-2 } : c.dtype === 'f16' ? { atol: 2e-2, rtol: 2e-2 } : { atol: 1e-4, rtol: 1e-4 };
        assertClose(got, ref, { ...tol, msg: `${v.name} on ${c.name}` });
      }
    } finally {
      setPackedF16(false);
    }
  });
}

s('K = 0 gives zeros (plus the bias)', async () => {
  const a = make([5, 0], 1); const b = make([0, 8], 2); const bias = make([8], 3);
  const want = Array.from({ length: 40 }, (_, i) => randomValues(8, 3, -1, 1)[i % 8]);
  for (const v of variantsFor(a, b).filter((x) => NEW_FEATURES(x.name) && blockedFor(0, '')(x.name))) {
    assertClose(await withMatmulVariant(v.name, () => a.matmul(b)).data(), new Array(40).fill(0), { msg: v.name });
    if (v.name.startsWith('blocked')) assertClose(await withMatmulVariant(v.name, () => linear(a, b.transpose(0, 1), bias)).data(), want, { atol: 1e-6, msg: `${v.name} bias` });
  }
});

s('the blocked kernels are offered only where the adapter has their workgroup memory and 256 invocations', () => {
  const a = make([8, 8], 1);
  const limits = gpu().info.limits;
  const saved = { ...limits };
  const names = () => variantsFor(a, a).map((v) => v.name).filter((n) => n.startsWith('blocked'));
  try {
    assert.equal(names(), ['blocked128x128', 'blocked128x64', 'blocked64x128', 'blocked64x64']);
    limits.maxComputeWorkgroupStorageSize = 24 * 1024; // two stages of 128x16 + 16x64 floats: 24 KiB
    assert.equal(names(), ['blocked128x64', 'blocked64x128', 'blocked64x64']);
    limits.maxComputeWorkgroupStorageSize = saved.maxComputeWorkgroupStorageSize;
    limits.maxComputeInvocationsPerWorkgroup = 128;
    assert.equal(names(), []);
  } finally {
    Object.assign(limits, saved);
  }
});

s('without subgroups: no subgroup variant is offered and the blocked kernels still run', async () => {
  simulateMissingSubgroups(true);
  try {
    const a = make([45, 67], 3); const b = make([67, 29], 4);
    const variants = variantsFor(a, b);
    assert.ok(variants.every((v) => !v.name.startsWith('subgroup')), variants.map((v) => v.name).join());
    const ref = await (await a.to('cpu')).matmul(await b.to('cpu')).data();
    for (const v of variants) assertClose(await withMatmulVariant(v.name, () => a.matmul(b)).data(), ref, { atol: 1e-4, rtol: 1e-4, msg: v.name });
  } finally {
    simulateMissingSubgroups(false);
  }
});

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
