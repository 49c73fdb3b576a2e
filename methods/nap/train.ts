// trainNap (spec §3 "Loss", §5 "Training"): each iteration rolls out episodes on fresh tasks, then one epoch of
// minibatches minimises
//   L = ppoCoef·(L_clip(ε) + c_V·(V − R^λ)²) + npCoef·L_NP
// (advantages standardised within each minibatch; L_NP = bar NLL of every pool point given a fresh random
// context per stored state), with Adam, linear warm-up then linear decay per iteration (official
// get_linear_schedule_with_warmup), and gradient-norm clipping. Every `validEvery` iterations the argmax policy is
// scored on the fixed validation tasks; the checkpoint with the lowest validation regret is kept (as the paper).
// Arms are flags: NAP (1, 1), NAP-noNP (npCoef 0), NP-EI (ppoCoef 0: no rollouts, EI-argmax at validation).
import { noGrad, optim, tensor, tidy, type Tensor } from '../../index.js';
import { makeRng, ppoClipLoss, type Rng } from '../shared/rl/index.js';
import type { BarDistribution } from './bar.js';
import { evaluateRegret } from './evaluate.js';
import { NapModel, type NapConfig } from './model.js';
import { poolTargets, randomContexts } from './np-loss.js';
import { napPolicy, npEiPolicy, type Policy } from './policies.js';
import { rollout, type Transition } from './rollout.js';
import { maskedLogProb } from './sampling.js';
import { napInputs, type Horizon, type SearchState } from './state.js';
import type { Task, TaskFamily } from './tasks.js';

export interface NapFlags {
  ppoCoef: number;
  npCoef: number;
  detachBuckets: boolean;
}

export interface TrainConfig {
  family: TaskFamily;
  model: Omit<NapConfig, 'dim' | 'detachBuckets'>;
  bar: BarDistribution;
  horizon: Horizon;
  iterations: number;
  /** episodes per iteration (transitions = episodes × T) */
  episodes: number;
  minibatch: number;
  epochs: number;
  lr: number;
  warmupIterations: number;
  gradClip: number;
  clipEps: number;
  gamma: number;
  lambda: number;
  valueCoef: number;
  topK: number;
  validEvery: number;
  validTasks: readonly Task[];
  seed: number;
}

export interface TraceRow {
  iteration: number;
  /** mean final regret of the sampled training episodes (NaN without rollouts) */
  trainRegret: number;
  /** mean entropy of the top-k sampling distribution */
  entropy: number;
  /** mean approximate KL(π_old ‖ π) = E[log π_old − log π] over the epoch */
  kl: number;
  npNll: number;
}

export interface TrainResult {
  model: NapModel;
  policy: Policy;
  /** validation regret at step T of the argmax policy, by iteration */
  curve: { iteration: number; regret: number }[];
  traces: TraceRow[];
  bestIteration: number;
  minutes: number;
}

/** The loss of one minibatch: PPO rows (stored states) and NP rows (random contexts) share one forward. */
export function minibatchLoss(
  model: NapModel,
  bar: BarDistribution,
  batch: readonly Transition[],
  npStates: readonly SearchState[],
  cfg: Pick<TrainConfig, 'horizon' | 'clipEps' | 'valueCoef'> & NapFlags,
): { loss: Tensor; kl: Tensor | null; nll: Tensor | null } {
  const states = [...batch.map((tr) => tr.state), ...npStates];
  const out = model.forward(napInputs(states, cfg.horizon));
  const Bp = batch.length;
  const terms: Tensor[] = [];
  let kl: Tensor | null = null;
  let nll: Tensor | null = null;
  if (Bp > 0) {
    const N = batch[0].state.task.y.length;
    const allowed = new Uint8Array(Bp * N);
    batch.forEach((tr, b) => allowed.set(tr.allowed, b * N));
    const logits = out.acqLogits.narrow(0, 0, Bp);
    const { logProb } = maskedLogProb(
      logits,
      allowed,
      Int32Array.from(batch, (tr) => tr.action),
    );
    const dev = { device: logits.device, dtype: logits.dtype };
    const oldLogProb = tensor(
      Float32Array.from(batch, (tr) => tr.oldLogProb),
      dev,
    );
    const adv = tensor(standardise(batch.map((tr) => tr.advantage)), dev);
    const returns = tensor(
      Float32Array.from(batch, (tr) => tr.returnTarget),
      dev,
    );
    const valueLoss = out.value.narrow(0, 0, Bp).sub(returns).square().mean();
    terms.push(ppoClipLoss(logProb, oldLogProb, adv, cfg.clipEps).add(valueLoss.mul(cfg.valueCoef)).mul(cfg.ppoCoef));
    kl = oldLogProb.sub(logProb).mean();
  }
  if (npStates.length > 0) {
    const buckets = out.bucketLogits.narrow(0, Bp, npStates.length);
    nll = bar.logDensity(buckets, poolTargets(npStates)).mean().neg();
    terms.push(nll.mul(cfg.npCoef));
  }
  const loss = terms.reduce((a, b) => a.add(b));
  return { loss, kl, nll };
}

