// 16-bit floats on webgpu, both storages: f16 natively (where the adapter has 'shader-f16') and packed two per u32
// (forced with setPackedF16, the path of adapters without the feature), and bf16 (always packed). Every covered op
// runs against the cpu reference, which rounds as the GPU stores: casts exactly (ties to even), arithmetic within
// one unit in the last place of the dtype.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  avgPool2d,
  cast,
  cat,
  conv2d,
  crossEntropy,
  flip,
  fold,
  gpu,
  layerNorm,
  logSoftmax,
  maxPool2d,
  noGrad,
  pad,
  rmsNorm,
  scatterReduce,
  searchsorted,
  setPackedF16,
  softmax,
  tensor,
  unfold,
  type DType,
  type DeviceName,
  type Tensor,
} from '../../index.js';
import { bf16round } from '../../core/half.js';
import { rope } from '../../ops/rope.js';
import { scaledDotProductAttention } from '../../ops/attention.js';
import { linearAttention } from '../../ops/linear-attention.js';
import { crossEntropyGrad } from '../../ops/cross-entropy-backward.js';
import { assertClose, assertThrows, randomValues, unpackedOp } from '../helpers.js';
import { apply } from '../../ops/op.js';

const s = suite('ops/half-storage');

/** One unit in the last place near 1, as a relative tolerance: f16 keeps 11 significant bits, bf16 8. */
const ULP: Record<string, number> = { f16: 2 ** -10, bf16: 2 ** -7 };

const modes: { name: string; dtype: DType; packed: boolean }[] = [
  { name: 'f16 native', dtype: 'f16', packed: false },
  { name: 'f16 packed', dtype: 'f16', packed: true },
  { name: 'bf16', dtype: 'bf16', packed: true },
];

async function onBoth(mode: (typeof modes)[number], fn: (device: DeviceName) => Tensor, msg: string, exact = false) {
  setPackedF16(mode.packed);
  try {
    const [c, g] = [fn('cpu'), fn('webgpu')];
    assert.is(g.dtype, c.dtype, `${mode.name} ${msg}: dtype`);
    assert.equal([...g.shape], [...c.shape], `${mode.name} ${msg}: shape`);
    const tol = exact ? { atol: 0, rtol: 0 } : { atol: ULP[mode.dtype] * 4, rtol: ULP[mode.dtype] * 2 };
    assertClose(await g.data(), await c.data(), { ...tol, msg: `${mode.name} ${msg}` });
    c.dispose();
    g.dispose();
  } finally {
    setPackedF16(false);
  }
}

const x = (device: DeviceName, dtype: DType, shape: number[], seed = 1) =>
  tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    { shape, dtype, device },
  );

s('bf16 rounds to nearest even on the host', () => {
  assert.is(bf16round(1 + 2 ** -8), 1, 'a tie goes to the even neighbour (down)');
  assert.is(bf16round(1 + 3 * 2 ** -8), 1 + 2 ** -6, 'a tie goes to the even neighbour (up)');
  assert.is(bf16round(1 + 2 ** -8 + 2 ** -20), 1 + 2 ** -7, 'above the tie rounds up');
  assert.ok(Number.isNaN(bf16round(NaN)));
  assert.is(bf16round(3.4e38), Infinity, 'past the largest bf16 rounds to inf');
});

