// Tensor methods (t.add(u), t.sum(1, true), ...), installed on the prototype so that core/ needs no ops import.
// Each is the functional op with `this` as the first argument; in-place variants end in `_`.
import { Tensor } from '../core/tensor.js';
import type { DType } from '../core/dtype.js';
import { elementwise, type Operand } from './elementwise.js';
import { UNARY } from './unary.js';
import { BINARY } from './binary.js';
import * as F from './functional.js';
import * as V from './views.js';
import { matmul } from './matmul.js';
import type { Dims, VarianceOptions } from './reduce.js';

type Unary = () => Tensor;
type Binary = (other: Operand) => Tensor;
type Reduction = (dim?: Dims, keepdim?: boolean) => Tensor;

declare module '../core/tensor.js' {
  interface Tensor {
    neg: Unary; abs: Unary; sign: Unary; exp: Unary; log: Unary; log1p: Unary; expm1: Unary; sqrt: Unary;
    rsqrt: Unary; square: Unary; reciprocal: Unary; sin: Unary; cos: Unary; tanh: Unary; sigmoid: Unary;
    relu: Unary; erf: Unary; silu: Unary; floor: Unary; ceil: Unary; round: Unary; isnan: Unary; isfinite: Unary;
    logicalNot: Unary;
    leakyRelu(negativeSlope?: number): Tensor;
    gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor;
    softplus(opts?: { beta?: number; threshold?: number }): Tensor;
    elu(alpha?: number): Tensor;
    clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
    nanToNum(opts?: { nan?: number; posinf?: number; neginf?: number }): Tensor;
    add: Binary; sub: Binary; mul: Binary; div: Binary; pow: Binary; maximum: Binary; minimum: Binary;
    remainder: Binary; eq: Binary; ne: Binary; lt: Binary; le: Binary; gt: Binary; ge: Binary;
    logicalAnd: Binary; logicalOr: Binary; logicalXor: Binary;
    /** this where cond is true, else other (torch's Tensor.where) */
    where(cond: Operand, other: Operand): Tensor;
    sum: Reduction; mean: Reduction; prod: Reduction; amax: Reduction; amin: Reduction; all: Reduction; any: Reduction;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    min(): Tensor;
    min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    /** torch's forms: var(dim, unbiased?, keepdim?), var(dim, { correction, keepdim }), var(unbiased) */
    var(dim?: Dims | boolean, unbiased?: boolean | VarianceOptions, keepdim?: boolean): Tensor;
    std(dim?: Dims | boolean, unbiased?: boolean | VarianceOptions, keepdim?: boolean): Tensor;
    logsumexp(dim?: Dims, keepdim?: boolean): Tensor;
    norm(p?: number, dim?: Dims, keepdim?: boolean): Tensor;
    matmul(other: Tensor): Tensor;
    cast(dtype: DType): Tensor;
    float(): Tensor; half(): Tensor; int(): Tensor; bool(): Tensor;
    reshape(shape: readonly number[]): Tensor;
    view(shape: readonly number[]): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** transpose of a matrix (the last two dims), as torch's .mT */
    readonly T: Tensor;
    expand(shape: readonly number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    // in place (allowed on tensors that do not require grad, or inside noGrad)
    copy_(src: Operand): Tensor;
    fill_(value: number): Tensor;
    zero_(): Tensor;
    add_(other: Operand): Tensor;
    sub_(other: Operand): Tensor;
    mul_(other: Operand): Tensor;
    div_(other: Operand): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
for (const name of ['neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin',
  'cos', 'tanh', 'sigmoid', 'relu', 'erf', 'silu', 'floor', 'ceil', 'round', 'isnan', 'isfinite', 'logicalNot'] as const) {
  P[name] = function (this: Tensor) { return elementwise(UNARY[name], [this]); };
}
for (const name of Object.keys(BINARY) as (keyof typeof BINARY)[]) {
  P[name] = function (this: Tensor, other: Operand) { return elementwise(BINARY[name], [this, other]); };
}
const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  leakyRelu(negativeSlope?: number) { return F.leakyRelu(this, negativeSlope); },
  gelu(opts?: { approximate?: 'none' | 'tanh' }) { return F.gelu(this, opts); },
  softplus(opts?: { beta?: number; threshold?: number }) { return F.softplus(this, opts); },
  elu(alpha?: number) { return F.elu(this, alpha); },
  clamp(min?: number | Tensor | null, max?: number | Tensor | null) { return F.clamp(this, min, max); },
  nanToNum(opts?: { nan?: number; posinf?: number; neginf?: number }) { return F.nanToNum(this, opts); },
  where(cond: Operand, other: Operand) { return F.where(cond, this, other); },
  sum(dim?: Dims, keepdim?: boolean) { return F.sum(this, dim, keepdim); },
  mean(dim?: Dims, keepdim?: boolean) { return F.mean(this, dim, keepdim); },
  prod(dim?: Dims, keepdim?: boolean) { return F.prod(this, dim, keepdim); },
  amax(dim?: Dims, keepdim?: boolean) { return F.amax(this, dim, keepdim); },
  amin(dim?: Dims, keepdim?: boolean) { return F.amin(this, dim, keepdim); },
  all(dim?: Dims, keepdim?: boolean) { return F.all(this, dim, keepdim); },
  any(dim?: Dims, keepdim?: boolean) { return F.any(this, dim, keepdim); },
  argmax(dim?: number, keepdim?: boolean) { return F.argmax(this, dim, keepdim); },
  argmin(dim?: number, keepdim?: boolean) { return F.argmin(this, dim, keepdim); },
  max(dim?: number, keepdim?: boolean) { return dim === undefined ? F.max(this) : F.max(this, dim, keepdim); },
  min(dim?: number, keepdim?: boolean) { return dim === undefined ? F.min(this) : F.min(this, dim, keepdim); },
  var(dim?: Dims | boolean, unbiased?: boolean | VarianceOptions, keepdim?: boolean) { return F.var_(this, dim, unbiased, keepdim); },
  std(dim?: Dims | boolean, unbiased?: boolean | VarianceOptions, keepdim?: boolean) { return F.std(this, dim, unbiased, keepdim); },
  logsumexp(dim?: Dims, keepdim?: boolean) { return F.logsumexp(this, dim, keepdim); },
  norm(p?: number, dim?: Dims, keepdim?: boolean) { return F.norm(this, p, dim, keepdim); },
  matmul(other: Tensor) { return matmul(this, other); },
  cast(dtype: DType) { return F.cast(this, dtype); },
  float() { return F.cast(this, 'f32'); },
  half() { return F.cast(this, 'f16'); },
  int() { return F.cast(this, 'i32'); },
  bool() { return F.cast(this, 'bool'); },
  reshape(shape: readonly number[]) { return V.reshape(this, shape); },
  view(shape: readonly number[]) { return V.viewAs(this, shape); },
  permute(dims: readonly number[]) { return V.permute(this, dims); },
  transpose(dim0?: number, dim1?: number) { return V.transpose(this, dim0, dim1); },
  expand(shape: readonly number[]) { return V.expand(this, shape); },
  expandAs(other: Tensor) { return V.expand(this, other.shape); },
  squeeze(dim?: number | readonly number[]) { return V.squeeze(this, dim); },
  unsqueeze(dim: number) { return V.unsqueeze(this, dim); },
  flatten(startDim?: number, endDim?: number) { return V.flatten(this, startDim, endDim); },
  unflatten(dim: number, sizes: readonly number[]) { return V.unflatten(this, dim, sizes); },
  slice(dim: number, start?: number, end?: number, step?: number) { return V.slice(this, dim, start, end, step); },
  narrow(dim: number, start: number, length: number) { return V.narrow(this, dim, start, length); },
  select(dim: number, index: number) { return V.select(this, dim, index); },
  contiguous() { return V.contiguous(this); },
  clone() { return V.clone(this); },
  detach() { return V.detach(this); },
  copy_(src: Operand) { return elementwise(UNARY.cast, [src], [], { out: this }); },
  fill_(value: number) { return elementwise(UNARY.cast, [value], [], { out: this }); },
  zero_() { return elementwise(UNARY.cast, [0], [], { out: this }); },
  add_(other: Operand) { return elementwise(BINARY.add, [this, other], [], { out: this }); },
  sub_(other: Operand) { return elementwise(BINARY.sub, [this, other], [], { out: this }); },
  mul_(other: Operand) { return elementwise(BINARY.mul, [this, other], [], { out: this }); },
  div_(other: Operand) { return elementwise(BINARY.div, [this, other], [], { out: this }); },
  clamp_(min?: number | null, max?: number | null) {
    if ((min as unknown) instanceof Tensor || (max as unknown) instanceof Tensor) {
      throw new Error('clamp_: tensor bounds are supported by clamp (out of place) only; use x.copy_(x.clamp(min, max))');
    }
    return elementwise(UNARY.clamp, [this], [min ?? -Infinity, max ?? Infinity], { out: this });
  },
};
Object.assign(P, methods);
// torch's .T reverses every dim (a matrix's transpose; torch deprecates it for ndim != 2, where it is still this)
Object.defineProperty(Tensor.prototype, 'T', { get(this: Tensor) { return V.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); } });