/** (a − mean) / sd within the minibatch (population sd, left unscaled when the sd is 0). */
export function standardise(a: readonly number[]): Float32Array {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
  return Float32Array.from(a, (v) => (sd > 0 ? (v - m) / sd : v - m));
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function policyFor(model: NapModel, bar: BarDistribution, flags: NapFlags, name: string): Policy {
  return flags.ppoCoef > 0 ? napPolicy(model, name) : npEiPolicy(model, bar, name);
}

export async function trainNap(
  cfg: TrainConfig,
  flags: NapFlags,
  name: string,
  onIteration?: (iteration: number, row: TraceRow) => void,
): Promise<TrainResult> {
  if (!(flags.ppoCoef > 0 || flags.npCoef > 0)) throw new Error('trainNap: ppoCoef and npCoef cannot both be 0');
  const start = performance.now();
  const rng = makeRng(cfg.seed);
  const model = new NapModel({ ...cfg.model, dim: cfg.family.d, detachBuckets: flags.detachBuckets });
  const policy = policyFor(model, cfg.bar, flags, name);
  const params = model.parameters();
  const opt = new optim.Adam(params, { lr: cfg.lr });
  const sched = new optim.LRScheduler(
    opt,
    optim.linearDecay({ totalSteps: cfg.iterations, warmupSteps: Math.min(cfg.warmupIterations, cfg.iterations) }),
  );
  const curve: TrainResult['curve'] = [];
  const traces: TraceRow[] = [];
  let best = { regret: Infinity, iteration: 0, state: new Map<string, Tensor>() };
  const validate = async (iteration: number) => {
    const regrets = await evaluateRegret(policy, cfg.validTasks, cfg.horizon, 7919);
    const regret = regrets.reduce((a, r) => a + r[r.length - 1], 0) / regrets.length;
    curve.push({ iteration, regret });
    if (regret < best.regret) {
      for (const t of best.state.values()) t.dispose();
      best = { regret, iteration, state: snapshot(model) };
    }
  };
  await validate(0);
  const T = cfg.horizon.steps;
  for (let it = 1; it <= cfg.iterations; it++) {
    const tasks = Array.from({ length: cfg.episodes }, () => cfg.family.sample(rng));
    let transitions: Transition[] = [];
    let stats = { finalRegret: NaN, entropy: NaN };
    if (flags.ppoCoef > 0) ({ transitions, stats } = await rollout(model, tasks, cfg.horizon, cfg, rng));
    // one NP row per transition (T per task), each with its own fresh context
    const npTasks = flags.npCoef > 0 ? tasks.flatMap((t) => Array<Task>(T).fill(t)) : [];
    let klSum = 0;
    let nllSum = 0;
    let batches = 0;
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = shuffled(transitions, rng);
      const npOrder = shuffled(npTasks, rng);
      const rows = Math.max(order.length, npOrder.length);
      for (let i = 0; i < rows; i += cfg.minibatch) {
        const batch = order.slice(i, i + cfg.minibatch);
        const npStates = randomContexts(npOrder.slice(i, i + cfg.minibatch), T - 1, rng);
        const [kl, nll] = tidy(() => {
          opt.zeroGrad();
          const r = minibatchLoss(model, cfg.bar, batch, npStates, { ...cfg, ...flags });
          r.loss.backward();
          optim.clipGradNorm_(params, cfg.gradClip);
          opt.step();
          return [r.kl ?? tensor([NaN]), r.nll ?? tensor([NaN])].map((t) => t.detach());
        });
        const [k, n] = await Promise.all([kl.item(), nll.item()]);
        kl.dispose();
        nll.dispose();
        klSum += k;
        nllSum += n;
        batches++;
      }
    }
    sched.step();
    const row = {
      iteration: it,
      trainRegret: stats.finalRegret,
      entropy: stats.entropy,
      kl: klSum / batches,
      npNll: nllSum / batches,
    };
    traces.push(row);
    if (it % cfg.validEvery === 0 || it === cfg.iterations) await validate(it);
    onIteration?.(it, row);
  }
  model.loadStateDict(best.state);
  for (const t of best.state.values()) t.dispose();
  return { model, policy, curve, traces, bestIteration: best.iteration, minutes: (performance.now() - start) / 60000 };
}

function snapshot(model: NapModel): Map<string, Tensor> {
  return noGrad(() => new Map([...model.stateDict()].map(([k, t]) => [k, t.clone()])));
}
