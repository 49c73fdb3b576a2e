import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn } from '../../index.js';
import { searchSpace } from '../../methods/mcbo/space.js';
import { TrManager, projectToRegion } from '../../methods/mcbo/trust-region.js';
import { rouletteSelect } from '../../methods/mcbo/acq-optimizers/ga.js';
import { friedmanTest, rankTable, wilcoxonPratt } from '../../methods/mcbo/stats.js';
import { rankWithTies } from '../../methods/shared/stats.js';
import { ackley20c, ackley20cShifted, pestControlScore } from '../../methods/mcbo/tasks.js';
import { ei } from '../../methods/mcbo/acquisition.js';
import { validateJob } from '../../methods/mcbo/sweep/job.js';
import { runPool } from '../../methods/mcbo/sweep/pool.js';

const s = suite('methods/mcbo');
const close = (a: number, b: number, tol: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);
const nominal = (d: number, categories = 11) =>
  searchSpace(Array.from({ length: d }, (_, i) => ({ type: 'nominal' as const, name: `x${i}`, categories })));

s('search space: nominal as index, ordinal/integer/continuous to [0, 1] and back, discrete ones rounded', () => {
  const space = searchSpace([
    { type: 'nominal', name: 'a', categories: 3 },
    { type: 'ordinal', name: 'b', levels: 5 },
    { type: 'integer', name: 'c', lb: -2, ub: 2 },
    { type: 'continuous', name: 'd', lb: -1, ub: 1 },
  ]);
  assert.equal(space.nominalDims, [0]);
  assert.equal(space.numericDims, [1, 2, 3]);
  assert.equal(space.transform([2, 1, 0, 0.5]), [2, 0.25, 0.5, 0.75]);
  assert.equal(space.inverse([2, 0.3, 0.6, 0.75]), [2, 1, 0, 0.5]); // ordinal 0.3·4 → 1, integer −2 + 0.6·4 → 0
  assert.equal(space.roundNumeric([0, 0.3, 0.6, 1.4]), [0, 0.25, 0.5, 1]);
  assert.throws(() => searchSpace([{ type: 'nominal', name: 'z', categories: 1 }]), /invalid nominal parameter 'z'/);
});

s(
  'TR (d = 20, Hamming radius 16): 3 successes give 20 (capped), 40 failures give 10, radius 1 shrinks to 0 and restarts',
  () => {
    const tr = new TrManager(nominal(20));
    assert.is(tr.radiusHam, 16); // ⌈0.8 · 20⌉
    for (let i = 0; i < 2; i++) tr.adjust(true);
    assert.is(tr.radiusHam, 16);
    tr.adjust(true);
    assert.is(tr.radiusHam, 20);
    for (let i = 0; i < 40; i++) tr.adjust(false);
    assert.is(tr.radiusHam, 13); // int(20 / 1.5)
    tr.restart();
    for (let i = 0; i < 39; i++) tr.adjust(false);
    assert.is(tr.radiusHam, 16);
    tr.adjust(false);
    assert.is(tr.radiusHam, 10); // int(16 / 1.5)
    tr.radiusHam = 1;
    assert.not.ok(tr.needsRestart);
    for (let i = 0; i < 40; i++) tr.adjust(false);
    assert.is(tr.radiusHam, 0);
    assert.ok(tr.needsRestart);
    tr.adjust(true); // a success in between resets the failure count
    for (let i = 0; i < 39; i++) tr.adjust(false);
    assert.is(tr.failCount, 39);
  },
);

s('GA projection: centre 0000, child 1110, radius 2 resets exactly one differing position to the centre', () => {
  const space = nominal(4, 2);
  for (let seed = 0; seed < 20; seed++) {
    const child = projectToRegion(
      [1, 1, 1, 0],
      { centre: [0, 0, 0, 0], radiusNum: 1, radiusHam: 2 },
      space,
      nn.data.seededRandom(seed),
    );
    assert.is(child.filter((v) => v === 1).length, 2);
    assert.is(child[3], 0);
  }
});

s('roulette selection: weights ∝ max − y + 1 (y = [0, 1] gives 2 : 1)', () => {
  const rngAt = (u: number) => () => u;
  assert.is(rouletteSelect([0, 1], rngAt(0.5)), 0); // u·3 = 1.5 ≤ 2
  assert.is(rouletteSelect([0, 1], rngAt(0.7)), 1); // 2.1 > 2
  assert.is(rouletteSelect([1, 0], rngAt(0.5)), 1);
});

