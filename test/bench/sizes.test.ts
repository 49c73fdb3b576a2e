// The bench's size tables: a real GPU gets issue 11's sizes, a software adapter keeps the small ones, and the
// PyTorch part names its cases as the tessera suites do (so they land in the same rows of the table).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { benchSizes, sizeTable } from '../../bench/sizes.js';
import { torchJobs } from '../../bench/suites/torch.js';
import { summarise } from '../../bench/harness.js';

const s = suite('bench/sizes');

s('the table follows the adapter kind, and --sizes overrides it', () => {
  assert.is(sizeTable(true), 'software');
  assert.is(sizeTable(false), 'gpu');
  assert.is(sizeTable(true, 'gpu'), 'gpu');
  assert.is(sizeTable(false, 'tiny'), 'tiny');
  assert.throws(() => sizeTable(false, 'huge'), /--sizes=huge is not a size table \(valid: software, gpu, tiny\)/);
});

s("a real GPU gets issue 11's rows", () => {
  const g = benchSizes('gpu', false);
  assert.equal(g.matmul.slice(-3), [1024, 2048, 4096]);
  assert.is(g.tuneBelow, Infinity); // tuning is cheap on a GPU: every size is tuned
  assert.ok(g.add.includes(64 << 20));
  assert.equal(g.softmax.slice(1), [
    [4096, 4096],
    [16384, 1024],
  ]);
  assert.equal(
    g.attention.map((a) => [a.B, a.H, a.D, a.T]),
    [
      [4, 8, 64, 512],
      [4, 8, 64, 2048],
    ],
  );
  assert.equal(
    g.gpt.map((m) => [m.layers, m.embd, m.block, m.batch, m.embd / m.heads]),
    [
      [4, 64, 64, 16, 16],
      [6, 512, 256, 16, 64],
    ],
  );
  assert.equal(g.rows, [1024, 1024]);
  assert.is(g.queued, 10);
  assert.equal(benchSizes('gpu', true), g, 'the GPU table does not shrink in quick mode');
});

s('software adapters keep the small sizes', () => {
  assert.equal(benchSizes('software', true).matmul, [128, 256]);
  assert.equal(benchSizes('software', false).matmul, [64, 128, 256, 512, 1024, 2048]);
  assert.is(benchSizes('software', false).tuneBelow, 2048);
  assert.equal(benchSizes('software', false).attention, [{ B: 1, H: 4, T: 512, D: 64 }]);
  assert.ok(Math.max(...benchSizes('software', false).add) <= 16 << 20);
});

s("PyTorch's cases carry the tessera suites' names", () => {
  const names = torchJobs(benchSizes('gpu', false)).map((j) => `${j.suite} / ${j.case}`);
  for (const n of [
    'matmul / f32 4096x4096x4096',
    'matmul / f16 4096^3',
    'elementwise / add 64M f32',
    'softmax / softmax 16384x1024',
    'reduce / sum 1024x1024 rows',
    'attention / causal B4 T=2048 h=8 d=64',
    'attention / causal fwd+bwd B4 T=512 h=8 d=64',
    'gpt / step L6 d512 T256 b16',
  ]) {
    assert.ok(names.includes(n), `${n} missing from ${names.join(', ')}`);
  }
});

s('summarise: the median, the spread and the mode', () => {
  const t = summarise([5, 1, 3, 2, 4], 'queued x10');
  assert.equal([t.medianMs, t.minMs, t.maxMs, t.samples, t.mode], [3, 1, 5, 5, 'queued x10']);
  assert.ok(Math.abs(t.rmePct - (100 * 1.96 * Math.sqrt(2.5)) / Math.sqrt(5) / 3) < 1e-9);
});

s.run();
