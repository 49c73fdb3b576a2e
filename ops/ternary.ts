// Ternary elementwise ops (lerp, addcmul): a WGSL expression over a, b, c, its JS twin and its backward rule, as in
// unary.ts and binary.ts. Any operand may be a number (passed as a uniform) or a tensor (broadcast as in PyTorch).
import { Tensor } from '../core/tensor.js';
import { elementwise, type ElementwiseDef, type Operand } from './elementwise.js';

const def = (d: Omit<ElementwiseDef, 'arity'>): ElementwiseDef => ({ arity: 3, ...d });
const isTensor = (o: Operand): o is Tensor => o instanceof Tensor;
/** o1 - o2 and o1 * o2 for operands of which either may be a number */
const sub = (x: Operand, y: Operand): Operand => (isTensor(x) ? x.sub(y) : isTensor(y) ? y.neg().add(x) : x - y);
const mul = (g: Tensor, ...fs: Operand[]): Tensor => fs.reduce<Tensor>((acc, f) => acc.mul(f), g);

export const TERNARY = {
  // start + weight (end - start), computed from the nearer end as torch does (exact at weight 0 and 1)
  lerp: def({
    name: 'lerp',
    kind: 'float',
    wgsl: 'select(b - (b - a) * (1.0 - c), a + c * (b - a), abs(c) < 0.5)',
    cpu: (a, b, c) => (Math.abs(c) < 0.5 ? a + c * (b - a) : b - (b - a) * (1 - c)),
    backward: (g, [a, b, c]) => [
      isTensor(a) ? mul(g, sub(1, c)) : null,
      isTensor(b) ? mul(g, c) : null,
      isTensor(c) ? mul(g, sub(b, a)) : null,
    ],
  }),
  // input + value * tensor1 * tensor2 (p0 = value)
  addcmul: def({
    name: 'addcmul',
    kind: 'float',
    test: { params: [0.5] },
    wgsl: 'a + p0 * b * c',
    cpu: (a, b, c, [v]) => a + v * b * c,
    backward: (g, [a, b, c], _y, [v]) => [
      isTensor(a) ? g : null,
      isTensor(b) ? mul(g, c, v) : null,
      isTensor(c) ? mul(g, b, v) : null,
    ],
  }),
} satisfies Record<string, ElementwiseDef>;

export type TernaryName = keyof typeof TERNARY;

/** torch.lerp(input, end, weight): input + weight (end - input); weight is a number or a tensor. */
export function lerp(input: Tensor, end: Operand, weight: Operand): Tensor {
  return elementwise(TERNARY.lerp, [input, end, weight]);
}

/** torch.addcmul(input, tensor1, tensor2, value=1): input + value * tensor1 * tensor2. */
export function addcmul(input: Tensor, tensor1: Operand, tensor2: Operand, opts: { value?: number } = {}): Tensor {
  return elementwise(TERNARY.addcmul, [input, tensor1, tensor2], [opts.value ?? 1]);
}