for (const mode of modes) {
  s(`${mode.name}: casts round to nearest even, exactly as the cpu does`, async () => {
    if (!mode.packed && !gpu().info.features.includes('shader-f16')) return; // no native f16 on this adapter
    const u = mode.dtype === 'f16' ? 2 ** -10 : 2 ** -7;
    // ties to even both ways, just above a tie, odd-sized (the last u32 holds one element), inf and NaN
    const v = [1 + u / 2, 1 + 1.5 * u, 1 + u / 2 + u / 8, -2.5, 1e-3, 65520, -Infinity, NaN, 3];
    await onBoth(mode, (d) => cast(tensor(v, { device: d }), mode.dtype), 'f32 -> 16 bit', true);
    await onBoth(
      mode,
      (d) =>
        cast(
          cast(tensor(v, { device: d }), mode.dtype)
            .float()
            .mul(3),
          mode.dtype,
        ),
      'round trip',
      true,
    );
  });

  s(`${mode.name}: elementwise ops, broadcast and strided, in and out of place`, async () => {
    if (!mode.packed && !gpu().info.features.includes('shader-f16')) return;
    const t = mode.dtype;
    await onBoth(mode, (d) => x(d, t, [5, 7]).add(x(d, t, [7], 2)), 'add with broadcast');
    await onBoth(
      mode,
      (d) =>
        x(d, t, [6, 5])
          .transpose(0, 1)
          .mul(x(d, t, [5, 6], 3))
          .exp(),
      'transposed mul, exp',
    );
    await onBoth(mode, (d) => x(d, t, [9]).gt(0), 'comparison to bool');
    await onBoth(mode, (d) => x(d, t, [9]).add(x(d, 'f32', [9], 4)), 'promotion to f32');
    // in place through a transposed view of odd shape: neighbouring threads write the two halves of one u32
    await onBoth(
      mode,
      (d) =>
        noGrad(() => {
          const y = x(d, t, [7, 5]);
          y.transpose(0, 1)
            .mul_(x(d, t, [5, 7], 5))
            .add_(1);
          return y;
        }),
      'in place into a transposed view',
    );
    await onBoth(
      mode,
      (d) =>
        noGrad(() => {
          const y = x(d, t, [9]);
          y.narrow(0, 1, 7).fill_(0.3);
          return y;
        }),
      'fill of an odd-offset slice',
      true,
    );
  });

  s(`${mode.name}: copies: cat, pad and flip`, async () => {
    if (!mode.packed && !gpu().info.features.includes('shader-f16')) return;
    const t = mode.dtype;
    await onBoth(mode, (d) => cat([x(d, t, [3, 5]), x(d, t, [3, 2], 2)], 1), 'cat', true);
    await onBoth(mode, (d) => pad(x(d, t, [3, 5]), [1, 2], 0.5), 'pad', true);
    await onBoth(mode, (d) => flip(x(d, t, [3, 5]), [1]), 'flip', true);
  });

  s(`${mode.name}: matmul, reductions, scans, sort and gather`, async () => {
    if (!mode.packed && !gpu().info.features.includes('shader-f16')) return;
    const t = mode.dtype;
    // f32 accumulation, rounded once: the tolerance grows with K as the cpu's f64 sum differs in the last bit
    await onBoth(mode, (d) => x(d, t, [2, 5, 33]).matmul(x(d, t, [33, 7], 2)), 'batched matmul');
    await onBoth(
      mode,
      (d) =>
        x(d, t, [33, 6], 3)
          .transpose(0, 1)
          .matmul(x(d, t, [33, 3], 4)),
      'matmul of a transposed view',
    );
    await onBoth(mode, (d) => x(d, t, [4, 9]).sum(1), 'sum');
    await onBoth(mode, (d) => x(d, t, [4, 9]).mean(0), 'mean over dim 0 (column form)');
    await onBoth(mode, (d) => x(d, t, [4, 9]).amax(1), 'amax', true);
    await onBoth(mode, (d) => x(d, t, [4, 9]).argmax(1), 'argmax', true);
    await onBoth(mode, (d) => x(d, t, [3, 7]).cumsum(1), 'cumsum');
    await onBoth(mode, (d) => x(d, t, [3, 7]).argsort(1), 'argsort', true);
    await onBoth(
      mode,
      (d) => x(d, t, [5, 3]).indexSelect(0, tensor([4, 0, 4, 1], { dtype: 'i32', device: d })),
      'indexSelect',
      true,
    );
  });

  s(`${mode.name}: sliding windows (unfold, fold, conv2d, pools), scatterReduce and searchsorted`, async () => {
    if (!mode.packed && !gpu().info.features.includes('shader-f16')) return;
    const t = mode.dtype;
    // odd sizes and a transposed input: windows read x through its strides, outputs end mid-u32
    const img = (d: DeviceName) => x(d, t, [2, 3, 5, 7]).transpose(2, 3);
    await onBoth(mode, (d) => unfold(img(d), [2, 3], 1, 1, [2, 1]), 'unfold (strided input, padding)', true);
    await onBoth(mode, (d) => fold(x(d, t, [1, 6, 9]), [4, 5], [2, 3], 1, 0, 1), 'fold');
    await onBoth(mode, (d) => conv2d(img(d), x(d, t, [4, 3, 3, 2], 2), x(d, t, [4], 3), 1, 1), 'conv2d');
    await onBoth(mode, (d) => maxPool2d(img(d), 3, 2, 1, 1, false, true)[1], 'maxPool2d indices', true);
    await onBoth(mode, (d) => maxPool2d(img(d), 3, 2, 1), 'maxPool2d', true);
    await onBoth(mode, (d) => avgPool2d(img(d), 3, 2, 1, false, false), 'avgPool2d');
    await onBoth(
      mode,
      (d) => {
        const y = x(d, t, [1, 2, 5, 4]).requiresGrad_();
        avgPool2d(y, 3, 2, 1).backward(x(d, t, [1, 2, 3, 2], 4));
        return y.grad!;
      },
      'avgPool2d backward',
    );
    const index = (d: DeviceName) =>
      tensor(
        [
          [0, 2, 0],
          [1, 0, 2],
        ],
        { dtype: 'i32', device: d },
      );
    for (const reduce of ['sum', 'amax', 'mean'] as const) {
      await onBoth(
        mode,
        (d) => scatterReduce(x(d, t, [3, 3]), 0, index(d), x(d, t, [2, 3], 2), reduce),
        `scatterReduce ${reduce}`,
      );
    }
    const seq = (d: DeviceName) => cast(tensor([-1, -0.5, 0, 0.25, 0.5, 1.5, 2], { device: d }), t);
    await onBoth(mode, (d) => searchsorted(seq(d), x(d, t, [3, 5], 5)), 'searchsorted', true);
    await onBoth(
      mode,
      (d) => searchsorted(seq(d), cast(tensor([0.25, -1, 2], { device: d }), t), { right: true }),
      'searchsorted right',
      true,
    );
  });

  s(`${mode.name}: row kernels: softmax, logSoftmax, layerNorm, rmsNorm, crossEntropy`, async () => {
    if (!mode.packed && !gpu().info.features.includes('shader-f16')) return;
    const t = mode.dtype;
    // odd row lengths and counts: rows start on either half of a u32, and the last word of the output holds one
    await onBoth(mode, (d) => softmax(x(d, t, [5, 7]), 1), 'softmax');
    await onBoth(mode, (d) => logSoftmax(x(d, t, [7, 5]).transpose(0, 1), 1), 'logSoftmax of a transposed view');
    await onBoth(mode, (d) => x(d, t, [3, 9]).narrow(1, 1, 7).softmax(0), 'softmax over dim 0 of an odd-offset slice');
    await onBoth(
      mode,
      (d) => layerNorm(x(d, t, [3, 2, 5]), [2, 5], x(d, t, [2, 5], 2), x(d, t, [2, 5], 3)),
      'layerNorm with weight and bias',
    );
    await onBoth(
      mode,
      (d) => rmsNorm(x(d, t, [5, 3]).transpose(0, 1), 5, x(d, t, [5], 4)),
      'rmsNorm of a transposed view',
    );
    await onBoth(
      mode,
      (d) =>
        crossEntropy(x(d, t, [5, 7]), tensor([0, 6, 3, -100, 2], { dtype: 'i32', device: d }), {
          reduction: 'none',
          weight: x(d, t, [7], 5).abs(),
          labelSmoothing: 0.1,
        }),
      'crossEntropy with weights and label smoothing',
    );
    await onBoth(
      mode,
      (d) =>
        crossEntropyGrad(
          x(d, t, [7, 5]).transpose(0, 1),
          tensor([0, 6, 3, -100, 2], { dtype: 'i32', device: d }),
          x(d, t, [5], 6),
          x(d, t, [7], 5).abs(),
          { ignoreIndex: -100, labelSmoothing: 0.1, weight: true },
        ),
      'crossEntropy gradient (one row kernel) of a transposed view',
    );
  });
}

