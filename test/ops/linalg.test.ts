// dot, mv, tensordot, einsum, addmm, baddbmm, cross, kron, cdist, solve, inverse, long/double: the values torch
// (and numpy's docs) give for the same calls, on both backends, and the errors for bad input. The registry suite
// covers webgpu-vs-cpu on random inputs and float64 gradients.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addmm,
  arange,
  baddbmm,
  cdist,
  cross,
  dot,
  einsum,
  eye,
  inverse,
  kron,
  mv,
  ones,
  solve,
  tensor,
  tensordot,
  memory,
  tidy,
  type DeviceName,
} from '../../index.js';
import { DEVICES, assertClose, assertThrows, gradcheck, randomTensor } from '../helpers.js';

const test = suite('ops/linalg');

test('dot, mv, tensordot: torch/numpy values', async () => {
  assert.is(await dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item(), 32);
  assert.equal(
    await mv(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([1, 1]),
    ).toArray(),
    [3, 7],
  );
  // numpy.tensordot's documented example: axes ([1, 0], [0, 1])
  const a = arange(60).reshape([3, 4, 5]).float();
  const b = arange(24).reshape([4, 3, 2]).float();
  const c = tensordot(a, b, [
    [1, 0],
    [0, 1],
  ]);
  assert.equal(await c.toArray(), [
    [4400, 4730],
    [4532, 4874],
    [4664, 5018],
    [4796, 5162],
    [4928, 5306],
  ]);
  assert.equal(tensordot(a, arange(20).reshape([4, 5]).float()).shape, [3]); // dims = 2 by default
  assertThrows(() => dot(tensor([1, 2]), tensor([1, 2, 3])), 'dot', 'same length');
  assertThrows(() => mv(tensor([[1, 2]]), tensor([1, 2, 3])), 'mv', '[m]');
  assertThrows(() => tensordot(a, b, 2), 'tensordot', 'differ in size');
});

test('einsum: products, traces, transposes, implicit output, ellipsis', async () => {
  const m = tensor([
    [1, 2],
    [3, 4],
  ]);
  const n = tensor([
    [0, 1],
    [1, 0],
  ]);
  assert.is(await einsum('ii', m).item(), 5);
  assert.equal(await einsum('ii->i', m).toArray(), [1, 4]);
  assert.equal(await einsum('ij->ji', m).toArray(), [
    [1, 3],
    [2, 4],
  ]);
  assert.equal(
    await einsum('ba', m).toArray(),
    [
      [1, 3],
      [2, 4],
    ],
    'implicit output: letters sorted, so a transpose',
  );
  assert.equal(await einsum('ij,jk', m, n).toArray(), [
    [2, 1],
    [4, 3],
  ]);
  assert.equal(
    await einsum('ij,jk->ik', [m, n]).toArray(),
    [
      [2, 1],
      [4, 3],
    ],
    'operands as one list',
  );
  assert.equal(await einsum('i,j->ij', tensor([1, 2]), tensor([3, 4, 5])).toArray(), [
    [3, 4, 5],
    [6, 8, 10],
  ]);
  assert.equal(await einsum('ij->', m).toArray(), 10);
  assert.equal(await einsum('ij->j', m).toArray(), [4, 6]);
  assert.equal(await einsum('i, i', tensor([1, 2]), tensor([3, 4])).toArray(), 11, 'spaces are ignored');
  // '...' broadcasts: a [2, 1, 2, 2] batch times a [3, 2, 2] batch -> [2, 3, 2, 2]
  const batchA = m
    .reshape([1, 1, 2, 2])
    .expand([2, 1, 2, 2])
    .mul(tensor([1, 10]).reshape([2, 1, 1, 1]));
  const batchB = n.reshape([1, 2, 2]).expand([3, 2, 2]);
  const prod = einsum('...ij,...jk->...ik', batchA, batchB);
  assert.equal(prod.shape, [2, 3, 2, 2]);
  assert.equal(await prod.select(0, 1).select(0, 2).toArray(), [
    [20, 10],
    [40, 30],
  ]);
  assert.equal(einsum('...ii->...i', arange(18).reshape([2, 3, 3])).shape, [2, 3]);
  assertThrows(() => einsum('ij,jk', m), 'einsum', '2 operand(s) but 1 tensor(s)');
  assertThrows(() => einsum('ijk', m), 'einsum', 'operand 0', '2 dim(s)');
  assertThrows(() => einsum('ij->ik', m), 'einsum', "'k' of 'ij->ik' appears in no input");
  assertThrows(() => einsum('ij->ii', m), 'einsum', 'repeated');
  assertThrows(() => einsum('i2', m), 'einsum', 'invalid subscript');
  assertThrows(() => einsum('ij,jk', m, ones([3, 2])), 'einsum', "'j' has size 2", 'but 3');
  assertThrows(() => einsum('ij->i->j', m), 'einsum', "more than one '->'");
});

