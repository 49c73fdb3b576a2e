// LoRA: the adapter's forward is W x + (alpha/r) B A x, merging does not change the output, only the adapters
// train, and targeting by name pattern picks the right layers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, noGrad, tidy, type Tensor } from '../../index.js';
import { DEVICES, assertClose, assertThrows, randomTensor } from '../helpers.js';

const s = suite('nn lora');
const vals = async (t: Tensor) => [...(await t.data())];

class Block extends nn.Module {
  attn = new nn.ModuleDict({ q: new nn.Linear(4, 4), v: new nn.Linear(4, 4) });
  mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 4));
  forward(x: Tensor): Tensor {
    const a = this.attn.get('q') as nn.Linear;
    const b = this.attn.get('v') as nn.Linear;
    return this.mlp.forward(a.forward(x).add(b.forward(x)));
  }
}

for (const device of DEVICES) {
  s(`merge equals the unmerged forward, and unmerge restores the weight (${device})`, async () => {
    const base = new nn.Linear(5, 3, { device });
    const w0 = await vals(base.weight);
    const lora = new nn.LoRALinear(base, { r: 2, alpha: 4 });
    noGrad(() => tidy(() => { lora.loraB.add_(randomTensor([3, 2], { device, seed: 4 })); }));
    const x = randomTensor([6, 5], { device, seed: 2 });
    const y = await vals(lora.forward(x));
    // reference: W x + b + 2 * B (A x)
    const ref = base.forward(x).add(x.matmul(lora.loraA.T).matmul(lora.loraB.T).mul(2));
    assertClose(y, await vals(ref), { atol: 1e-5 });
    lora.merge();
    assertClose(await vals(lora.forward(x)), y, { atol: 1e-5 });
    lora.unmerge();
    assertClose(await vals(base.weight), w0, { atol: 1e-6 });
    assertThrows(() => lora.unmerge(), 'not merged');
  });
}

s('applyLoRA targets layers by name, freezes the rest, and only adapters get gradients', async () => {
  const model = new Block();
  const before = nn.countParameters(model).total;
  const names = nn.applyLoRA(model, ['q', 'v', /^mlp\.2$/], { r: 2 });
  assert.equal(names, ['attn.q', 'attn.v', 'mlp.2']);
  assert.ok(model.attn.get('q') instanceof nn.LoRALinear);
  const { total, trainable } = nn.countParameters(model);
  assert.is(trainable, 2 * (2 * 4 + 4 * 2) + (2 * 8 + 4 * 2));
  assert.is(total, before + trainable);
  assert.ok([...model.stateDict().keys()].includes('attn.q.base.weight'));
  const loss = model.forward(randomTensor([3, 4], { seed: 1 })).square().sum();
  loss.backward();
  for (const [name, p] of model.namedParameters()) {
    assert.is(p.grad !== null, name.includes('lora'), `${name} ${p.grad ? 'has' : 'lacks'} a gradient`);
  }
  const y = await vals(model.forward(randomTensor([2, 4], { seed: 9 })));
  nn.mergeLoRA(model);
  assertClose(await vals(model.forward(randomTensor([2, 4], { seed: 9 }))), y, { atol: 1e-5 });
  nn.unmergeLoRA(model);
  assertThrows(() => nn.applyLoRA(new Block(), 'k'), 'no Linear matches k', 'attn.q');
});

s.run();
