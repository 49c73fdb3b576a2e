// scatter, scatterReduce and the index ops of issue 10 on a hand-worked example (the values torch gives), the
// gradient of every reduction in float64 (with ties, zeros and includeSelf false), and the errors: a bad index on
// webgpu raises the cpu message at the next readback.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  tensor,
  scatter,
  scatterReduce,
  indexFill,
  indexAdd,
  indexCopy,
  indexPut,
  take,
  type Tensor,
  type DeviceName,
} from '../../index.js';
import { DEVICES, assertThrows, gradcheck } from '../helpers.js';

const test = suite('ops/indexing-extra');

const x = (device: DeviceName) =>
  tensor(
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
    { device },
  );
const i32 = (v: number[] | number[][], device: DeviceName = 'cpu') => tensor(v, { dtype: 'i32', device });
// row 0 sends 10 and 30 to column 0 and 20 to column 2; row 1 sends 40 and 50 to column 3 and 60 to column 1
const idx = (device: DeviceName) =>
  i32(
    [
      [0, 2, 0],
      [3, 3, 1],
    ],
    device,
  );
const src = (device: DeviceName) =>
  tensor(
    [
      [10, 20, 30],
      [40, 50, 60],
    ],
    { device },
  );

test('scatter: the later of two src elements wins on both backends; a number fills', async () => {
  for (const d of DEVICES) {
    assert.equal(
      await scatter(x(d), 1, idx(d), src(d)).toArray(),
      [
        [30, 2, 20, 4],
        [5, 60, 7, 50],
      ],
      d,
    );
    assert.equal(
      await x(d).scatter(1, idx(d), -1).toArray(),
      [
        [-1, 2, -1, 4],
        [5, -1, 7, -1],
      ],
      d,
    );
  }
  assertThrows(
    () => scatter(x('cpu'), 1, idx('cpu'), src('cpu'), { reduce: 'add' }),
    'scatter',
    'not supported',
    'scatterReduce',
  );
  assertThrows(() => scatter(x('cpu'), 1, i32([[4]]), 1), 'scatter', 'index 4 is out of range', 'valid: 0..3');
});

test('scatterReduce: every reduction, with and without the input in the fold', async () => {
  const want = {
    sum: [
      [
        [41, 2, 23, 4],
        [5, 66, 7, 98],
      ],
      [
        [40, 2, 20, 4],
        [5, 60, 7, 90],
      ],
    ],
    prod: [
      [
        [300, 2, 60, 4],
        [5, 360, 7, 16000],
      ],
      [
        [300, 2, 20, 4],
        [5, 60, 7, 2000],
      ],
    ],
    mean: [
      [
        [41 / 3, 2, 11.5, 4],
        [5, 33, 7, 98 / 3],
      ],
      [
        [20, 2, 20, 4],
        [5, 60, 7, 45],
      ],
    ],
    amax: [
      [
        [30, 2, 20, 4],
        [5, 60, 7, 50],
      ],
      [
        [30, 2, 20, 4],
        [5, 60, 7, 50],
      ],
    ],
    amin: [
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      [
        [10, 2, 20, 4],
        [5, 60, 7, 40],
      ],
    ],
  };
  for (const d of DEVICES) {
    for (const [reduce, [withSelf, without]] of Object.entries(want)) {
      const r = reduce as keyof typeof want;
      const got = [
        scatterReduce(x(d), 1, idx(d), src(d), r),
        x(d).scatterReduce(1, idx(d), src(d), r, { includeSelf: false }),
      ];
      for (const [k, expected] of [withSelf, without].entries()) {
        const values = Array.from(await got[k].data());
        expected
          .flat()
          .forEach((v, i) => assert.ok(Math.abs(values[i] - v) < 1e-5, `${d} ${r} ${k}: ${values} vs ${expected}`));
      }
    }
  }
  assertThrows(
    () => scatterReduce(x('cpu'), 1, idx('cpu'), src('cpu'), 'max' as 'amax'),
    'scatterReduce',
    'sum, prod, mean, amax, amin',
  );
  assertThrows(
    () => scatterReduce(i32([[1]]), 0, i32([[0]]), i32([[2]]), 'mean'),
    'scatterReduce',
    "'mean' needs a float",
  );
});

