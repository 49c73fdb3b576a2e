// Initialisers: distribution moments and bounds, fan computation, gains, and seeded reproducibility across devices.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, manualSeed, zeros, type Tensor } from '../../index.js';
import { DEVICES, assertClose, assertThrows } from '../helpers.js';

const s = suite('nn init');
const { init } = nn;
const vals = async (t: Tensor) => [...(await t.data())];
const moments = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
};

for (const device of DEVICES) {
  s(`normal, uniform and truncated normal have the right moments and bounds (${device})`, async () => {
    const t = zeros([100, 100], { device });
    const n = moments(await vals(init.normal_(t, 1, 2)));
    assert.ok(Math.abs(n.mean - 1) < 0.06 && Math.abs(n.std - 2) < 0.06, `normal ${JSON.stringify(n)}`);
    const u = await vals(init.uniform_(t, -3, 1));
    assert.ok(u.every((v) => v >= -3 && v < 1));
    assertClose([moments(u).mean], [-1], { atol: 0.05 });
    const tn = await vals(init.truncNormal_(t, 0, 1, -1, 2));
    assert.ok(tn.every((v) => v >= -1 && v <= 2), 'truncated normal stays in [a, b]');
    // mean of N(0,1) truncated to [-1, 2]: (phi(-1) - phi(2)) / (Phi(2) - Phi(-1)) = 0.2297
    assertClose([moments(tn).mean], [0.2297], { atol: 0.03 });
    const wide = moments(await vals(init.truncNormal_(t, 0, 0.02, -1, 1)));
    assert.ok(Math.abs(wide.std - 0.02) < 0.001, `wide bounds give the plain normal std, got ${wide.std}`);
  });
}

s('xavier and kaiming use fan in / fan out and the gain', async () => {
  const t = zeros([64, 32]);
  assert.equal(init.fans(zeros([8, 4, 3, 3])), { fanIn: 36, fanOut: 72 });
  const xb = Math.sqrt(6 / 96);
  const xu = await vals(init.xavierUniform_(t));
  assert.ok(xu.every((v) => Math.abs(v) <= xb) && Math.max(...xu) > 0.9 * xb);
  assertClose([moments(await vals(init.xavierNormal_(t, 2))).std], [2 * Math.sqrt(2 / 96)], { rtol: 0.05 });
  const kb = Math.sqrt(3) * Math.SQRT2 / Math.sqrt(32);
  const ku = await vals(init.kaimingUniform_(t, { nonlinearity: 'relu' }));
  assert.ok(ku.every((v) => Math.abs(v) <= kb) && Math.max(...ku) > 0.9 * kb);
  assertClose([moments(await vals(init.kaimingNormal_(t, { mode: 'fanOut', nonlinearity: 'relu' }))).std], [Math.SQRT2 / 8], { rtol: 0.05 });
  assertClose([init.calculateGain('tanh'), init.calculateGain('leakyRelu', Math.sqrt(5))], [5 / 3, Math.sqrt(1 / 3)]);
  assertThrows(() => init.fans(zeros([3])), 'at least 2 dims');
  assertClose(await vals(init.constant_(zeros([2]), 7)), [7, 7]);
});

s('seeded initialisation is reproducible and identical on cpu and webgpu', async () => {
  const a = init.truncNormal_(zeros([50]), 0, 1, -2, 2, { seed: 5 });
  const b = init.truncNormal_(zeros([50], { device: 'webgpu' }), 0, 1, -2, 2, { seed: 5 });
  assertClose(await vals(b), await vals(a), { atol: 1e-4 });
  manualSeed(3);
  const c = await vals(init.normal_(zeros([10])));
  manualSeed(3);
  assert.equal(await vals(init.normal_(zeros([10]))), c);
});

s.run();