test('einsum: gradients through the matmul path match a direct expression', async () => {
  await gradcheck(
    (a, b) => einsum('bij,bjk->ik', a, b).square().sum(),
    [
      { shape: [2, 3, 4], values: Array.from({ length: 24 }, (_, i) => Math.sin(i)) },
      { shape: [2, 4, 2], values: Array.from({ length: 16 }, (_, i) => Math.cos(i)) },
    ],
    { msg: 'einsum bij,bjk->ik' },
  );
});

test('addmm and baddbmm: beta * input + alpha * product; beta = 0 ignores the input (NaN included)', async () => {
  const m2 = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.equal(await addmm(tensor([[1]]), eye(2), m2, { beta: 2, alpha: 3 }).toArray(), [
    [5, 8],
    [11, 14],
  ]);
  assert.equal(await addmm(tensor([NaN, NaN]), eye(2), m2, { beta: 0 }).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  const out = baddbmm(tensor([1, -1]), m2.unsqueeze(0), eye(2).unsqueeze(0), { alpha: 2 });
  assert.equal(await out.toArray(), [
    [
      [3, 3],
      [7, 7],
    ],
  ]);
  assertThrows(() => addmm(ones([3, 3]), eye(2), m2), 'addmm', 'cannot be broadcast');
  assertThrows(() => addmm(ones([2, 2, 2]), eye(2), m2), 'addmm', 'does not broadcast to');
  assertThrows(() => baddbmm(ones([2]), m2, m2), 'baddbmm', 'batches');
});

test('cross, kron, cdist: torch values', async () => {
  assert.equal(await cross(tensor([1, 0, 0]), tensor([0, 1, 0])).toArray(), [0, 0, 1]);
  assert.equal(await cross(tensor([[1, 2, 3]]), tensor([4, 5, 6])).toArray(), [[-3, 6, -3]]);
  assert.equal(
    await cross(
      tensor([
        [1, 4],
        [2, 5],
        [3, 6],
      ]),
      tensor([
        [4, 1],
        [5, 2],
        [6, 3],
      ]),
      0,
    ).toArray(),
    [
      [-3, 3],
      [6, -6],
      [-3, 3],
    ],
  );
  assertThrows(() => cross(tensor([1, 2]), tensor([3, 4])), 'cross', 'size 3');
  // [3, 3] without dim: torch.cross would take dim 0, torch.linalg.cross dim -1, so the call must say which
  assertThrows(() => cross(eye(3), eye(3)), 'cross', 'torch.cross would use dim 0', 'pass dim');
  assert.equal(await cross(eye(3), eye(3).flip(0), 1).toArray(), [
    [0, -1, 0],
    [0, 0, 0],
    [0, 1, 0],
  ]);
  const k = kron(
    tensor([
      [1, 2],
      [3, 4],
    ]),
    tensor([
      [0, 1],
      [1, 0],
    ]),
  );
  assert.equal(await k.toArray(), [
    [0, 1, 0, 2],
    [1, 0, 2, 0],
    [0, 3, 0, 4],
    [3, 0, 4, 0],
  ]);
  assert.equal(await kron(tensor([1, 2]), tensor([1, 10, 100])).toArray(), [1, 10, 100, 2, 20, 200]);
  const x1 = tensor([
    [0, 0],
    [1, 1],
  ]);
  const x2 = tensor([
    [3, 4],
    [1, 1],
  ]);
  assertClose(await cdist(x1, x2).data(), [5, Math.SQRT2, Math.sqrt(13), 0], { atol: 1e-6 });
  assert.equal(await cdist(x1, x2, 1).toArray(), [
    [7, 2],
    [5, 0],
  ]);
  assert.equal(await cdist(x1, x2, Infinity).toArray(), [
    [4, 1],
    [3, 0],
  ]);
  assertThrows(() => cdist(x1, tensor([[1, 2, 3]])), 'cdist', 'one M');
  assertThrows(() => cdist(x1, x2, 0), 'cdist', 'p = 0');
});

test('cdist: the gradient at zero distance is 0, not NaN (as torch)', async () => {
  const x = tensor([[1, 1]], { dtype: 'f64', requiresGrad: true });
  cdist(x, tensor([[1, 1]], { dtype: 'f64' }))
    .sum()
    .backward();
  assert.equal(await x.grad!.toArray(), [[0, 0]]);
});

for (const device of DEVICES) {
  test(`solve and inverse on ${device}: numpy's example, pivoting, batches, vectors`, async () => {
    const on = { device: device as DeviceName };
    assertClose(
      await solve(
        tensor(
          [
            [3, 1],
            [1, 2],
          ],
          on,
        ),
        tensor([9, 8], on),
      ).data(),
      [2, 3],
      { atol: 1e-5 },
    );
    assertClose(
      await inverse(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          on,
        ),
      ).data(),
      [-2, 1, 1.5, -0.5],
      { atol: 1e-5 },
    );
    // a zero in the first pivot position: only row exchanges find the inverse
    assertClose(
      await inverse(
        tensor(
          [
            [0, 1],
            [1, 0],
          ],
          on,
        ),
      ).data(),
      [0, 1, 1, 0],
    );
    const batch = tensor(
      [
        [
          [2, 0],
          [0, 4],
        ],
        [
          [1, 1],
          [0, 1],
        ],
      ],
      on,
    );
    const x = solve(
      batch,
      tensor(
        [
          [2, 4],
          [3, 1],
        ],
        on,
      ),
    ); // B is a batch of vectors: its shape is A's minus the last dim
    assert.equal(x.shape, [2, 2]);
    assertClose(await x.data(), [1, 1, 2, 1], { atol: 1e-6 });
    // one B [1, 2, 2] broadcast over the batch: the inverses (a [2, 2] B would be read as a batch of vectors)
    const many = solve(batch, eye(2, 2, on).unsqueeze(0));
    assertClose(await many.data(), [0.5, 0, 0, 0.25, 1, -1, 0, 1], { atol: 1e-6 });
    // left: false solves X A = B: with A = [[3, 1], [1, 2]] and B = [[9, 8]], X = [[2, 3]] since X A = [[9, 8]]
    const right = solve(
      tensor(
        [
          [3, 1],
          [1, 2],
        ],
        on,
      ),
      tensor([[9, 8]], on),
      { left: false },
    );
    assertClose(await right.data(), [2, 3], { atol: 1e-5 });
    assertThrows(
      () => solve(eye(2, 2, on), eye(2, 2, on), { driver: 'gelsy' } as never),
      'solve',
      "unknown option 'driver'",
    );
    assertThrows(() => solve(tensor([[1, 2, 3]], on), tensor([1], on)), 'solve', 'square');
    assertThrows(() => solve(eye(2, 2, on), tensor([1, 2, 3], on)), 'solve', 'does not fit');
  });
}