test('scatterReduce: float64 gradients of every reduction (zeros in prod, ties in amax)', async () => {
  const index = i32([
    [0, 2, 0, 2],
    [3, 3, 1, 0],
  ]);
  const cases: [string, { includeSelf: boolean }, number[], number[]][] = [
    ['sum', { includeSelf: false }, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]],
    ['mean', { includeSelf: true }, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]],
    ['mean', { includeSelf: false }, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]],
    // a zero in x, a single zero in src (row 0, column 2) and a pair of zeros landing on one place (row 1, column 3)
    ['prod', { includeSelf: true }, [0.5, 2, 3, 0, 1.5, 2, 0.7, 1.1], [1.2, 0, 0.9, 2, 0, 0, 1.3, 0.8]],
    ['prod', { includeSelf: false }, [0.5, 2, 3, 1, 1.5, 2, 0.7, 1.1], [1.2, 0, 0.9, 2, 0, 0.4, 1.3, 0.8]],
    // ties: x and src share the maximum 5 at row 0 column 2 (the gradient is split between them)
    ['amax', { includeSelf: true }, [1, 2, 5, 4, 5, 6, 7, 8], [3, 5, 2, 1, 9, 1, 2, 0.5]],
    ['amin', { includeSelf: false }, [1, 2, 3, 4, 5, 6, 7, 8], [3, 5, 2, 1, 9, 1, 2, 0.5]],
  ];
  const w = tensor(
    [
      [1, -2, 3, 0.5],
      [2, 1, -1, 1.5],
    ],
    { dtype: 'f64' },
  );
  for (const [reduce, opts, xv, sv] of cases) {
    const f = (a: Tensor, b: Tensor) =>
      scatterReduce(a, 1, index, b, reduce as 'sum', opts)
        .mul(w)
        .sum();
    await gradcheck(
      f,
      [
        { shape: [2, 4], values: xv },
        { shape: [2, 4], values: sv },
      ],
      { msg: `${reduce} ${JSON.stringify(opts)}` },
    );
  }
  // amax with a tie: the gradient at the tied place is shared equally (torch's rule), 0.5 to x and 0.5 to src
  const a = tensor([[1, 2, 5, 4]], { dtype: 'f64', requiresGrad: true });
  const b = tensor([[5, 0]], { dtype: 'f64', requiresGrad: true });
  scatterReduce(a, 1, i32([[2, 0]]), b, 'amax')
    .sum()
    .backward();
  assert.equal(Array.from(await a.grad!.data()), [1, 1, 0.5, 1]);
  assert.equal(Array.from(await b.grad!.data()), [0.5, 0]);
});

test('indexFill, indexAdd, indexCopy, take, indexPut: known values', async () => {
  for (const d of DEVICES) {
    const at = i32([2, 0], d);
    const pair = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { device: d },
    );
    assert.equal(
      await indexFill(x(d), 1, at, -1).toArray(),
      [
        [-1, 2, -1, 4],
        [-1, 6, -1, 8],
      ],
      d,
    );
    assert.equal(
      await indexAdd(x(d), 1, at, pair, { alpha: 10 }).toArray(),
      [
        [21, 2, 13, 4],
        [45, 6, 37, 8],
      ],
      d,
    );
    assert.equal(
      await indexCopy(x(d), 1, at, pair).toArray(),
      [
        [2, 2, 1, 4],
        [4, 6, 3, 8],
      ],
      d,
    );
    assert.equal(
      await take(
        x(d),
        i32(
          [
            [0, -1],
            [5, 2],
          ],
          d,
        ),
      ).toArray(),
      [
        [1, 8],
        [6, 3],
      ],
      d,
    );
    const rows = i32([0, 1, 0], d);
    const cols = i32([1, 3, 1], d);
    const put = tensor([100, 200, 300], { device: d });
    assert.equal(
      await indexPut(x(d), [rows, cols], put, true).toArray(),
      [
        [1, 402, 3, 4],
        [5, 6, 7, 208],
      ],
      d,
    );
    assert.equal(
      await indexPut(x(d), [rows, cols], put).toArray(),
      [
        [1, 300, 3, 4],
        [5, 6, 7, 200],
      ],
      d,
    );
    assert.equal(
      await x(d)
        .indexPut([i32([-1], d)], 0)
        .toArray(),
      [
        [1, 2, 3, 4],
        [0, 0, 0, 0],
      ],
      d,
    );
  }
  assertThrows(() => take(x('cpu'), i32([8])), 'take', 'index 8 is out of range', 'size 8');
  assertThrows(() => indexAdd(x('cpu'), 1, i32([0]), tensor([[1, 2]])), 'indexAdd', 'must have shape [2, 1]');
  assertThrows(() => indexPut(x('cpu'), [tensor([true, false], { dtype: 'bool' })], 1), 'indexPut', 'bool mask');
  assertThrows(() => indexPut(x('cpu'), [i32([2])], 1), 'indexPut', 'index 2 is out of range');
});

test('scatter on webgpu: a bad index raises the cpu message at the next readback', async () => {
  const out = scatter(x('webgpu'), 1, i32([[1], [7]], 'webgpu'), 0);
  const message = await out.data().then(
    () => 'read back',
    (e: Error) => e.message,
  );
  assert.match(message, 'scatter: index 7 is out of range for dim 1 of size 4');
  assert.equal(await x('webgpu').mul(2).toArray(), [
    [2, 4, 6, 8],
    [10, 12, 14, 16],
  ]);
});

test.run();
