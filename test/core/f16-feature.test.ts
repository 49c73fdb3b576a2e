// Adapters without 'shader-f16' (NVIDIA through Dawn): f16 tensors are stored packed two per u32; every op whose
// kernels are declared on shaders/kernel.ts (all of them today) runs on them, and an op without packed support would
// fail at the op with a sentence naming it, the missing feature and the way out, and change nothing. The missing
// feature is simulated here (simulateMissingF16).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { memory, tensor } from '../../index.js';
import { simulateMissingF16 } from '../../core/device.js';
import { preamble } from '../../shaders/preamble.js';
import { apply } from '../../ops/op.js';
import { assertClose, assertThrows, unpackedOp } from '../helpers.js';

const s = suite('core f16 without shader-f16');

s('the preamble enables f16 only for kernels that use it', () => {
  assert.ok(preamble({ f16: true, uniformBinding: 0 }).trimStart().startsWith('enable f16;'));
  assert.not.ok(preamble({ uniformBinding: 0 }).includes('enable f16'));
});

s(
  'without the feature f16 tensors are stored packed: declared kernels run, an undeclared one raises at the op',
  async () => {
    const h = tensor([1, 2, 3], { dtype: 'f16', device: 'webgpu' });
    try {
      simulateMissingF16(true);
      const sum = h.add(h);
      assert.equal([...(await sum.data())], [2, 4, 6]);
      const soft = h.softmax(0); // a row kernel, on packed storage
      const e = [1, 2, 3].map(Math.exp);
      assertClose(
        await soft.data(),
        e.map((v) => v / (e[0] + e[1] + e[2])),
        { atol: 1e-3 },
      );
      const before = memory();
      assertThrows(() => apply(unpackedOp, [h], undefined), 'unpackedOp:', "'shader-f16'", 'packed', 'x.float()');
      assert.is(memory().tensors, before.tensors);
      assert.is(memory().bytes, before.bytes);
      for (const t of [sum, soft]) t.dispose();
    } finally {
      simulateMissingF16(false);
    }
    const again = h.add(h);
    assert.equal([...(await again.data())], [2, 4, 6]);
    for (const t of [h, again]) t.dispose();
  },
);

s.run();
