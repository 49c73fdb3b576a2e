// The offline route (spec §3 CQL-Prior, §5 offline tier): a dataset of N transitions from a behaviour policy that
// is half uniform-random and half prior, then CQL (logsumexp over every admissible action) or CQL-Prior
// (logsumexp and target max over the k cached prior proposals), evaluated greedily among the same candidates.
import { optim, readTensors, tensor, tidy } from '../../index.js';
import { argmax, CPU64, hardUpdate, makeRng, sampleCategorical, type Rng } from '../shared/rl/index.js';
import { successRate } from './evaluate.js';
import type { PriorOracle } from './oracle.js';
import { cqlPriorLoss, tdTargetPrior } from './posterior.js';
import { ProposalCache } from './proposals.js';
import { makeQNet, qForward, qValues } from './qnet.js';
import type { TextEnv, TextObs } from './text-env.js';

export interface OfflineTransition {
  s: TextObs;
  a: number;
  r: number;
  s2: TextObs;
  terminal: boolean;
}

export async function collectOffline(
  env: TextEnv,
  oracle: PriorOracle,
  n: number,
  rng: Rng,
): Promise<OfflineTransition[]> {
  const data: OfflineTransition[] = [];
  while (data.length < n) {
    let s: TextObs = env.reset(env.trainTasks[rng.int(env.trainTasks.length)]);
    for (;;) {
      const a =
        rng.uniform() < 0.5
          ? rng.int(s.admissible.length)
          : sampleCategorical((await oracle.get(s.obs, s.admissible)).probs, rng);
      const r = env.step(a);
      data.push({ s, a, r: r.reward, s2: { obs: r.obs, admissible: r.admissible }, terminal: r.terminal });
      if (r.done || data.length >= n) break;
      s = r;
    }
  }
  return data;
}

export interface OfflineConfig {
  steps: number;
  batchSize: number;
  c: number;
  gamma: number;
  lr: number;
  hardEvery: number;
  k: number;
  evalEpisodes: number;
}

/** Trains CQL ('all') or CQL-Prior ('prior') on `data`; returns the greedy success rate on the training tasks. */
export async function runCql(
  makeEnv: () => TextEnv,
  oracle: PriorOracle,
  data: readonly OfflineTransition[],
  candidates: 'all' | 'prior',
  cfg: OfflineConfig,
  seed: number,
): Promise<number> {
  const rng = makeRng(seed);
  const cache = new ProposalCache(cfg.k, makeRng(seed + 7));
  const cands = async (s: TextObs) => {
    const { probs, features } = await oracle.get(s.obs, s.admissible);
    const idx = candidates === 'all' ? s.admissible.map((_, i) => i) : [...new Set(cache.get(s.obs, probs))];
    return { idx, rows: idx.map((i) => features[i]) };
  };
  const net = makeQNet(oracle.featureDim);
  const target = makeQNet(oracle.featureDim);
  hardUpdate(target, net);
  const opt = new optim.AdamW(net.parameters(), { lr: cfg.lr });
  const PAD = -1e9;
  for (let step = 1; step <= cfg.steps; step++) {
    const batch = Array.from({ length: cfg.batchSize }, () => data[rng.int(data.length)]);
    const cur = await Promise.all(batch.map((t) => cands(t.s)));
    const next = await Promise.all(batch.map((t) => cands(t.s2)));
    const qNext = await qValues(
      target,
      next.flatMap((c) => c.rows),
    );
    let off = 0;
    const y = batch.map((t, b) => {
      const q = qNext.slice(off, off + next[b].rows.length);
      off += next[b].rows.length;
      return tdTargetPrior(t.r, t.terminal, q, cfg.gamma);
    });
    const width = Math.max(...cur.map((c) => c.rows.length));
    const dataRows = await Promise.all(
      batch.map(async (t) => (await oracle.get(t.s.obs, t.s.admissible)).features[t.a]),
    );
    const loss = tidy(() => {
      opt.zeroGrad();
      // candidate Q values padded to [B, width]: a padded slot repeats row 0 and is pushed to −1e9
      const rows = cur.flatMap((c) => Array.from({ length: width }, (_, j) => c.rows[j] ?? c.rows[0]));
      const mask = Float64Array.from(
        cur.flatMap((c) => Array.from({ length: width }, (_, j) => (j < c.rows.length ? 0 : PAD))),
      );
      const qc = qForward(net, rows)
        .reshape([cfg.batchSize, width])
        .add(tensor(mask, { shape: [cfg.batchSize, width], ...CPU64 }));
      const qd = qForward(net, dataRows);
      const l = cqlPriorLoss(qc, qd, tensor(Float64Array.from(y), { shape: [cfg.batchSize], ...CPU64 }), cfg.c);
      l.backward();
      optim.clipGradNorm_(net.parameters(), 1);
      opt.step();
      return l.detach();
    });
    await readTensors([loss]);
    loss.dispose();
    if (step % cfg.hardEvery === 0) hardUpdate(target, net);
  }
  const env = makeEnv();
  return successRate(makeEnv, env.trainTasks, cfg.evalEpisodes, async (b) => {
    const cs = await Promise.all(b.map(cands));
    const q = await qValues(
      net,
      cs.flatMap((c) => c.rows),
    );
    let off = 0;
    return cs.map((c) => {
      const i = argmax(q.slice(off, off + c.rows.length));
      off += c.rows.length;
      return c.idx[i];
    });
  });
}
