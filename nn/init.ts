// Parameter initialisers, as torch.nn.init: each fills a tensor in place (without recording autograd) and returns
// it. Random values come from the library's Philox generator, so `manualSeed` or a `seed` option makes them
// reproducible and identical on the cpu and webgpu backends.
import { Tensor, noGrad, tidy } from '../core/index.js';
import { rand, randn, where } from '../ops/index.js';
import { erf } from '../shaders/math.js';

export interface InitOptions {
  /** draw from this seed instead of the global generator */
  seed?: number;
}

export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';
export type FanMode = 'fanIn' | 'fanOut';

/** Writes `make()` into `t` without autograd; the temporaries are freed. */
function fill(t: Tensor, make: () => Tensor): Tensor {
  t.assertAlive('init');
  noGrad(() => tidy(() => { t.copy_(make()); }));
  return t;
}

const genOpts = (t: Tensor, opts: InitOptions) => ({ device: t.device, dtype: t.dtype === 'f64' ? 'f64' as const : 'f32' as const, seed: opts.seed });

export const zeros_ = (t: Tensor): Tensor => fill(t, () => t.mul(0));
export const ones_ = (t: Tensor): Tensor => fill(t, () => t.mul(0).add(1));
export const constant_ = (t: Tensor, value: number): Tensor => fill(t, () => t.mul(0).add(value));

/** Uniform on [low, high). */
export function uniform_(t: Tensor, low = 0, high = 1, opts: InitOptions = {}): Tensor {
  return fill(t, () => rand(t.shape, genOpts(t, opts)).mul(high - low).add(low));
}

/** Normal with the given mean and standard deviation. */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  return fill(t, () => randn(t.shape, genOpts(t, opts)).mul(std).add(mean));
}

/**
 * erf^-1 on (-1, 1) from tensor ops: M. Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011),
 * single-precision polynomials in w = -log(1 - x^2), one for w < 5 and one for the tails.
 */
function erfinv(x: Tensor): Tensor {
  const w = x.square().neg().add(1).log().neg();
  const horner = (z: Tensor, coeffs: number[]) => coeffs.slice(1).reduce((p, c) => p.mul(z).add(c), z.mul(0).add(coeffs[0]));
  const central = horner(w.sub(2.5), [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
    -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]);
  const tail = horner(w.sqrt().sub(3), [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
    -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]);
  return where(w.lt(5), central, tail).mul(x);
}

/** The standard normal CDF, Phi(z) = (1 + erf(z / sqrt 2)) / 2. */
const normalCdf = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));

/**
 * Normal(mean, std) truncated to [a, b] (absolute bounds, as torch.nn.init.trunc_normal_), by the inverse-CDF
 * method: u uniform on [Phi(alpha), Phi(beta)] with alpha = (a - mean)/std, then x = mean + std sqrt(2) erfinv(2u - 1).
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitOptions = {}): Tensor {
  if (!(a < b)) throw new Error(`truncNormal_: need a < b, got a=${a}, b=${b}`);
  const lo = 2 * normalCdf((a - mean) / std) - 1;
  const hi = 2 * normalCdf((b - mean) / std) - 1;
  return fill(t, () => erfinv(rand(t.shape, genOpts(t, opts)).mul(hi - lo).add(lo)).mul(std * Math.SQRT2).add(mean).clamp(a, b));
}

/** fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field (weights are [out, in, ...]). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new Error(`init: fan in and fan out need a tensor of at least 2 dims, got shape [${t.shape}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, negativeSlope = 0.01): number {
  switch (nonlinearity) {
    case 'linear': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': return Math.sqrt(2 / (1 + negativeSlope ** 2));
    case 'selu': return 3 / 4;
    default: throw new Error(`calculateGain: unknown nonlinearity '${nonlinearity}' (valid: linear, sigmoid, tanh, relu, leakyRelu, selu)`);
  }
}

/** Glorot & Bengio (2010): U(-g sqrt(6 / (fan_in + fan_out)), +...). */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, opts);
}

/** Glorot & Bengio (2010): N(0, g^2 * 2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

export interface KaimingOptions extends InitOptions {
  /** negative slope of the leaky ReLU that follows (0 for ReLU) */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const fan = fans(t)[opts.mode ?? 'fanIn'];
  return calculateGain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0) / Math.sqrt(fan);
}

/** He et al. (2015): U(-b, b) with b = gain * sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts);
}

/** He et al. (2015): N(0, gain^2 / fan). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts), opts);
}
