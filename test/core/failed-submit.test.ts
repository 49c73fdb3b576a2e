// A submit that fails validation runs none of its commands: every tensor it was to write, and every tensor later
// computed from one of those, must raise on readback instead of returning stale bytes (zeros). Also: grids past
// 65,535 workgroups (matmul, attention) are folded rather than dispatched invalidly.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { flush, ones, tensor, tidy, zeros, nn } from '../../index.js';
import { dispatch } from '../../core/executor.js';
import { pipeline } from '../../shaders/pipelines.js';
import { preamble } from '../../shaders/preamble.js';

const s = suite('core failed submit');

async function rejects(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  try {
    await p;
  } catch (e) {
    for (const f of fragments)
      assert.ok((e as Error).message.includes(f), `"${(e as Error).message}" should mention "${f}"`);
    return;
  }
  assert.unreachable(`expected an error mentioning ${fragments.join(', ')}`);
}

/** Records a dispatch of 70,000 workgroups in x: past the 65,535 limit, so its whole submit fails validation. */
function invalidDispatch(): void {
  const p = pipeline(
    'test|writes-one',
    () => `${preamble({ uniformBinding: 1 })}
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1)
fn main(@builtin(workgroup_id) wid: vec3<u32>) { if (wid.x == 0u) { out[0] = uwf(0u); } }`,
  );
  const target = zeros([1], { device: 'webgpu' });
  dispatch(p, [target.storage.buffer!], new Uint32Array(64), [70000]);
  target.dispose();
}

s(
  'every tensor of a submit with one invalid dispatch raises on readback, and so does what is computed from it',
  async () => {
    const x = tensor([1, 2, 3], { device: 'webgpu' });
    const before = x.mul(10);
    flush(); // an earlier, valid submit
    const a = x.add(1);
    invalidDispatch();
    const b = x.mul(3);
    flush();
    const later = a.add(1); // a later submit reading a tensor of the failed one
    await rejects(a.data(), 'exceeds max compute workgroups');
    await rejects(b.data(), 'data:', 'submit that failed', 'no valid values');
    await rejects(a.data(), 'submit that failed'); // raised every time, not once
    await rejects(later.data(), 'submit that failed');
    const further = tidy(() => later.mul(2).sum());
    await rejects(further.item(), 'submit that failed');
    // what the failed submit only read, and what earlier submits wrote, are intact
    assert.equal([...(await x.data())], [1, 2, 3]);
    assert.equal([...(await before.data())], [10, 20, 30]);
    const after = x.add(1);
    assert.equal([...(await after.data())], [2, 3, 4]);
    for (const t of [x, before, a, b, later, further, after]) t.dispose();
  },
);

s('matmul and attention grids past 65,535 workgroups are folded and give correct values', async () => {
  const gpu = { device: 'webgpu' } as const;
  const m = tidy(() => ones([600000, 4], gpu).matmul(ones([4, 4], gpu)));
  const values = await m.data();
  assert.is(values.length, 2400000);
  assert.ok(
    values.every((v) => v === 4),
    'every entry of ones @ ones is 4',
  );
  const batched = tidy(() => ones([70000, 1, 2], gpu).matmul(ones([70000, 2, 1], gpu)));
  assert.ok(
    (await batched.data()).every((v) => v === 2),
    '70,000 batches',
  );
  // 70,000 (batch, head) pairs of one query row: each output is the mean of v over its 2 keys
  const q = zeros([70000, 1, 1, 4], gpu);
  const k = zeros([70000, 1, 2, 4], gpu);
  const v = ones([70000, 1, 2, 4], gpu);
  const o = nn.scaledDotProductAttention(q, k, v);
  assert.ok(
    (await o.data()).every((x) => Math.abs(x - 1) < 1e-6),
    'attention over 70,000 heads',
  );
  for (const t of [m, batched, q, k, v, o]) t.dispose();
});

s.run();
