// Self-attention over a packed q/k/v projection (packedSelfAttention, which MultiHeadAttention runs): its output
// [B, T, H, D] and the gradient of the whole projection, written in place by the fused backward, against the unfused
// reference on the projection's head views (so each of dq, dk and dv must land at its heads' offsets), on both
// backward paths, for grouped-query heads, windows, masks with a gradient, odd T, head dims not divisible by 4 and a
// projection at an odd offset; the cpu path by a float64 gradcheck; and the dispatches a softmax attention layer
// records, pinned (no zero fill, copy or add assembles the projection's gradient; no copy merges the heads).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countDispatches, tensor, tidy, type Tensor } from '../../index.js';
import { attentionUnfused, packedSelfAttention, type AttentionOptions } from '../../ops/attention.js';
import { MultiHeadAttention } from '../../nn/attention/multi-head.js';
import { initGpu, setPackedF16 } from '../../core/device.js';
import { assertTensorClose, gradcheck, randomTensor, randomValues, withSubgroupsHidden } from '../helpers.js';

const s = suite('nn/packed attention');

interface Case {
  name: string;
  B: number;
  H: number;
  hkv: number;
  T: number;
  D: number;
  o: AttentionOptions;
  /** an additive [H, T, T] mask with a gradient */
  mask?: boolean;
  /** the projection as a view at offset 1 of a [.., D + 1] tensor (scalar loads, rows at an odd offset) */
  offset?: boolean;
}
const cases: Case[] = [
  {
    name: '4 query heads over 2, window 5, T 19, D 8',
    B: 2,
    H: 4,
    hkv: 2,
    T: 19,
    D: 8,
    o: { causal: true, window: 5 },
  },
  { name: 'causal, T 67 (two row tiles), D 5', B: 1, H: 2, hkv: 2, T: 67, D: 5, o: { causal: true } },
  {
    name: 'mask with a gradient, 3 heads over 1, T 9',
    B: 1,
    H: 3,
    hkv: 1,
    T: 9,
    D: 4,
    o: { causal: true },
    mask: true,
  },
  { name: 'projection at an odd offset, not causal, T 11', B: 2, H: 2, hkv: 1, T: 11, D: 6, o: {}, offset: true },
];

/** Output [B, T, H, D] and the gradients of the projection (and mask) under a fixed random output weighting. */
function run(packed: boolean, c: Case): Tensor[] {
  const heads = c.H + 2 * c.hkv;
  const leaf = randomTensor([c.B, c.T, heads, c.D + (c.offset ? 1 : 0)], {
    device: 'webgpu',
    seed: 1,
    requiresGrad: true,
  });
  const maskValues = randomValues(c.H * c.T * c.T, 4, -1, 1);
  const mask = c.mask ? tensor(maskValues, { shape: [c.H, c.T, c.T], device: 'webgpu', requiresGrad: true }) : null;
  const w = randomTensor([c.B, c.T, c.H, c.D], { device: 'webgpu', seed: 5 });
  const out = tidy(() => {
    const qkv = c.offset ? leaf.narrow(-1, 1, c.D) : leaf;
    const opts = { ...c.o, mask };
    let o: Tensor;
    if (packed) o = packedSelfAttention(qkv, c.H, c.hkv, opts);
    else {
      const view = (start: number, n: number) => qkv.narrow(2, start, n).transpose(1, 2);
      const [q, k, v] = [view(0, c.H), view(c.H, c.hkv), view(c.H + c.hkv, c.hkv)];
      o = attentionUnfused(q, k, v, opts).transpose(1, 2).contiguous();
    }
    o.mul(w).sum().backward();
    return o;
  });
  const grads = [leaf, ...(mask ? [mask] : [])].map((t) => t.grad!);
  [leaf, w, ...(mask ? [mask] : [])].forEach((t) => {
    t.grad = null;
    t.dispose();
  });
  return [out, ...grads];
}

const paths = [
  { name: 'subgroup kernels', missingSubgroups: false },
  { name: 'workgroup-memory kernels', missingSubgroups: true },
];
for (const path of paths) {
  for (const c of cases) {
    s(`output and projection gradient match the unfused reference (${path.name}): ${c.name}`, async () => {
      await initGpu();
      const reference = run(false, c);
      const fused = withSubgroupsHidden(path.missingSubgroups, () => run(true, c));
      const names = ['output', 'dqkv', 'dmask'];
      for (let i = 0; i < fused.length; i++)
        await assertTensorClose(fused[i], reference[i], { atol: 2e-4, rtol: 1e-3, msg: `${c.name}: ${names[i]}` });
      [...fused, ...reference].forEach((t) => t.dispose());
    });
  }
}

