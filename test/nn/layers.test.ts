// Layers against plain loop references on the cpu, and webgpu against cpu with identically seeded parameters.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, manualSeed, noGrad, tensor, tidy, type Tensor, type DeviceName } from '../../index.js';
import { DEVICES, assertClose, assertThrows, randomTensor, randomValues } from '../helpers.js';

const s = suite('nn layers');
const vals = async (t: Tensor) => [...(await t.data())];

/** y[i][o] = sum_k x[i][k] w[o][k] + b[o] */
function linearRef(x: number[], w: number[], b: number[], n: number, inF: number, outF: number): number[] {
  const y: number[] = [];
  for (let i = 0; i < n; i++) for (let o = 0; o < outF; o++) {
    let acc = b[o] ?? 0;
    for (let k = 0; k < inF; k++) acc += x[i * inF + k] * w[o * inF + k];
    y.push(acc);
  }
  return y;
}

/** Per row of length d: (x - mean) / sqrt(var + eps) * w + b, or x / sqrt(mean(x^2) + eps) * w. */
function normRef(x: number[], d: number, w: number[], b: number[] | null, eps: number, rms: boolean): number[] {
  const y: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const row = x.slice(r * d, (r + 1) * d);
    const mean = rms ? 0 : row.reduce((a, v) => a + v, 0) / d;
    const ms = row.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
    row.forEach((v, i) => y.push(((v - mean) / Math.sqrt(ms + eps)) * w[i] + (b ? b[i] : 0)));
  }
  return y;
}

for (const device of DEVICES) {
  s(`Linear matches the loop reference (${device})`, async () => {
    const layer = new nn.Linear(5, 3, { device });
    const x = randomTensor([4, 5], { device, seed: 3 });
    const y = layer.forward(x);
    assert.equal([...y.shape], [4, 3]);
    assertClose(await vals(y), linearRef(await vals(x), await vals(layer.weight), await vals(layer.bias!), 4, 5, 3));
    layer.dispose();
  });

  s(`LayerNorm and RMSNorm match the loop reference (${device})`, async () => {
    const x = randomTensor([3, 2, 6], { device, seed: 5 });
    const ln = new nn.LayerNorm(6, { device });
    const rms = new nn.RMSNorm([6], { device, eps: 1e-6 });
    noGrad(() => tidy(() => { ln.weight!.mul_(0).add_(randomTensor([6], { device, seed: 8 })); ln.bias!.add_(0.5); }));
    const xs = await vals(x);
    assertClose(await vals(ln.forward(x)), normRef(xs, 6, await vals(ln.weight!), await vals(ln.bias!), 1e-5, false), { atol: 1e-4 });
    assertClose(await vals(rms.forward(x)), normRef(xs, 6, Array(6).fill(1), null, 1e-6, true), { atol: 1e-4 });
    assertThrows(() => ln.forward(randomTensor([3, 5], { device })), 'layerNorm');
  });

  s(`Embedding picks rows (${device})`, async () => {
    const emb = new nn.Embedding(7, 4, { device, paddingIdx: 3 });
    const idx = tensor([[0, 6], [3, 3]], { dtype: 'i32', device });
    const y = emb.forward(idx);
    assert.equal([...y.shape], [2, 2, 4]);
    const w = await vals(emb.weight);
    assertClose(await vals(y), [0, 6, 3, 3].flatMap((r) => w.slice(r * 4, r * 4 + 4)));
    assertClose(w.slice(12, 16), [0, 0, 0, 0], { msg: 'the padding row starts at zero' });
    y.sum().backward();
    assertClose(await vals(emb.weight.grad!), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0].concat(Array(8).fill(0), [1, 1, 1, 1]),
      { msg: 'rows get one gradient per lookup, the padding row none' });
  });

  s(`Dropout zeroes about p of the elements, scales the rest, and is the identity in eval (${device})`, async () => {
    const drop = new nn.Dropout(0.25);
    const x = tensor(Array(4000).fill(1), { device });
    const y = await vals(drop.forward(x));
    const kept = y.filter((v) => v !== 0);
    assert.ok(Math.abs(kept.length / 4000 - 0.75) < 0.03, `kept fraction ${kept.length / 4000}`);
    assertClose(kept, kept.map(() => 1 / 0.75));
    drop.eval();
    assert.is(drop.forward(x), x);
  });
}

