// The training helper: it learns, evaluates, stops early, writes the JSON log and SVG plot; the progress bar's
// text on a TTY and off one; the plot's ticks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn, optim, noGrad, type DeviceName } from '../../index.js';
import { writeLog } from '../../node.js';
import { randomTensor } from '../helpers.js';

const s = suite('nn train');
const dir = mkdtempSync(join(tmpdir(), 'tessera-train-'));

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (c: string) => chunks.push(c) }, chunks };
}

function problem(device: DeviceName) {
  const model = new nn.Sequential(new nn.Linear(3, 16, { device }), new nn.Tanh(), new nn.Linear(16, 1, { device }));
  const x = randomTensor([64, 3], { device, seed: 2 });
  const y = noGrad(() => x.sum(1, true).mul(0.5).tanh());
  const mse = () => model.forward(x).sub(y).square().mean();
  return { model, mse };
}

for (const device of ['cpu', 'webgpu'] as DeviceName[]) {
  s(`train learns, evaluates, logs JSON and SVG, and reports progress (${device})`, async () => {
    const { model, mse } = problem(device);
    const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
    const { stream, chunks } = capture(false);
    const logPath = join(dir, `run-${device}.json`);
    const r = await nn.train({
      model, optimizer: opt, steps: 60, seed: 1, loss: mse, logEvery: 5, evalEvery: 20, clipGradNorm: 1,
      scheduler: new optim.LRScheduler(opt, optim.cosine({ totalSteps: 60, warmupSteps: 5 })),
      evaluate: () => noGrad(() => mse().item()), progress: { stream, label: 'fit' },
    });
    await writeLog(logPath, r);
    assert.is(r.steps, 60);
    assert.equal(r.eval.map((p) => p.step), [20, 40, 60]);
    assert.ok(r.train[r.train.length - 1].loss < 0.3 * r.train[0].loss, `loss fell: ${r.train[0].loss} -> ${r.train[r.train.length - 1].loss}`);
    const log = JSON.parse(readFileSync(logPath, 'utf8'));
    assert.is(log.train.length, 13); // steps 0, 5, ..., 55 and the last
    const svg = readFileSync(join(dir, `run-${device}.svg`), 'utf8');
    assert.ok(svg.startsWith('<svg') && (svg.match(/<polyline/g) ?? []).length === 2);
    const lines = chunks.join('').trim().split('\n');
    assert.ok(lines.length >= 10 && lines.length <= 12, `${lines.length} periodic lines off a TTY`);
    assert.match(lines[lines.length - 1], /^fit \[#+\] 60\/60 .* loss=\d\.\d{4} val=\d\.\d{4}$/);
    opt.dispose();
  });
}

s('early stopping ends the run after `patience` evaluations without improvement', async () => {
  const { model, mse } = problem('cpu');
  const opt = new optim.SGD(model.parameters(), { lr: 0 });
  const r = await nn.train({
    model, optimizer: opt, steps: 100, loss: mse, evalEvery: 5, earlyStopping: { patience: 3 },
    evaluate: () => 1, progress: false,
  });
  assert.ok(r.stoppedEarly);
  assert.is(r.steps, 20); // best at step 5, then 3 evaluations (10, 15, 20) without improvement
  assert.equal(r.bestEval, { step: 5, loss: 1 });
});

s('progress bar: one redrawn line on a TTY, formatted durations and rates', () => {
  const { stream, chunks } = capture(true);
  const bar = new nn.ProgressBar(4, { stream });
  for (let i = 1; i <= 4; i++) bar.update(i, { loss: 1 / i });
  bar.finish({ loss: 0.25 });
  assert.ok(chunks.slice(0, -1).every((c) => c.startsWith('\r') && !c.includes('\n')));
  assert.is(chunks[chunks.length - 1], '\n');
  assert.equal(['42s', '3m07s', '1h02m', '?'], [42, 187, 3720, NaN].map(nn.formatDuration));
  assert.is(nn.formatProgress(5, 10, 2, { loss: 0.5 }, { width: 4 }), '[##..] 5/10 2.50 it/s 2s<2s loss=0.5000');
});

s('plot ticks are round numbers covering the range', () => {
  assert.equal(nn.niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(nn.niceTicks(3, 97, 4), [20, 40, 60, 80]);
  const svg = nn.linePlot([{ name: 'a<b', points: [[0, 1], [1, 0.1]] }], { logY: true, title: 't' });
  assert.ok(svg.includes('a&lt;b') && svg.includes('<polyline'));
});

s.after(() => rmSync(dir, { recursive: true, force: true }));
s.run();
