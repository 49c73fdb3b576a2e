// Adapters without 'shader-f16' (NVIDIA through Dawn): f16 tensors are stored packed two per u32; ops whose kernels
// are declared on shaders/kernel.ts run on them, the others fail at the op with a sentence naming it, the missing
// feature and the way out, and change nothing. The missing feature is simulated here (simulateMissingF16).
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

s('without the feature f16 tensors are stored packed: declared kernels run, the others raise at the op', async () => {
  const h = tensor([1, 2, 3], { dtype: 'f16', device: 'webgpu' });
  try {
    simulateMissingF16(true);
    const sum = h.add(h);
    assert.equal([...(await sum.data())], [2, 4, 6]);
    const before = memory();
    assertThrows(() => h.softmax(0), 'softmax:', "'shader-f16'", 'packed', 'x.float()');
    assert.is(memory().tensors, before.tensors);
    assert.is(memory().bytes, before.bytes);
    const widened = h.float().softmax(0); // the way out the message names
    assert.is(widened.dtype, 'f32');
    for (const t of [sum, widened]) t.dispose();
  } finally {
    simulateMissingF16(false);
  }
  const again = h.add(h);
  assert.equal([...(await again.data())], [2, 4, 6]);
  for (const t of [h, again]) t.dispose();
});

s.run();
