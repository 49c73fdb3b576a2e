// The variational route (spec §3 VI route [R]): PPO (clip 0.2, GAE λ 0.95) whose policy over the admissible actions
// is a softmax of an MLP on the frozen prior features, plus α times the exact KL(π(·|s) ‖ p_prior(·|s)) over the
// admissible actions, added to the loss at each visited state. α = 0 with an entropy bonus is plain PPO.
import { logSoftmax, optim, readTensors, tensor, tidy } from '../../index.js';
import {
  categoricalKl,
  CPU64,
  gae,
  makeRng,
  mlp,
  ppoClipLoss,
  sampleCategorical,
  argmax,
  softmax,
} from '../shared/rl/index.js';
import { successRate } from './evaluate.js';
import type { ActionScorer } from './oracle.js';
import { featureTensor, makeQNet, qValues } from './qnet.js';
import type { CurvePoint, RunResult } from './online.js';
import type { TextEnv, TextObs } from './text-env.js';

export interface PpoConfig {
  episodes: number;
  episodesPerIteration: number;
  epochs: number;
  evalEvery: number;
  evalEpisodes: number;
  gamma: number;
  lambda: number;
  clip: number;
  lr: number;
  /** KL weight towards the prior (0: none) */
  alpha: number;
  entropyCoef: number;
}

interface Step {
  features: Float64Array[];
  prior: Float64Array;
  action: number;
  logProb: number;
  reward: number;
  terminal: boolean;
}

export async function runPpoKl(
  makeEnv: () => TextEnv,
  oracle: ActionScorer,
  cfg: PpoConfig,
  seed: number,
  onEval?: (p: CurvePoint) => void,
): Promise<RunResult> {
  const rng = makeRng(seed);
  const env = makeEnv();
  const d = oracle.featureDim;
  const policy = makeQNet(d);
  const value = mlp([d, 64, 1]);
  const opt = new optim.AdamW([...policy.parameters(), ...value.parameters()], { lr: cfg.lr });
  const stateFeature = (f: Float64Array[]) => f[0].map((_, j) => f.reduce((a, r) => a + r[j], 0) / f.length); // mean over actions
  const probsAt = async (s: TextObs) => {
    const { features, probs } = await oracle.get(s.obs, s.admissible);
    return { features, prior: probs, pi: softmax(await qValues(policy, features)) };
  };
  const curve: CurvePoint[] = [];
  let steps = 0;
  for (let ep = 0; ep < cfg.episodes;) {
    const episodes: Step[][] = [];
    for (let e = 0; e < cfg.episodesPerIteration && ep < cfg.episodes; e++, ep++) {
      const traj: Step[] = [];
      let s: TextObs = env.reset(env.trainTasks[rng.int(env.trainTasks.length)]);
      for (;;) {
        const { features, prior, pi } = await probsAt(s);
        const a = sampleCategorical(pi, rng);
        const r = env.step(a);
        steps++;
        traj.push({ features, prior, action: a, logProb: Math.log(pi[a]), reward: r.reward, terminal: r.terminal });
        if (r.done) break;
        s = r;
      }
      episodes.push(traj);
      if ((ep + 1) % cfg.evalEvery === 0) {
        const p = {
          episode: ep + 1,
          envSteps: steps,
          success: await successRate(makeEnv, env.trainTasks, cfg.evalEpisodes, greedy),
        };
        curve.push(p);
        onEval?.(p);
      }
    }
    // values of every visited state (and 0 after the last step: episodes end by terminal or horizon; a horizon cut
    // bootstraps from V of the state it was cut at, approximated by its own value)
    const all = episodes.flat();
    const v = await qValues(
      value,
      all.map((t) => stateFeature(t.features)),
    );
    const adv: number[] = [];
    const ret: number[] = [];
    let off = 0;
    for (const traj of episodes) {
      const vs = Array.from(v.slice(off, off + traj.length));
      off += traj.length;
      const last = traj[traj.length - 1];
      const g = gae(
        {
          rewards: traj.map((t) => t.reward),
          values: vs,
          nextValues: [...vs.slice(1), last.terminal ? 0 : vs[vs.length - 1]],
          terminal: traj.map((t) => t.terminal),
          done: traj.map((_, i) => i === traj.length - 1),
        },
        cfg.gamma,
        cfg.lambda,
      );
      adv.push(...g.advantages);
      ret.push(...g.returns);
    }
    const mean = adv.reduce((a, b) => a + b, 0) / adv.length;
    const sd = Math.sqrt(adv.reduce((a, b) => a + (b - mean) ** 2, 0) / adv.length) + 1e-8;
    const A = all[0].features.length;
    if (all.some((t) => t.features.length !== A))
      throw new Error('runPpoKl: every state needs the same number of admissible actions');
    const N = all.length;
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const loss = tidy(() => {
        opt.zeroGrad();
        const logits = (
          policy.forward(featureTensor(all.flatMap((t) => t.features))) as ReturnType<typeof featureTensor>
        ).reshape([N, A]);
        const logPi = logSoftmax(logits, -1);
        const pi = logPi.exp();
        const actions = tensor(Int32Array.from(all.map((t) => t.action)), {
          shape: [N, 1],
          dtype: 'i32',
          device: 'cpu',
        });
        const logPiA = logPi.gather(1, actions).squeeze(-1);
        const old = tensor(Float64Array.from(all.map((t) => t.logProb)), { shape: [N], ...CPU64 });
        const advT = tensor(
          Float64Array.from(adv, (a) => (a - mean) / sd),
          { shape: [N], ...CPU64 },
        );
        const logPrior = tensor(Float64Array.from(all.flatMap((t) => Array.from(t.prior, Math.log))), {
          shape: [N, A],
          ...CPU64,
        });
        const kl = pi.mul(logPi.sub(logPrior)).sum(-1).mean();
        const entropy = pi.mul(logPi).sum(-1).mean().neg();
        const vPred = (
          value.forward(featureTensor(all.map((t) => stateFeature(t.features)))) as ReturnType<typeof featureTensor>
        ).squeeze(-1);
        const vLoss = vPred
          .sub(tensor(Float64Array.from(ret), { shape: [N], ...CPU64 }))
          .square()
          .mean();
        const l = ppoClipLoss(logPiA, old, advT, cfg.clip)
          .add(vLoss.mul(0.5))
          .add(kl.mul(cfg.alpha))
          .sub(entropy.mul(cfg.entropyCoef));
        l.backward();
        optim.clipGradNorm_([...policy.parameters(), ...value.parameters()], 1);
        opt.step();
        return l.detach();
      });
      await readTensors([loss]);
      loss.dispose();
    }
  }
  // the final policy's KL to the prior, averaged over the states its greedy evaluation visits
  const kls: number[] = [];
  await successRate(makeEnv, env.trainTasks, cfg.evalEpisodes, async (b) =>
    Promise.all(
      b.map(async (s) => {
        const { prior, pi } = await probsAt(s);
        kls.push(categoricalKl(pi, prior));
        return argmax(pi);
      }),
    ),
  );
  return {
    curve,
    heldOut: NaN,
    envSteps: steps,
    priorQueries: 0,
    finalKl: kls.reduce((a, b) => a + b, 0) / kls.length,
  };

  async function greedy(b: readonly TextObs[]): Promise<number[]> {
    return Promise.all(b.map(async (s) => argmax((await probsAt(s)).pi)));
  }
}
