// The conv path end to end: a small CNN (conv2d -> relu -> maxPool -> conv2d -> relu -> adaptive average pool ->
// linear) learns which quadrant of a noisy 12x12 image holds a bright 3x3 blob, from generated images, and is
// scored on held-out generated images (chance 25%). Also the layers' own contracts: torch's initialisation bounds,
// BatchNorm's buffers (updated in training, used in evaluation, saved in the state dict) and MaxPool's indices.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  crossEntropy,
  memory,
  nn,
  noGrad,
  optim,
  tensor,
  tidy,
  ones,
  type DeviceName,
  type Tensor,
} from '../../index.js';
import { assertClose, assertTensorClose, lcg } from '../helpers.js';

const s = suite('nn/cnn');

const SIZE = 12;

/** n images [n, 1, 12, 12]: uniform noise in [0, 0.5) plus a blob of +1 in a random quadrant; labels 0..3. */
function blobImages(n: number, seed: number, device: DeviceName): { x: Tensor; y: Tensor } {
  const r = lcg(seed);
  const pixels = Array.from({ length: n * SIZE * SIZE }, () => 0.5 * r());
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = Math.floor(r() * 4);
    labels.push(q);
    // top-left corner of the blob inside the quadrant (rows 0-5 or 6-11, likewise columns)
    const top = (q >> 1) * 6 + Math.floor(r() * 4);
    const left = (q & 1) * 6 + Math.floor(r() * 4);
    for (let dy = 0; dy < 3; dy++)
      for (let dx = 0; dx < 3; dx++) pixels[i * SIZE * SIZE + (top + dy) * SIZE + left + dx] += 1;
  }
  return { x: tensor(pixels, { shape: [n, 1, SIZE, SIZE], device }), y: tensor(labels, { dtype: 'i32', device }) };
}

function smallCnn(device: DeviceName): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1, device }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 8, 3, { padding: 1, device }),
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32, 4, { device }),
  );
}

async function accuracy(model: nn.Sequential, x: Tensor, y: Tensor): Promise<number> {
  const hits = noGrad(() => model.forward(x).argmax(1).eq(y).cast('f32').mean());
  const a = await hits.item();
  hits.dispose();
  return a;
}

// Both backends train the same network; 15 steps already reached 97-99% held-out accuracy when this was written,
// so 24 leave a margin while keeping the file at a few seconds.
for (const [device, steps] of [
  ['cpu', 24],
  ['webgpu', 24],
] as const) {
  s(
    `a small CNN learns which quadrant holds the blob (${device}, ${steps} Adam steps, held-out accuracy)`,
    async () => {
      const model = smallCnn(device);
      const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
      const test = blobImages(200, 999, device);
      const before = await accuracy(model, test.x, test.y);
      let tensorsAt5 = 0;
      for (let step = 0; step < steps; step++) {
        const { x, y } = blobImages(32, step + 1, device);
        const loss = tidy(() => {
          opt.zeroGrad();
          const l = crossEntropy(model.forward(x), y);
          l.backward();
          opt.step();
          return l;
        });
        loss.dispose();
        x.dispose();
        y.dispose();
        if (step === 5) tensorsAt5 = memory().tensors;
      }
      assert.is(memory().tensors, tensorsAt5, 'live tensors stay flat while training');
      const after = await accuracy(model, test.x, test.y);
      assert.ok(after >= 0.85, `held-out accuracy ${after} (before training ${before}, chance 0.25)`);
      opt.dispose();
      model.dispose();
      test.x.dispose();
      test.y.dispose();
    },
  );
}

s("Conv2d: torch's initialisation bounds 1/sqrt(fanIn), fanIn = in / groups * kernel area", async () => {
  const conv = new nn.Conv2d(6, 4, [3, 2], { groups: 2, device: 'cpu' });
  assert.equal([...conv.weight.shape], [4, 3, 3, 2]);
  const bound = 1 / Math.sqrt(3 * 3 * 2);
  const w = Array.from(await conv.weight.data());
  const b = Array.from(await conv.bias!.data());
  assert.ok(
    w.every((v) => Math.abs(v) <= bound) && Math.max(...w.map(Math.abs)) > 0.7 * bound,
    `weights within ${bound}`,
  );
  assert.ok(
    b.every((v) => Math.abs(v) <= bound),
    'bias within the same bound',
  );
  assert.equal([...conv.forward(ones([2, 6, 5, 4])).shape], [2, 4, 3, 3]);
  assert.is(new nn.Conv1d(3, 2, 4, { bias: false }).bias, null);
});

s(
  'BatchNorm2d: training updates the running buffers, evaluation normalises with them, the state dict holds them',
  async () => {
    const bn = new nn.BatchNorm2d(2, { momentum: 0.5, device: 'cpu' });
    // channel 0 holds {0, 2} (mean 1, unbiased variance 2), channel 1 holds {4, 4} (mean 4, variance 0)
    const x = tensor([0, 2, 4, 4], { shape: [1, 2, 1, 2] });
    await assertTensorClose(bn.forward(x), [-1, 1, 0, 0], { atol: 1e-4 });
    await assertTensorClose(bn.runningMean!, [0.5, 2]);
    await assertTensorClose(bn.runningVar!, [1.5, 0.5]);
    bn.eval();
    await assertTensorClose(
      bn.forward(x),
      [-0.5 / Math.sqrt(1.5), 1.5 / Math.sqrt(1.5), 2 / Math.sqrt(0.5), 2 / Math.sqrt(0.5)],
      { rtol: 1e-4 },
    );
    await assertTensorClose(bn.runningMean!, [0.5, 2], { msg: 'evaluation leaves the buffers alone' });
    assert.equal([...bn.stateDict().keys()].sort(), ['bias', 'runningMean', 'runningVar', 'weight']);
    const noTrack = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false }).eval();
    await assertTensorClose(noTrack.forward(tensor([1, 10, 3, 30], { shape: [2, 2] })), [-1, -1, 1, 1], { atol: 1e-4 });
  },
);

s('MaxPool2d with returnIndices gives [output, indices]; GroupNorm and Upsample keep the shape rules', async () => {
  const [out, idx] = new nn.MaxPool2d(2, { returnIndices: true }).forward(
    tensor([1, 5, 2, 0, 3, 4, 8, 6], { shape: [1, 1, 2, 4] }),
  );
  assertClose(await out.data(), [5, 8]);
  assertClose(await idx.data(), [1, 6]);
  assert.equal([...new nn.GroupNorm(2, 4).forward(ones([3, 4, 5])).shape], [3, 4, 5]);
  assert.equal(
    [...new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(ones([1, 2, 3, 4])).shape],
    [1, 2, 6, 8],
  );
});

s.run();
