// The row kernels (softmax, logSoftmax, layerNorm, rmsNorm, crossEntropy and its gradient) on the reduction paths the rest of the
// suite does not take on lavapipe (which has subgroups, and software grids): the workgroup-memory tree (forced by
// hiding the adapter's 'subgroups') and the subgroup shuffles with the grids chosen for a GPU, against the cpu
// reference. Row lengths are picked for a row inside one subgroup block and a row spanning many blocks.
import { suite } from 'uvu';
import { tensor, tidy, softmax, logSoftmax, layerNorm, rmsNorm, crossEntropy, type Tensor } from '../../index.js';
import { gpu, simulateMissingSubgroups } from '../../core/device.js';
import { rowGrid } from '../../shaders/rows.js';
import { crossEntropyGrad } from '../../ops/cross-entropy-backward.js';
import { assertTensorClose, randomTensor } from '../helpers.js';
import * as assert from 'uvu/assert';

const s = suite('ops/row kernels');

// [rows, length]: short rows (several per workgroup), a row within a subgroup block, rows spanning many blocks
const shapes = [
  [7, 20],
  [2, 2000],
];

const ops: [string, (x: Tensor) => Tensor][] = [
  ['softmax', (x) => softmax(x, -1)],
  ['logSoftmax', (x) => logSoftmax(x, -1)],
  [
    'layerNorm',
    (x) =>
      layerNorm(
        x,
        x.shape[1],
        tensor(
          Array.from({ length: x.shape[1] }, (_, i) => 1 + i / 100),
          { device: x.device },
        ),
        null,
      ),
  ],
  ['rmsNorm', (x) => rmsNorm(x, x.shape[1])],
  [
    'crossEntropy',
    (x) =>
      crossEntropy(
        x,
        tensor(
          Array.from({ length: x.shape[0] }, (_, i) => (i * 7) % x.shape[1]),
          { dtype: 'i32', device: x.device },
        ),
        { reduction: 'none' },
      ),
  ],
  [
    'crossEntropyGrad (weights, smoothing, every third row ignored)',
    (x) => {
      const [rows, C] = x.shape;
      const index = Array.from({ length: rows }, (_, i) => (i % 3 === 1 ? -100 : (i * 7) % C));
      const w = Array.from({ length: C }, (_, i) => 0.5 + (i % 5) / 4);
      return crossEntropyGrad(
        x,
        tensor(index, { dtype: 'i32', device: x.device }),
        tensor(
          index.map((_, i) => 1 - i / rows),
          { device: x.device },
        ),
        tensor(w, { device: x.device }),
        { ignoreIndex: -100, labelSmoothing: 0.1, weight: true },
      );
    },
  ],
];

/** Runs `body` with the adapter's subgroups hidden or not and its grids those of a software adapter or a GPU. */
async function withPath(subgroups: boolean, software: boolean, body: () => Promise<void>): Promise<void> {
  const info = gpu().info;
  const wasSoftware = info.software;
  simulateMissingSubgroups(!subgroups);
  info.software = software;
  try {
    await body();
  } finally {
    simulateMissingSubgroups(false);
    info.software = wasSoftware;
  }
}

for (const [subgroups, software] of [
  [false, true],
  [true, false],
]) {
  const path = `${subgroups ? 'subgroup' : 'workgroup-memory'} reductions, ${software ? 'software' : 'GPU'} grids`;
  s(`webgpu matches cpu: ${path}`, async () => {
    if (subgroups && !gpu().hasSubgroups) return; // nothing to check on an adapter without the feature
    await withPath(subgroups, software, async () => {
      for (const [rows, length] of shapes) {
        const seed = rows * length;
        const x = {
          cpu: randomTensor([rows, length], { seed }),
          webgpu: randomTensor([rows, length], { device: 'webgpu', seed }),
        };
        for (const [name, op] of ops) {
          const [got, want] = [tidy(() => op(x.webgpu)), tidy(() => op(x.cpu))];
          await assertTensorClose(got, want, { atol: 2e-5, rtol: 1e-4, msg: `${name} ${rows}x${length}, ${path}` });
          [got, want].forEach((t) => t.dispose());
        }
        x.cpu.dispose();
        x.webgpu.dispose();
      }
    });
  });
}

s('a NaN anywhere in a row reaches every output of the row on the subgroup path', async () => {
  const values = Array.from({ length: 2 * 300 }, (_, i) => (i === 299 ? NaN : Math.sin(i)));
  const x = tensor(values, { shape: [2, 300], device: 'webgpu' });
  const y = softmax(x, -1);
  const out = await y.data();
  assert.ok(out.slice(0, 300).every(Number.isNaN), 'the row with the NaN');
  assert.ok(
    out.slice(300).every((v) => !Number.isNaN(v)),
    'the other row',
  );
  [x, y].forEach((t) => t.dispose());
});

s('the grids exercise both subgroup cases: a row inside one block and a row across blocks', () => {
  if (!gpu().hasSubgroups) return;
  const grids = shapes.map(([rows, length]) => rowGrid(length, rows));
  assert.ok(
    grids.some((g) => g.tpr > 1 && g.tpr <= g.sg!),
    'a row within a subgroup block',
  );
  assert.ok(
    grids.some((g) => g.tpr > g.sg!),
    'a row across blocks',
  );
});

s.run();