s('statistics: ranks with ties, Friedman χ² = 8 (p = 0.0183), Wilcoxon–Pratt T+ = 5, T− = 4', () => {
  assert.equal(rankWithTies([1, 2, 1, 3]), [1.5, 3, 1.5, 4]);
  const f = friedmanTest([
    [1, 2, 3],
    [1, 2, 3],
    [1, 2, 3],
    [1, 2, 3],
  ]);
  close(f.chi2, 8, 1e-12, 'χ²');
  close(f.p, 0.0183, 5e-5, 'p');
  const w = wilcoxonPratt([1, 2, 0, -3]);
  assert.is(w.tPlus, 5);
  assert.is(w.tMinus, 4);
  assert.ok(w.p > 0.5 && w.p <= 1);
  const table = rankTable(
    [
      { task: 't', solver: 'a', seed: 0, ys: [3, 1] },
      { task: 't', solver: 'b', seed: 0, ys: [2, 2] },
      { task: 't', solver: 'a', seed: 1, ys: [5, 4] },
      { task: 't', solver: 'b', seed: 1, ys: [4, 4] },
    ],
    ['a', 'b'],
    2,
  );
  assert.equal(table.overall, [1.25, 1.75]); // seed 0: a best (1 < 2) ranks 1 / 2, seed 1: a and b tie at 4, 1.5 / 1.5
  assert.equal(
    rankTable(
      [
        { task: 't', solver: 'a', seed: 0, ys: [3, 1] },
        { task: 't', solver: 'b', seed: 0, ys: [2, 2] },
      ],
      ['a', 'b'],
      1,
    ).overall,
    [2, 1],
  );
});

s('tasks: Ackley-20c at all-5 is ~0, the shifted task moves the optimum, pest control is deterministic', () => {
  const t = ackley20c();
  assert.ok(Math.abs(t.evaluate(new Array(20).fill(5))) <= 1e-12);
  assert.ok(t.evaluate(new Array(20).fill(0)) > 19);
  const shifted = ackley20cShifted();
  assert.ok(shifted.evaluate(new Array(20).fill(5)) > 1, 'all-5 is no longer optimal');
  const x = Array.from({ length: 25 }, (_, i) => i % 5);
  assert.is(pestControlScore(x), pestControlScore(x));
  assert.is.not(pestControlScore(x), pestControlScore(new Array(25).fill(0)));
  assert.ok(pestControlScore(new Array(25).fill(0)) > 20, 'no pesticide: nearly every field is above threshold');
});

s('ei acquisition is −EI of the fitted model (lower is better)', () => {
  const space = nominal(2, 3);
  const model = new nn.gp.ExactGP(nn.gp.transformedOverlapKernel({ dims: space.nominalDims }), { noisePrior: null });
  model.fit(
    [
      [0, 0],
      [1, 1],
      [2, 2],
    ],
    [0, 1, 2],
    { epochs: 0 },
  );
  const xs = [
    [0, 1],
    [2, 1],
  ];
  const v = ei(xs, model, { yBest: 0, rng: Math.random });
  const p = model.predict(xs);
  close(v[0], -nn.gp.expectedImprovement(p.mean[0], Math.sqrt(p.var[0]), 0), 1e-12);
  assert.ok(v[0] < v[1], 'the point sharing a category with the best is preferred');
});

s('sweep jobs are validated data', () => {
  assert.throws(
    () => validateJob({ task: 'ackley20c', solver: 'rm -rf', seed: 0, options: { nInit: 1, budget: 2, epochs: 0 } }),
    /solver must be one of/,
  );
  assert.throws(
    () => validateJob({ task: 'nope', solver: 'RS', seed: 0, options: { nInit: 1, budget: 2, epochs: 0 } }),
    /task must be one of/,
  );
  assert.throws(
    () => validateJob({ task: 'ackley20c', solver: 'RS', seed: 0, options: { nInit: 5, budget: 2, epochs: 0 } }),
    /nInit/,
  );
  const j = validateJob({
    task: 'ackley20c',
    solver: 'RS',
    seed: 1,
    options: { nInit: 1, budget: 2, epochs: 0 },
    extra: 'dropped',
  });
  assert.equal(Object.keys(j), ['task', 'solver', 'seed', 'options']);
});

s('sweep pool: 2 workers, a worker killed mid-job has its job retried, a re-run skips finished jobs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcbo-sweep-'));
  try {
    const options = { nInit: 5, budget: 12, epochs: 5 };
    const jobs = [0, 1, 2].map((seed) => ({ task: 'ackley20c', solver: 'TO+GA', seed, options }));
    let killed = false;
    const first = await runPool(jobs, {
      workers: 2,
      outDir: dir,
      progress: false,
      onWorkerStart: (child) => {
        // the worker that is sent the first job is killed right after, long before a job can finish (a timer after
        // `ready` raced the job's end on a loaded machine, and the other worker may take every job)
        const send = child.send.bind(child) as (msg: unknown) => boolean;
        child.send = ((msg: unknown) => {
          const sent = send(msg);
          if (!killed) {
            killed = true;
            setImmediate(() => child.kill('SIGKILL'));
          }
          return sent;
        }) as typeof child.send;
      },
    });
    assert.is(first.failed.length, 0);
    assert.is(first.retried, 1);
    assert.is(first.results.length, 3);
    assert.is(readdirSync(dir).filter((f) => f.endsWith('.json')).length, 3);
    const again = await runPool(jobs, { workers: 2, outDir: dir, progress: false });
    assert.is(again.skipped, 3);
    const bySeed = (rs: typeof first.results) => rs.map((r) => JSON.stringify([r.job.seed, r.ys])).sort();
    assert.equal(bySeed(again.results), bySeed(first.results)); // read back from the files, identical
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

s.run();