test('solve on webgpu needs row exchanges in every column of a 70 x 70 matrix (more rows than threads)', async () => {
  // a well-conditioned matrix with its rows reversed: the largest entry of each column sits far from the diagonal
  const make = (device: DeviceName) =>
    eye(70, 70, { device })
      .mul(40)
      .add(randomTensor([70, 70], { device, seed: 5 }))
      .flip(0);
  const b = (device: DeviceName) => randomTensor([70, 3], { device, seed: 6 });
  const got = solve(make('webgpu'), b('webgpu'));
  const want = solve(make('cpu'), b('cpu'));
  assertClose(await got.data(), await want.data(), { atol: 1e-5, rtol: 1e-4 });
  assertClose(await make('cpu').matmul(want).data(), await b('cpu').data(), { atol: 1e-4 });
});

test('inverse frees its intermediates (memory stays flat)', () => {
  const a = tensor(
    [
      [2, 1],
      [1, 3],
    ],
    { device: 'webgpu' },
  );
  tidy(() => inverse(a)).dispose();
  const before = memory().tensors;
  tidy(() => inverse(a)).dispose();
  assert.is(memory().tensors, before);
  a.dispose();
});

test('solve and inverse of a singular matrix: both backends raise the same message; other tensors stay readable', async () => {
  const singular = [
    [1, 2],
    [2, 4],
  ];
  assertThrows(() => inverse(tensor(singular)), 'solve', 'singular', 'column 1');
  let cpuMessage = '';
  try {
    solve(
      tensor([
        [
          [1, 0],
          [0, 1],
        ],
        singular,
      ]),
      tensor([[1], [1]]),
    );
  } catch (e) {
    cpuMessage = (e as Error).message;
  }
  assert.match(cpuMessage, /batch 1: no nonzero pivot in column 1/);
  const fine = tensor([3, 4], { device: 'webgpu' });
  const x = solve(
    tensor(
      [
        [
          [1, 0],
          [0, 1],
        ],
        singular,
      ],
      { device: 'webgpu' },
    ),
    tensor([[1], [1]], { device: 'webgpu' }),
  );
  let gpuMessage = '';
  await x.data().catch((e: Error) => (gpuMessage = e.message));
  assert.ok(gpuMessage.includes(cpuMessage), `webgpu raised: ${gpuMessage}`);
  assert.equal([...(await fine.data())], [3, 4]);
  // the flag is re-armed: the next solve reads back normally
  assert.equal(
    [...(await solve(tensor([[2]], { device: 'webgpu' }), tensor([[4]], { device: 'webgpu' })).data())],
    [2],
  );
});

