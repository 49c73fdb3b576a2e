// Bad input for every op family: the error names the op, the shapes/dtypes given and what is valid, and neither
// the inputs nor memory() change.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { memory, tensor, zeros, type Tensor } from '../../index.js';
import { assertThrows } from '../helpers.js';

const test = suite('core/errors');

/** Expects `fn` to throw with every fragment, leaving `inputs` and memory() as they were. */
async function refuses(inputs: Tensor[], fn: () => unknown, ...fragments: string[]) {
  const before = await Promise.all(inputs.map((t) => t.toArray()));
  const versions = inputs.map((t) => t.storage.version);
  const m = memory();
  assertThrows(fn, ...fragments);
  assert.equal(await Promise.all(inputs.map((t) => t.toArray())), before, `inputs unchanged after ${fragments[0]}`);
  assert.equal(inputs.map((t) => t.storage.version), versions);
  assert.is(memory().tensors, m.tensors, `no tensor left behind by ${fragments[0]}`);
  assert.is(memory().bytes, m.bytes);
}

test('every op family refuses bad input clearly and changes nothing', async () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { device });
    const b = tensor([1, 2], { device });
    const u = tensor([1, 2], { dtype: 'u32', device });
    const other = tensor([1, 2, 3], { device: device === 'cpu' ? 'webgpu' : 'cpu' });
    await refuses([a, b], () => a.add(b), 'add:', '[2, 3]', '[2]', 'must match or be 1');
    const cond = b.gt(0);
    await refuses([a, cond], () => a.where(cond, a), 'where:', '[2]');
    await refuses([u], () => u.neg(), 'neg:', 'u32', 'valid dtypes');
    await refuses([a, other], () => a.mul(other), 'mul:', 'different devices', 'to(device)');
    await refuses([a], () => a.sum(3), 'sum:', 'dim 3', 'rank 2', '-2..1');
    await refuses([a], () => a.amax([0, 0]), 'amax:', 'repeats');
    await refuses([a], () => a.matmul(a), 'matmul:', '[2, 3] f32', 'columns');
    await refuses([a], () => a.reshape([4, 2]), 'reshape:', '[4, 2]', '6 elements');
    await refuses([a], () => a.permute([1]), 'permute:', 'permutation', '[2, 3] f32');
    await refuses([a], () => a.expand([3, 3]), 'expand:', 'size 2 is not 1');
    await refuses([a], () => a.transpose(0, 5), 'transpose:', 'dim 5', 'rank 2');
    await refuses([a], () => a.clamp(), 'clamp:', 'min and max');
    await refuses([a], () => a.clamp(2, 1), 'clamp:', 'greater than max');
    await refuses([a, b], () => a.add_(b), 'add_:', '[2, 3]', '[2]');
    const row = tensor([[1, 2, 3]], { device });
    await refuses([row, a], () => row.add_(a), 'add_:', 'cannot be written into', '[1, 3]');
    await refuses([a], () => zeros([2, 0.5], { device }), 'full:', 'non-negative integers');
    await refuses([a], () => a.add('x' as unknown as number), 'add:', 'tensors or numbers', 'string');
  }
});

test('a disposed tensor is refused by every op family, naming the op and the tensor', () => {
  const x = tensor([[1, 2], [3, 4]]);
  x.name = 'weights';
  x.dispose();
  const ops: [string, () => unknown][] = [
    ['add', () => x.add(1)], ['exp', () => x.exp()], ['sum', () => x.sum()], ['matmul', () => x.matmul(x)],
    ['reshape', () => x.reshape([4])], ['slice', () => x.slice(0, 1)], ['permute', () => x.permute([1, 0])],
    ['add_', () => x.add_(1)], ['backward', () => x.backward()],
  ];
  for (const [op, fn] of ops) assertThrows(fn, `${op}`, 'weights', '[2, 2] f32', 'disposed');
});

test.run();
