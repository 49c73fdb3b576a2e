// safetensors: round trips of every supported dtype and of a module, a file written by hand from the format spec,
// the byte layout of what we write, and clear errors for mismatches and corrupt files.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn, tensor, type Tensor } from '../../index.js';
import { safetensors as files } from '../../node.js';
import { assertClose, randomTensor } from '../helpers.js';

const s = suite('nn safetensors');
const { safetensors } = nn;
const vals = async (t: Tensor) => [...(await t.data())];
const dir = mkdtempSync(join(tmpdir(), 'tessera-st-'));

async function rejects(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  try { await p; } catch (e) {
    for (const f of fragments) assert.ok((e as Error).message.includes(f), `"${(e as Error).message}" should mention "${f}"`);
    return;
  }
  assert.unreachable(`expected an error mentioning ${fragments.join(', ')}`);
}

s('every dtype round-trips with its shape, and metadata survives', async () => {
  const tensors = {
    a: randomTensor([2, 3], { seed: 1 }),
    h: tensor([0.5, -2, 65504, 1e-3], { dtype: 'f16', device: 'webgpu' }),
    i: tensor([[1, -7], [2 ** 31 - 1, -(2 ** 31)]], { dtype: 'i32' }),
    u: tensor([4000000000], { dtype: 'u32' }),
    b: tensor([true, false, true]),
    d: tensor([Math.PI], { dtype: 'f64' }),
    scalar: tensor(3),
  };
  const bytes = await safetensors.serialize(tensors, { format: 'pt', note: 'hi' });
  const { tensors: back, metadata } = safetensors.deserialize(bytes);
  assert.equal(metadata, { format: 'pt', note: 'hi' });
  for (const [name, t] of Object.entries(tensors)) {
    const r = back.get(name)!;
    assert.equal([r.dtype, [...r.shape]], [t.dtype, [...t.shape]], name);
    assertClose(await vals(r), await vals(t), { atol: 0, rtol: 0, msg: name });
  }
});

s('the bytes follow the spec: u64 LE header length, JSON header, 8-byte aligned data', async () => {
  const bytes = await safetensors.serialize({ x: tensor([1, 2], { dtype: 'f32' }), y: tensor([3], { dtype: 'i32' }) });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is((8 + n) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.equal(header, {
    x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    y: { dtype: 'I32', shape: [1], data_offsets: [8, 12] },
  });
  const data = bytes.slice(8 + n);
  assert.equal([...new Float32Array(data.buffer, 0, 2)], [1, 2]);
  assert.is(new DataView(data.buffer).getInt32(8, true), 3);
});

s('reads a file written by hand from the format description (F32, F16, BF16, I32)', async () => {
  const json = JSON.stringify({
    __metadata__: { source: 'hand' },
    w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
    h: { dtype: 'F16', shape: [2], data_offsets: [16, 20] },
    bf: { dtype: 'BF16', shape: [1], data_offsets: [20, 22] },
    n: { dtype: 'I32', shape: [], data_offsets: [22, 26] },
  });
  const head = new TextEncoder().encode(json);
  const file = new Uint8Array(8 + head.length + 26);
  const dv = new DataView(file.buffer);
  dv.setUint32(0, head.length, true); // low word of the u64; the high word stays 0
  file.set(head, 8);
  const at = 8 + head.length;
  [1.5, -2, 0.25, 8].forEach((v, i) => dv.setFloat32(at + 4 * i, v, true));
  dv.setUint16(at + 16, 0x3c00, true); // f16 1.0
  dv.setUint16(at + 18, 0xc000, true); // f16 -2.0
  dv.setUint16(at + 20, 0x4049, true); // bf16 3.140625
  dv.setInt32(at + 22, -5, true);
  const path = join(dir, 'hand.safetensors');
  writeFileSync(path, file);
  const { tensors, metadata } = await files.load(path, { device: 'webgpu' });
  assert.equal(metadata, { source: 'hand' });
  assert.equal(await tensors.get('w')!.toArray(), [[1.5, -2], [0.25, 8]]);
  assert.equal([tensors.get('h')!.dtype, await tensors.get('h')!.toArray()], ['f16', [1, -2]]);
  assert.equal(await tensors.get('bf')!.toArray(), [3.140625]);
  assert.equal([[...tensors.get('n')!.shape], await tensors.get('n')!.item()], [[], -5]);
});

s('a module saved and loaded gives the same outputs; mismatches are named', async () => {
  const make = () => new nn.Sequential(new nn.Linear(3, 4), new nn.GELU(), new nn.LayerNorm(4), new nn.Linear(4, 2));
  const a = make();
  const path = join(dir, 'model.safetensors');
  await files.save(path, a, { step: '10' });
  const b = make();
  assert.equal(await files.loadInto(b, path), { step: '10' });
  const x = randomTensor([5, 3], { seed: 4 });
  assertClose(await vals(b.forward(x)), await vals(a.forward(x)), { atol: 0, rtol: 0 });
  await rejects(files.loadInto(new nn.Sequential(new nn.Linear(3, 5), new nn.GELU(), new nn.LayerNorm(5), new nn.Linear(5, 2)), path),
    '0.weight', '[4,3]', '[5,3]');
  await rejects(files.loadInto(new nn.Sequential(new nn.Linear(3, 4)), path), 'unexpected keys', '3.weight');
  const gpu = make();
  await gpu.to('webgpu');
  await files.loadInto(gpu, path);
  assertClose(await vals(gpu.forward(await x.to('webgpu'))), await vals(a.forward(x)), { atol: 1e-5 });
});

s('corrupt files get clear errors', () => {
  const bad = (json: string) => {
    const head = new TextEncoder().encode(json);
    const f = new Uint8Array(8 + head.length + 4);
    new DataView(f.buffer).setUint32(0, head.length, true);
    f.set(head, 8);
    return f;
  };
  const expectThrow = (bytes: Uint8Array, ...fragments: string[]) => {
    try { safetensors.deserialize(bytes); } catch (e) {
      for (const f of fragments) assert.ok((e as Error).message.includes(f), (e as Error).message);
      return;
    }
    assert.unreachable('expected an error');
  };
  expectThrow(new Uint8Array(3), 'too short');
  expectThrow(bad('{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}'), "'x'", 'data_offsets [0, 8]');
  expectThrow(bad('{"x": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]}}'), 'dtype I64');
  expectThrow(bad('{oops'), 'not valid JSON');
});

s.after(() => rmSync(dir, { recursive: true, force: true }));
s.run();
