// Out-of-range indices on webgpu: the kernels report the first bad index through the error-flag buffer and the next
// readback raises exactly the message the cpu backend raises at the op; the result of that op raises on readback
// too (never zeros), and the flag re-arms so later reads succeed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  embedding,
  embeddingBackward,
  gather,
  indexSelect,
  oneHot,
  scatterAdd,
  tensor,
  type DeviceName,
  type Tensor,
} from '../../index.js';

const s = suite('ops index range on webgpu');
const i32 = (v: number[] | number[][], device: DeviceName) => tensor(v, { dtype: 'i32', device });
const x = (device: DeviceName) =>
  tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { device },
  );

const cases: [string, (d: DeviceName) => Tensor][] = [
  ['gather', (d) => gather(x(d), 1, i32([[0, 3]], d))],
  ['gather (u32 index)', (d) => gather(x(d), 1, tensor([[4000000000]], { dtype: 'u32', device: d }))],
  ['scatterAdd', (d) => scatterAdd(x(d), 0, i32([[-1, 0, 1]], d), x(d))],
  ['indexSelect', (d) => indexSelect(x(d), -1, i32([0, 7], d))],
  ['embedding', (d) => embedding(x(d), i32([[1, 2]], d))],
  ['embeddingBackward', (d) => embeddingBackward(x(d), i32([0, 9], d), 4)],
  ['oneHot', (d) => oneHot(i32([1, 5], d), 3)],
];

function cpuMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the cpu backend accepted an out-of-range index');
}

for (const [name, f] of cases) {
  s(`${name}: webgpu raises the cpu message at the next readback, and its result raises`, async () => {
    const expected = cpuMessage(() => f('cpu'));
    const out = f('webgpu');
    const other = x('webgpu').add(1); // recorded after the bad dispatch; any readback reports the bad index
    let message = '';
    try {
      await other.data();
    } catch (e) {
      message = (e as Error).message;
    }
    assert.is(message, expected);
    try {
      await out.data();
      assert.unreachable("the bad op's result read back");
    } catch (e) {
      assert.ok((e as Error).message.includes(expected), (e as Error).message);
    }
    const fine = x('webgpu').mul(2);
    assert.equal([...(await fine.data())], [2, 4, 6, 8, 10, 12]); // re-armed: later reads succeed
  });
}

s('in-range indices report nothing', async () => {
  const g = gather(x('webgpu'), 1, i32([[2, 0]], 'webgpu'));
  assert.equal([...(await g.data())], [3, 1]);
  assert.equal(await oneHot(i32([2, 0], 'webgpu'), 3).toArray(), [
    [0, 0, 1],
    [1, 0, 0],
  ]);
});

s.run();
