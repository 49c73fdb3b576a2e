// Adapters without 'shader-f16' (NVIDIA through Dawn): an op on f16 webgpu tensors fails at the op with a sentence
// naming it and the missing feature, changes nothing, and f16 data can still be read back and moved. The missing
// feature is simulated on this adapter (simulateMissingF16), so the test runs everywhere.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { memory, tensor } from '../../index.js';
import { simulateMissingF16 } from '../../core/device.js';
import { preamble } from '../../shaders/preamble.js';
import { assertThrows } from '../helpers.js';

const s = suite('core f16 without shader-f16');

s('the preamble enables f16 only for kernels that use it', () => {
  assert.ok(preamble({ f16: true, uniformBinding: 0 }).trimStart().startsWith('enable f16;'));
  assert.not.ok(preamble({ uniformBinding: 0 }).includes('enable f16'));
});

s('f16 ops raise at the op, naming it, and leave memory as it was; f32 ops still run', async () => {
  const h = tensor([1, 2, 3], { dtype: 'f16', device: 'webgpu' });
  const x = tensor([1, 2, 3], { device: 'webgpu' });
  const warm = h.add(h); // compiles and caches the f16 kernel while the feature is there
  try {
    simulateMissingF16(true);
    const before = memory();
    assertThrows(() => h.add(h), 'add:', "'shader-f16'", 'cpu');
    assertThrows(() => h.matmul(h), 'matmul:', "'shader-f16'");
    assertThrows(() => x.half(), "'shader-f16'");
    assert.is(memory().tensors, before.tensors);
    assert.is(memory().bytes, before.bytes);
    assert.equal([...(await h.data())], [1, 2, 3]); // readback needs no f16 kernel
    const moved = await h.to('cpu');
    const widened = moved.float();
    assert.equal([...(await widened.data())], [1, 2, 3]);
    widened.dispose();
    const y = x.mul(2);
    assert.equal([...(await y.data())], [2, 4, 6]);
    moved.dispose();
    y.dispose();
  } finally {
    simulateMissingF16(false);
  }
  const again = h.add(h);
  assert.equal([...(await again.data())], [2, 4, 6]);
  for (const t of [h, x, warm, again]) t.dispose();
});

s.run();
