// Seeded random tensors from the counter-based Philox generator: the same seed gives the same numbers on the cpu
// and webgpu backends. Every call draws a new stream from the global generator (manualSeed resets it), or uses the
// `seed` given in its options without touching the global state.
import type { Tensor } from '../core/tensor.js';
import { isFloat, type DType } from '../core/dtype.js';
import { getDefaultDevice, getDefaultDtype } from '../core/defaults.js';
import type { DeviceName } from '../core/storage.js';
import { sizeAndOptions, type SizeArgs } from '../core/shape.js';
import { elementwise, type ElementwiseDef } from './elementwise.js';
import { PHILOX_WGSL, philox, uniform01 } from '../shaders/philox.js';

let globalSeed = 0x5eed;
let nextStream = 0;

/** Seeds the global generator (as torch.manual_seed). */
export function manualSeed(seed: number): void {
  globalSeed = seed;
  nextStream = 0;
}

export interface RandomOptions {
  dtype?: DType;
  device?: DeviceName;
  /** use this seed instead of drawing from the global generator */
  seed?: number;
  requiresGrad?: boolean;
}

/** raw params: seed low word, seed high word, stream, then op-specific words */
function draw(opts: RandomOptions): [number, number, number] {
  const seed = opts.seed ?? globalSeed;
  const stream = opts.seed === undefined ? nextStream++ : 0;
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, stream >>> 0];
}

const bits = (p: number[], idx: number) => philox(idx, p[2], p[0], p[1]);

const RAND: ElementwiseDef = {
  name: 'rand', arity: 0, kind: 'any', rawParams: true, helpers: PHILOX_WGSL,
  wgsl: 'uniform01(rand_bits(idx).x)', cpu: (_a, _b, _c, p, idx) => uniform01(bits(p, idx)[0]), backward: null,
};

// Box-Muller on two uniforms; u1 is shifted into (0, 1] so its log is finite.
const RANDN: ElementwiseDef = {
  name: 'randn', arity: 0, kind: 'any', rawParams: true, helpers: PHILOX_WGSL,
  wgsl: 'sqrt(-2.0 * log(uniform01(rand_bits(idx).x) + 5.9604644775390625e-8)) * cos(6.283185307179586 * uniform01(rand_bits(idx).y))',
  cpu: (_a, _b, _c, p, idx) => {
    const [x, y] = bits(p, idx);
    return Math.sqrt(-2 * Math.log(uniform01(x) + 5.9604644775390625e-8)) * Math.cos(2 * Math.PI * uniform01(y));
  },
  backward: null,
};

// low + bits mod (high - low): params 3 = range, 4 = low (as a u32 bit pattern)
const RANDINT: ElementwiseDef = {
  name: 'randint', arity: 0, kind: 'any', rawParams: true, helpers: PHILOX_WGSL,
  wgsl: 'i32(rand_bits(idx).x % uw(W_params + 3u)) + bitcast<i32>(uw(W_params + 4u))',
  cpu: (_a, _b, _c, p, idx) => (bits(p, idx)[0] % p[3]) + (p[4] | 0), backward: null,
};

function make(def: ElementwiseDef, shape: readonly number[], params: number[], dtype: DType, opts: RandomOptions): Tensor {
  const t = elementwise(def, [], params, { shape, dtype, device: opts.device ?? getDefaultDevice() });
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function floatDtype(op: string, opts: RandomOptions): DType {
  const dtype = opts.dtype ?? getDefaultDtype();
  if (!isFloat(dtype)) throw new Error(`${op}: dtype must be a float dtype (f32, f16, bf16, f64), got ${dtype}`);
  return dtype;
}

/** Uniform samples in [0, 1); the shape as a list or as sizes, options last (rand(2, 3, { seed: 1 })). */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const { shape, opts } = sizeAndOptions<RandomOptions>('rand', args);
  return make(RAND, shape, draw(opts), floatDtype('rand', opts), opts);
}

/** Standard normal samples; the shape as a list or as sizes, options last. */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const { shape, opts } = sizeAndOptions<RandomOptions>('randn', args);
  return make(RANDN, shape, draw(opts), floatDtype('randn', opts), opts);
}

/** Integers uniform in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  return make(RANDINT, shape, [...draw(opts), high - low, low >>> 0], opts.dtype ?? 'i32', opts);
}

/** 1 with probability p (a tensor or number), else 0; float output like torch.bernoulli. */
export function bernoulli(p: Tensor | number, opts: RandomOptions & { shape?: readonly number[] } = {}): Tensor {
  const shape = typeof p === 'number' ? opts.shape ?? [] : p.shape;
  const u = rand(shape, { ...opts, dtype: 'f32', device: typeof p === 'number' ? opts.device : p.device, requiresGrad: false });
  const hit = u.lt(p);
  const out = hit.cast(opts.dtype ?? (typeof p === 'number' ? getDefaultDtype() : p.dtype));
  u.dispose();
  if (out !== hit) hit.dispose();
  return out;
}