test('inverse: second derivative through the solve backward (createGraph)', async () => {
  // f(a) = inverse([[a, 1], [0, 1]])[0][0] = 1 / a: f' = -1 / a^2, f'' = 2 / a^3
  const a = tensor([2], { dtype: 'f64', requiresGrad: true });
  const m = a
    .reshape([1, 1])
    .mul(
      tensor(
        [
          [1, 0],
          [0, 0],
        ],
        { dtype: 'f64' },
      ),
    )
    .add(
      tensor(
        [
          [0, 1],
          [0, 1],
        ],
        { dtype: 'f64' },
      ),
    );
  const f = inverse(m).select(0, 0).select(0, 0);
  f.backward(undefined, { createGraph: true });
  const first = a.grad!;
  assertClose(await first.data(), [-0.25]);
  a.grad = null;
  first.sum().backward();
  assertClose(await a.grad!.data(), [0.25]);
});

test('long, double: conversions as torch', async () => {
  const x = tensor([1.7, -2.3]);
  assert.is(x.long().dtype, 'i32');
  assert.equal(await x.long().toArray(), [1, -2]);
  assert.is(x.double().dtype, 'f64');
  assertClose(await x.double().data(), [1.7, -2.3], { atol: 1e-6 });
  assertThrows(() => tensor([1], { device: 'webgpu' }).double(), 'f64', 'cpu');
});

test.run();
