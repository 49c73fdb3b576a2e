// loadStateDict and safetensors.loadInto are all or nothing: an entry that cannot be loaded (wrong shape, not a
// tensor, disposed) anywhere in the dict leaves every parameter of the module as it was.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn, tensor, zeros, type Tensor } from '../../index.js';
import { safetensors } from '../../node.js';
import { assertThrows } from '../helpers.js';

const s = suite('nn load state all or nothing');
const dir = mkdtempSync(join(tmpdir(), 'tessera-load-'));
const make = () => new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2));
const snapshot = async (m: nn.Module) =>
  Promise.all([...m.stateDict()].map(async ([k, t]) => [k, [...(await t.data())]]));

/** A full state dict of zeros with `last` as the final entry (2.bias in order, here 1.bias). */
function zerosWithLast(m: nn.Module, last: Tensor | unknown): Record<string, Tensor> {
  const entries = [...m.stateDict()];
  const dict: Record<string, Tensor> = {};
  entries.forEach(([k, t], i) => (dict[k] = i === entries.length - 1 ? (last as Tensor) : zeros(t.shape)));
  return dict;
}

s('a bad last entry leaves every earlier parameter unchanged', async () => {
  const m = make();
  const before = await snapshot(m);
  assertThrows(() => m.loadStateDict(zerosWithLast(m, zeros([3]))), 'loadStateDict', '1.bias', '[3]', '[2]');
  assert.equal(await snapshot(m), before);
  assertThrows(() => m.loadStateDict(zerosWithLast(m, [0, 0])), 'loadStateDict', '1.bias', 'must be a Tensor');
  assert.equal(await snapshot(m), before);
  const gone = zeros([2]);
  gone.dispose();
  assertThrows(() => m.loadStateDict(zerosWithLast(m, gone)), 'loadStateDict', 'disposed');
  assert.equal(await snapshot(m), before);
  m.loadStateDict(zerosWithLast(m, tensor([7, 8])));
  assert.equal((await snapshot(m)).at(-1), ['1.bias', [7, 8]]);
  assert.equal((await snapshot(m))[0][1], new Array(12).fill(0));
});

s('loadInto from a file with one mismatched tensor leaves the module unchanged', async () => {
  const path = join(dir, 'mismatch.safetensors');
  await safetensors.save(path, zerosWithLast(make(), zeros([5])));
  const m = make();
  const before = await snapshot(m);
  let message = '';
  try {
    await safetensors.loadInto(m, path);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message.includes('1.bias') && message.includes('[5]'), message);
  assert.equal(await snapshot(m), before);
});

s.after(() => rmSync(dir, { recursive: true, force: true }));
s('state dicts with separate qProj/kProj/vProj (before the fused qkvProj) load into the fused projection', async () => {
  const config = { vocabSize: 11, blockSize: 6, nLayer: 2, nHead: 4, nKvHead: 2, nEmbd: 16 };
  const source = new nn.GPT({ ...config, seed: 1 });
  // the old layout: rows [q (4 heads of 4) | k (2 heads) | v (2 heads)] of each layer's fused weight and bias
  const old = new Map<string, Tensor>();
  for (const [name, t] of source.stateDict()) {
    const fused = name.match(/^(.*)qkvProj\.(weight|bias)$/);
    if (!fused) old.set(name, t);
    else
      [
        ['qProj', 0, 16],
        ['kProj', 16, 8],
        ['vProj', 24, 8],
      ].forEach(([proj, start, n]) =>
        old.set(`${fused[1]}${proj}.${fused[2]}`, t.narrow(0, start as number, n as number)),
      );
  }
  const target = new nn.GPT({ ...config, seed: 2 });
  const idx = tensor([[1, 5, 2, 9]], { dtype: 'i32' });
  const logits = async (m: nn.GPT) => [...(await m.forward(idx).logits.data())];
  assert.not.equal(await logits(target), await logits(source));
  assert.equal(target.loadStateDict(old), { missing: [], unexpected: [] });
  assert.equal(await logits(target), await logits(source));
  // an old dict missing one of the three is not fused: the error names both layouts
  old.delete('blocks.1.attn.vProj.weight');
  assertThrows(
    () => target.loadStateDict(old),
    'loadStateDict',
    'missing keys: blocks.1.attn.qkvProj.weight',
    'unexpected keys: blocks.1.attn.qProj.weight',
  );
});

s.run();