for (const mode of modes) {
  s(`${mode.name}: attention (fused forward and backward), rope, linearAttention`, async () => {
    if (!mode.packed && !gpu().info.features.includes('shader-f16')) return;
    const t = mode.dtype;
    const leaf = (d: DeviceName, shape: number[], seed: number) =>
      tensor(
        randomValues(
          shape.reduce((a, b) => a * b, 1),
          seed,
        ),
        { shape, dtype: t, device: d, requiresGrad: true },
      );
    // grouped-query heads, causal, head dim 6 (not a multiple of 4); the gradient of input `which` runs the fused
    // dQ and dK/dV kernels on webgpu
    const attention = (d: DeviceName, which: number) => {
      const qkv = [leaf(d, [1, 2, 5, 6], 1), leaf(d, [1, 1, 7, 6], 2), leaf(d, [1, 1, 7, 6], 3)];
      const out = scaledDotProductAttention(qkv[0], qkv[1], qkv[2], { causal: true });
      if (which < 0) return out.detach();
      out
        .mul(x(d, t, [1, 2, 5, 6], 4))
        .sum()
        .backward();
      return qkv[which].grad!;
    };
    await onBoth(mode, (d) => attention(d, -1), 'attention');
    for (const [i, name] of ['q', 'k', 'v'].entries()) await onBoth(mode, (d) => attention(d, i), `attention d${name}`);
    await onBoth(
      mode,
      (d) => rope(x(d, t, [1, 3, 5, 4]).transpose(1, 2), tensor([0, 3, 1], { dtype: 'i32', device: d })),
      'rope of a transposed view',
    );
    await onBoth(
      mode,
      (d) => linearAttention(x(d, t, [1, 2, 5, 3]).abs(), x(d, t, [1, 2, 5, 3], 2).abs(), x(d, t, [1, 2, 5, 7], 3)),
      'linearAttention',
    );
  });
}

s('an op without a kernel for packed storage raises at the op with a sentence, never a WGSL error', () => {
  // every op with a webgpu kernel reads packed storage now; the guard in apply() stays for the next one
  const h = tensor([1, 2, 3], { dtype: 'bf16', device: 'webgpu' });
  assertThrows(() => apply(unpackedOp, [h], undefined), 'unpackedOp:', 'bf16', 'packed', 'x.float()');
  h.dispose();
});

s.run();
