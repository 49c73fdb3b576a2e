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
s.run();