// Half-width projections: the kernels compute in f32 and store f16 (native, or packed two to a u32 where writes to
// the two halves of a word come from different rows: D 5 puts row edges mid-word) or bf16; against the same math in
// f32 on the half values, to the half's rounding.
for (const [name, dtype, packed] of [
  ['f16 native', 'f16', false],
  ['f16 packed', 'f16', true],
  ['bf16 packed', 'bf16', true],
] as const) {
  s(`${name}: output and projection gradient match f32 on the same values (D 5, grouped heads)`, async () => {
    await initGpu();
    const [B, T, H, hkv, D] = [2, 13, 2, 1, 5];
    const values = randomTensor([B, T, H + 2 * hkv, D], { device: 'webgpu', seed: 7 });
    const weights = randomTensor([B, T, H, D], { device: 'webgpu', seed: 8 });
    const run = (dt: 'f32' | typeof dtype) => {
      const leaf = values.cast(dtype).cast(dt).detach().requiresGrad_();
      const out = tidy(() => {
        const o = packedSelfAttention(leaf, H, hkv, { causal: true });
        o.mul(weights.cast(dtype).cast(dt)).sum().backward();
        return o.cast('f32');
      });
      const grad = leaf.grad!;
      leaf.grad = null;
      leaf.dispose();
      const grad32 = grad.cast('f32');
      if (grad32 !== grad) grad.dispose();
      return [out, grad32];
    };
    setPackedF16(packed);
    let half: Tensor[];
    try {
      half = run(dtype);
    } finally {
      setPackedF16(false);
    }
    const full = run('f32');
    const atol = dtype === 'bf16' ? 0.05 : 0.01;
    await assertTensorClose(half[0], full[0], { atol, rtol: atol, msg: `${name} output` });
    await assertTensorClose(half[1], full[1], { atol, rtol: atol, msg: `${name} dqkv` });
    [...half, ...full, values, weights].forEach((t) => t.dispose());
  });
}

s('float64 gradcheck (cpu path): grouped heads, window and a mask with a gradient', async () => {
  const [B, T, H, hkv, D] = [1, 5, 2, 1, 3];
  const f = (qkv: Tensor, m: Tensor) =>
    packedSelfAttention(qkv, H, hkv, { causal: true, window: 3, mask: m }).square().sum();
  await gradcheck(f, [
    { shape: [B, T, H + 2 * hkv, D], values: randomValues(B * T * (H + 2 * hkv) * D, 11) },
    { shape: [H, T, T], values: randomValues(H * T * T, 14, -1, 1) },
  ]);
});

s('errors name the projection and the heads', () => {
  const qkv = randomTensor([1, 3, 5, 4]);
  assert.throws(
    () => packedSelfAttention(qkv, 2, 2),
    /packedSelfAttention: expected qkv \[B, T, H \+ 2 Hkv, D\] with H 2, Hkv 2/,
  );
  qkv.dispose();
});

// A softmax attention layer: forward the qkv matmul, the flash kernel and the output projection; backward the output
// projection's two matmuls and bias sum, the two flash kernels and the qkv projection's weight matmul and bias sum
// (x needs no gradient). Before the packed op: 4 forward (a copy merged the heads) and 11 backward (a zero fill and a
// strided copy for dq, two adds for dk and dv).
s('a softmax attention layer records 3 forward and 7 backward dispatches, none elementwise', async () => {
  await initGpu();
  const m = new MultiHeadAttention({ dModel: 16, nHeads: 2, nKvHeads: 1, bias: true, device: 'webgpu' });
  const x = randomTensor([2, 8, 16], { device: 'webgpu', seed: 3 });
  const g = randomTensor([2, 8, 16], { device: 'webgpu', seed: 4 });
  for (let i = 0; i < 2; i++) {
    const f = countDispatches(() => m.forward(x));
    const b = countDispatches(() => f.value.backward(g));
    const list = (c: { byKernel: [string, number][] }) => c.byKernel.map(([k, n]) => `${n} ${k}`).join('; ');
    assert.is(f.dispatches, 3, list(f));
    assert.is(b.dispatches, 7, list(b));
    assert.equal(
      [...f.byKernel, ...b.byKernel].filter(([k]) => k.startsWith('ew|')),
      [],
      list(b),
    );
    f.value.dispose();
    m.parameters().forEach((p) => {
      p.grad?.dispose();
      p.grad = null;
    });
  }
  [x, g].forEach((t) => t.dispose());
  m.dispose();
});

s.run();
