// Rotary position embedding (RoPE, Su et al. 2021) as an op: x [B, H, T, D] with positions [T] or [B, T] (i32)
// becomes x rotated pairwise, dims (i, i + D/2) by the angle pos * base^(-2i/D). Rotations are orthogonal, so the
// backward is the same op with the angle negated.
import type { Tensor } from '../core/tensor.js';
import type { DeviceName } from '../core/storage.js';
import { pipeline } from '../shaders/pipelines.js';
import { grid } from '../shaders/preamble.js';
import { ropeKernel, ropeKey, ropeSource } from '../shaders/attention.js';
import { apply, describe, valuesOf, type OpSpec } from './op.js';
import { tensor } from './creation.js';

interface RopeParams { base: number; sign: 1 | -1 }

/** Strides of positions over (b, t), with 0 for a [T] tensor shared by the batch. */
const positionStrides = (p: Tensor): [number, number] => (p.ndim === 1 ? [0, p.strides[0]] : [p.strides[0], p.strides[1]]);

const ROPE: OpSpec<RopeParams> = {
  name: 'rope',
  infer([x, pos]) {
    if (x.ndim !== 4 || x.shape[3] % 2 !== 0) throw new Error(`rope: expected x [B, H, T, D] with even D, got ${describe(x)}`);
    const [B, , T] = x.shape;
    const ok = pos.dtype === 'i32' && ((pos.ndim === 1 && pos.shape[0] === T) || (pos.ndim === 2 && pos.shape[0] === B && pos.shape[1] === T));
    if (!ok) throw new Error(`rope: positions must be i32 [${T}] or [${B}, ${T}] for x ${describe(x)}, got ${describe(pos)}`);
    return { shape: x.shape, dtype: x.dtype };
  },
  cpu(out, [x, pos], { base, sign }) {
    const [B, H, T, D] = x.shape;
    const X = valuesOf(x);
    const P = valuesOf(pos);
    const shared = pos.ndim === 1;
    const O = out.storage.cpu!;
    const half = D / 2;
    for (let r = 0; r < B * H * T; r++) {
      const b = Math.floor(r / (H * T));
      const t = r % T;
      for (let i = 0; i < half; i++) {
        const angle = sign * P[shared ? t : b * T + t] * base ** (-2 * i / D);
        const [c, s] = [Math.cos(angle), Math.sin(angle)];
        const [x1, x2] = [X[r * D + i], X[r * D + i + half]];
        O[r * D + i] = x1 * c - x2 * s;
        O[r * D + i + half] = x2 * c + x1 * s;
      }
    }
  },
  webgpu(out, [x, pos], { base, sign }) {
    const [, H, T, D] = x.shape;
    const decl = ropeKernel(x.dtype);
    const m = decl.meta().u32('n', out.numel).u32('H', H).u32('T', T).u32('D', D).f32('sign', sign).f32('base', base)
      .list('x', [x.offset, ...x.strides]).list('pos', [pos.offset, ...positionStrides(pos)]);
    decl.dispatch(pipeline(ropeKey(x.dtype), () => ropeSource(x.dtype)),
      { X: x.storage.buffer!, P: pos.storage.buffer!, O: out.storage.buffer! }, m, grid(Math.ceil(out.numel / 256)));
  },
  backward: (g, { inputs: [, pos], params }) => [apply(ROPE, [g, pos], { ...params, sign: -params.sign as 1 | -1 }), null],
  saves: ({ inputs: [, pos] }) => [pos],
  packedHalf: true,
};

/** Rotates q or k [B, H, T, D] by their positions ([T] or [B, T], i32). */
export function rope(x: Tensor, positions: Tensor, opts: { base?: number } = {}): Tensor {
  return apply(ROPE, [x, positions], { base: opts.base ?? 10000, sign: 1 });
}

/** Positions start, start + 1, ..., start + T - 1 as an i32 tensor. */
export function positionsFrom(start: number, T: number, device?: DeviceName): Tensor {
  return tensor(Int32Array.from({ length: T }, (_, i) => start + i), { dtype: 'i32', device });
}
