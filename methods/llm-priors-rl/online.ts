// The online value-route agents (spec §3, §5): DQN (all admissible actions, ε-greedy), DQN-Prior (k cached prior
// proposals, acting by j ~ softmax(β·Q(s, a_j)) over them, duplicates counted, max over them in the target) and its
// ablations (k, β, deduplicated uniform proposals), and the prior acting alone (sampled or greedy).
import { optim, readTensors, tensor, tidy } from '../../index.js';
import {
  argmax,
  CPU64,
  epsilonGreedy,
  hardUpdate,
  makeRng,
  polyakUpdate,
  ReplayBuffer,
  sampleCategorical,
  type Rng,
} from '../shared/rl/index.js';
import { successRate, type BatchPolicy } from './evaluate.js';
import type { ActionScorer } from './oracle.js';
import { posteriorProbs, proposalCounts, tdTargetPrior } from './posterior.js';
import { ProposalCache } from './proposals.js';
import { makeQNet, qForward, qValues } from './qnet.js';
import type { TextEnv, TextObs } from './text-env.js';

export interface OnlineConfig {
  episodes: number;
  evalEvery: number;
  evalEpisodes: number;
  heldOutEpisodes: number;
  gamma: number;
  lr: number;
  batchSize: number;
  bufferSize: number;
  /** gradient steps made every `updateEvery` episodes */
  gradSteps: number;
  updateEvery: number;
  /** Polyak rate of the target network (0: a hard copy every `hardEvery` gradient steps instead) */
  tau: number;
  hardEvery: number;
  epsilon: number;
}

export type ValueArm = { kind: 'dqn' } | { kind: 'dqn-prior'; k: number; beta: number; dedupe?: boolean };

export interface CurvePoint {
  episode: number;
  envSteps: number;
  success: number;
}
/** priorQueries: the observations whose proposals were drawn from the prior (0 for arms that never ask it) */
export interface RunResult {
  curve: CurvePoint[];
  heldOut: number;
  envSteps: number;
  priorQueries: number;
  finalKl?: number;
}

/** the candidate actions an arm scores at a state, with their weights in the posterior */
interface Candidates {
  idx: number[];
  weight: number[];
}

function candidatesOf(arm: ValueArm, s: TextObs, probs: Float64Array, cache: ProposalCache | null): Candidates {
  if (arm.kind === 'dqn') return { idx: s.admissible.map((_, i) => i), weight: s.admissible.map(() => 1) };
  const counts = proposalCounts(cache!.get(s.obs, probs), s.admissible.length);
  const idx = [...counts.keys()].filter((i) => counts[i] > 0);
  // deduplicated uniform proposals drop the counts (the §8 pitfall, run as an ablation)
  return { idx, weight: idx.map((i) => (arm.dedupe ? 1 : counts[i])) };
}

