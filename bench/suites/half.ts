// 16-bit floats: matmul, add and softmax in f16 and bf16 (values stored in 16 bits, computed in f32), timed per
// call and queued. f16 runs natively where the adapter has 'shader-f16' and packed two per u32 otherwise (NVIDIA
// through Dawn); where both are possible, both run (setPackedF16 forces the packed path). bf16 is always packed.
// Each case name says which path ran, read back from the executor's state rather than assumed. Every path is
// checked against the cpu backend on a small problem of the same op before it is timed.
import { tensor, tuneMatmul, softmax, type Tensor } from '../../index.js';
import { gpu, packsHalf, setPackedF16 } from '../../core/device.js';
import { flags } from '../../core/flags.js';
import { quick } from '../harness.js';
import { attempt, check, recordBoth, values } from '../common.js';
import type { BenchSizes } from '../sizes.js';

type Half = 'f16' | 'bf16';

const make = (dtype: Half, shape: number[], seed: number, device: 'cpu' | 'webgpu'): Tensor =>
  tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    { shape, dtype, device },
  );

/** Rounding of the 16-bit result (11 or 8 significant bits) plus the f32 accumulation's. */
const tolerance = (dtype: Half) => (dtype === 'f16' ? { atol: 1e-2, rtol: 1e-2 } : { atol: 5e-2, rtol: 2e-2 });

/** Runs op on webgpu and on cpu over the same inputs and compares; raises on a mismatch. */
async function checkOp(what: string, dtype: Half, shapes: number[][], op: (...x: Tensor[]) => Tensor): Promise<void> {
  const g = shapes.map((s, i) => make(dtype, s, i + 1, 'webgpu'));
  const c = shapes.map((s, i) => make(dtype, s, i + 1, 'cpu'));
  const got = op(...g);
  const ref = op(...c);
  check(what, await got.data(), await ref.data(), tolerance(dtype));
  [got, ref, ...g, ...c].forEach((t) => t.dispose());
}

/** The storage paths to time: f16 native (if the adapter has it) and packed, then bf16 (always packed). */
function paths(): { dtype: Half; forcePacked: boolean }[] {
  const f16 = gpu().hasF16 ? [false, true] : [true];
  return [...f16.map((forcePacked) => ({ dtype: 'f16' as const, forcePacked })), { dtype: 'bf16', forcePacked: false }];
}

export async function halfSuite(sizes: BenchSizes): Promise<void> {
  const calls = sizes.queued;
  const n = sizes.matmulOther;
  const [r, c] = sizes.halfSoftmax;
  const len = sizes.halfAdd;
  const addCase = len >= 1 << 20 ? `${len >> 20}M` : `${len >> 10}K`;
  for (const { dtype, forcePacked } of paths()) {
    setPackedF16(forcePacked);
    try {
      const path = `${dtype} ${dtype === 'bf16' || packsHalf() ? 'packed' : 'native'}`;
      const small = Math.min(n, 128);
      await attempt('matmul', `${path} ${n}^3`, async () => {
        await checkOp(
          `tessera matmul ${path}`,
          dtype,
          [
            [small, small],
            [small, small],
          ],
          (a, b) => a.matmul(b),
        );
        const [tuned] = await tuneMatmul([{ M: n, N: n, K: n, dtype }], { reps: quick ? 1 : 3 });
        const [a, b] = [make(dtype, [n, n], 1, 'webgpu'), make(dtype, [n, n], 2, 'webgpu')];
        await recordBoth('matmul', `${path} ${n}^3`, `tessera (${tuned.choice})`, () => a.matmul(b), calls, {
          flops: 2 * n ** 3,
        });
        [a, b].forEach((t) => t.dispose());
      });
      const checkLen = Math.min(len, 1 << 20);
      await attempt('elementwise', `add ${addCase} ${path}`, async () => {
        await checkOp(`tessera add ${path}`, dtype, [[checkLen], [checkLen]], (x, y) => x.add(y));
        const [x, y] = [make(dtype, [len], 1, 'webgpu'), make(dtype, [len], 2, 'webgpu')];
        await recordBoth('elementwise', `add ${addCase} ${path}`, 'tessera', () => x.add(y), calls, { bytes: 6 * len });
        [x, y].forEach((t) => t.dispose());
      });
      await attempt('softmax', `softmax ${r}x${c} ${path}`, async () => {
        await checkOp(`tessera softmax ${path}`, dtype, [[Math.min(r, 256), c]], (t) => softmax(t, -1));
        const s = make(dtype, [r, c], 3, 'webgpu');
        await recordBoth('softmax', `softmax ${r}x${c} ${path}`, 'tessera', () => softmax(s, -1), calls, {
          bytes: 4 * r * c,
        });
        s.dispose();
      });
    } finally {
      setPackedF16(flags.packF16);
    }
  }
}