s('seeded layers are identical on cpu and webgpu, and so is their output', async () => {
  const build = (device: DeviceName) => {
    manualSeed(42);
    return new nn.Sequential(new nn.Linear(3, 8, { device }), new nn.GELU(), new nn.LayerNorm(8, { device }),
      new nn.MLP(8, { activation: 'swiglu', hidden: 16, device }), new nn.SiLU(), new nn.Linear(8, 2, { device }));
  };
  const [cpu, gpu] = [build('cpu'), build('webgpu')];
  for (const [[name, p], [, q]] of [...cpu.namedParameters()].map((e, i) => [e, [...gpu.namedParameters()][i]])) {
    assertClose(await vals(q), await vals(p), { msg: name, atol: 1e-6 });
  }
  const x = randomValues(15, 2);
  const yc = cpu.forward(tensor(x, { shape: [5, 3] }));
  const yg = gpu.forward(tensor(x, { shape: [5, 3], device: 'webgpu' }));
  assertClose(await vals(yg), await vals(yc), { atol: 1e-4 });
  cpu.dispose();
  gpu.dispose();
});

s('Linear init follows torch: weight and bias within 1/sqrt(in)', async () => {
  const layer = new nn.Linear(16, 64);
  const w = await vals(layer.weight);
  const bound = 1 / 4;
  assert.ok(w.every((v) => Math.abs(v) <= bound), 'weight bound');
  assert.ok(Math.max(...w) > 0.8 * bound && Math.min(...w) < -0.8 * bound, 'weight spreads over the interval');
  assert.ok((await vals(layer.bias!)).every((v) => Math.abs(v) <= bound), 'bias bound');
  assert.is(new nn.Linear(16, 4, { bias: false }).bias, null);
});

s('MLP variants compute their formulas', async () => {
  const x = randomTensor([2, 4], { seed: 9 });
  const gelu = new nn.MLP(4, { hidden: 6 });
  assert.equal([...gelu.namedParameters()].map(([n]) => n), ['fc.weight', 'fc.bias', 'proj.weight', 'proj.bias']);
  const ref = gelu.proj.forward(gelu.fc!.forward(x).gelu());
  assertClose(await vals(gelu.forward(x)), await vals(ref));
  const swiglu = new nn.MLP(4, { activation: 'swiglu', bias: false });
  assert.is(swiglu.gate!.outFeatures, 16); // ceil(8 * 4 / 3 / 8) * 8
  const ref2 = swiglu.proj.forward(swiglu.gate!.forward(x).silu().mul(swiglu.up!.forward(x)));
  assertClose(await vals(swiglu.forward(x)), await vals(ref2));
});

s('containers name children as torch does and route forward', async () => {
  const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
  assert.equal([...seq.stateDict().keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.is(seq.length, 3);
  const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2, { bias: false })]);
  const dict = new nn.ModuleDict({ enc: new nn.Linear(1, 1), dec: new nn.LayerNorm(1) });
  assert.equal([...list.namedParameters()].map(([n]) => n), ['0.weight', '0.bias', '1.weight']);
  assert.equal([...dict.namedParameters()].map(([n]) => n), ['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias']);
  assert.equal(nn.countParameters(seq), { total: 9 + 4, trainable: 9 + 4 });
  seq.eval();
  assert.ok([...seq.namedModules()].every(([, m]) => !m.training));
  assertThrows(() => list.at(5), 'ModuleList', 'index 5');
  assertThrows(() => dict.get('x'), "no module named 'x'", 'enc, dec');
  const y = seq.forward(tensor([[1, -1]]));
  assert.equal([...y.shape], [1, 1]);
});

s('loadStateDict copies values and names mismatches', async () => {
  const a = new nn.Linear(3, 2);
  const b = new nn.Linear(3, 2);
  b.loadStateDict(a.stateDict());
  assertClose(await vals(b.weight), await vals(a.weight));
  assertThrows(() => b.loadStateDict(new nn.Linear(4, 2).stateDict()), 'weight', '[2,4]', '[2,3]');
  assertThrows(() => b.loadStateDict({ weight: a.weight }), 'missing keys: bias');
  assert.equal(b.loadStateDict({ weight: a.weight, extra: a.bias! }, false), { missing: ['bias'], unexpected: ['extra'] });
});

s.run();