/** Runs one arm for cfg.episodes training episodes; evaluates every cfg.evalEvery episodes and on held-out tasks. */
export async function runValueAgent(
  makeEnv: () => TextEnv,
  oracle: ActionScorer,
  arm: ValueArm,
  cfg: OnlineConfig,
  seed: number,
  onEval?: (p: CurvePoint) => void,
): Promise<RunResult> {
  const rng = makeRng(seed);
  const env = makeEnv();
  const net = makeQNet(oracle.featureDim);
  const target = makeQNet(oracle.featureDim);
  hardUpdate(target, net);
  const opt = new optim.AdamW(net.parameters(), { lr: cfg.lr });
  const cache = arm.kind === 'dqn' ? null : new ProposalCache(arm.k, makeRng(seed + 7));
  // transitions refer to states by id; each state keeps its features and candidates
  const states: { s: TextObs; features: Float64Array[]; cands: Candidates }[] = [];
  const ids = new Map<string, number>();
  const stateId = async (s: TextObs) => {
    const key = `${s.obs} | ${s.admissible.join(';')}`;
    let id = ids.get(key);
    if (id === undefined) {
      const scored = await oracle.get(s.obs, s.admissible);
      id = states.length;
      states.push({ s, features: scored.features, cands: candidatesOf(arm, s, scored.probs, cache) });
      ids.set(key, id);
    }
    return id;
  };
  const buffer = new ReplayBuffer(cfg.bufferSize, { s: 1, a: 1, r: 1, s2: 1, terminal: 1 });

  const choose = async (batch: readonly TextObs[], explore: boolean, r: Rng): Promise<number[]> => {
    const sids = await Promise.all(batch.map(stateId));
    const rows = sids.flatMap((id) => states[id].cands.idx.map((i) => states[id].features[i]));
    const q = await qValues(net, rows);
    let off = 0;
    return sids.map((id) => {
      const c = states[id].cands;
      const qs = q.slice(off, off + c.idx.length);
      off += c.idx.length;
      if (arm.kind === 'dqn') return c.idx[explore ? epsilonGreedy(qs, cfg.epsilon, r) : argmax(qs)];
      return c.idx[sampleCategorical(posteriorProbs(qs, c.weight, arm.beta), r)];
    });
  };

  let steps = 0;
  let gradSteps = 0;
  const update = async () => {
    const idx = buffer.sampleIndices(cfg.batchSize, rng);
    const tr = idx.map((i) => ({
      s: buffer.row('s', i)[0],
      a: buffer.row('a', i)[0],
      r: buffer.row('r', i)[0],
      s2: buffer.row('s2', i)[0],
      terminal: buffer.row('terminal', i)[0] === 1,
    }));
    const nextRows = tr.flatMap((t) => (t.terminal ? [] : states[t.s2].cands.idx.map((i) => states[t.s2].features[i])));
    const qNext = nextRows.length ? await qValues(target, nextRows) : new Float64Array(0);
    let off = 0;
    const y = tr.map((t) => {
      if (t.terminal) return tdTargetPrior(t.r, true, [], cfg.gamma);
      const n = states[t.s2].cands.idx.length;
      const v = tdTargetPrior(t.r, false, qNext.slice(off, off + n), cfg.gamma);
      off += n;
      return v;
    });
    const loss = tidy(() => {
      opt.zeroGrad();
      const q = qForward(
        net,
        tr.map((t) => states[t.s].features[t.a]),
      );
      const l = q
        .sub(tensor(Float64Array.from(y), { shape: [y.length], ...CPU64 }))
        .square()
        .sum(); // sum-reduced, as in the official code
      l.backward();
      optim.clipGradNorm_(net.parameters(), 1);
      opt.step();
      return l.detach();
    });
    await readTensors([loss]);
    loss.dispose();
    gradSteps++;
    if (cfg.tau > 0) polyakUpdate(target, net, cfg.tau);
    else if (gradSteps % cfg.hardEvery === 0) hardUpdate(target, net);
  };

  const curve: CurvePoint[] = [];
  const evalPolicy: BatchPolicy = (b) => choose(b, false, rng);
  for (let ep = 1; ep <= cfg.episodes; ep++) {
    let s: TextObs = env.reset(env.trainTasks[rng.int(env.trainTasks.length)]);
    for (;;) {
      const [a] = await choose([s], true, rng);
      const r = env.step(a);
      steps++;
      buffer.push({ s: await stateId(s), a, r: r.reward, s2: await stateId(r), terminal: r.terminal ? 1 : 0 });
      if (r.done) break;
      s = r;
    }
    if (ep % cfg.updateEvery === 0 && buffer.size >= cfg.batchSize)
      for (let g = 0; g < cfg.gradSteps; g++) await update();
    if (ep % cfg.evalEvery === 0) {
      const p = {
        episode: ep,
        envSteps: steps,
        success: await successRate(makeEnv, env.trainTasks, cfg.evalEpisodes, evalPolicy),
      };
      curve.push(p);
      onEval?.(p);
    }
  }
  const heldOut = env.heldOutTasks.length
    ? await successRate(makeEnv, env.heldOutTasks, cfg.heldOutEpisodes, evalPolicy)
    : NaN;
  return { curve, heldOut, envSteps: steps, priorQueries: cache?.size ?? 0 };
}

/** The prior acting alone: a ~ p_prior (sampled) or argmax p_prior (greedy). */
export function priorPolicy(oracle: ActionScorer, mode: 'sampled' | 'greedy', rng: Rng): BatchPolicy {
  return async (batch) =>
    Promise.all(
      batch.map(async (s) => {
        const { probs } = await oracle.get(s.obs, s.admissible);
        return mode === 'greedy' ? argmax(probs) : sampleCategorical(probs, rng);
      }),
    );
}
