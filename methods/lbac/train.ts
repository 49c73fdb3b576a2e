// Training and evaluating one (arm, seed) run of the Quad2D experiment (spec §5): random warm-up, then one
// safeAcUpdate every `updateEvery` environment steps on a batch mixing the replay buffer with the unsafe buffer,
// learning-curve points every `curveEvery` steps, and the final evaluation on both start sets.
import { manualSeed, noGrad, tensor, tidy } from '../../index.js';
import {
  concatBatches,
  disposeBatch,
  makeRng,
  ReplayBuffer,
  rolloutLockstep,
  eventRates,
  type Rng,
} from '../shared/rl/index.js';
import { makeQuadEnv, trainingStart, wideStart, type QuadStep } from './env.js';
import { ACT_DIM, OBS_DIM, QUAD_PARAMS } from './quad2d.js';
import {
  ARMS,
  makeSafeAcNets,
  safeAcUpdate,
  SAFE_AC_DEFAULTS,
  SAFE_AC_FIELDS,
  type ArmName,
  type SafeAcConfig,
  type SafeAcNets,
} from './safe-ac.js';
import { clbfSelfCheck, type ClbfCheck } from './clbf-check.js';

export interface Protocol {
  envSteps: number;
  warmupSteps: number;
  updateEvery: number;
  /** rows from the replay buffer and from the unsafe buffer per batch */
  replayBatch: number;
  unsafeBatch: number;
  replayCapacity: number;
  /** multipliers stay frozen for the first this many environment steps */
  multiplierWarmup: number;
  curveEvery: number;
  curveEpisodes: number;
  evalEpisodes: number;
  clbfSamples: number;
  initAlpha: number;
  /** seeds of the shared evaluation start draws (identical for every arm and seed) */
  evalStartSeed: number;
}

export interface StartSetResult {
  success: number;
  violation: number;
  timeout: number;
  /** mean seconds to the goal over successful episodes (NaN when none) */
  reachTime: number;
  /** (px, pz) paths of the first few episodes */
  paths: [number, number][][];
}

export interface RunResult {
  arm: ArmName;
  seed: number;
  trainingViolations: number;
  episodes: number;
  eval: { train: StartSetResult; wide: StartSetResult };
  clbf: ClbfCheck | null;
  curve: {
    step: number;
    success: number;
    violation: number;
    trainingViolations: number;
    alpha: number;
    muDecrease: number;
    muSafe: number;
    muCost: number;
  }[];
  seconds: number;
}

const EVENTS = ['goal', 'unsafe', 'timeout'];

export function evalStarts(kind: 'train' | 'wide', n: number, seed: number): Float64Array[] {
  const rng = makeRng(seed + (kind === 'wide' ? 1 : 0));
  return Array.from({ length: n }, () => (kind === 'wide' ? wideStart : trainingStart)(rng));
}

/** Mean-action episodes from the given starts (spec §5: deterministic evaluation, shared starts). */
export async function evaluatePolicy(
  nets: SafeAcNets,
  starts: readonly Float64Array[],
  keepPaths = 5,
): Promise<StartSetResult> {
  const envs = starts.map(() => makeQuadEnv({ start: trainingStart }));
  const first = envs.map((e, i) => e.resetTo(starts[i]));
  const eps = await rolloutLockstep<QuadStep>(envs, first, (o) => nets.actor.meanAction(o), 200);
  const rates = eventRates(eps, EVENTS);
  const reached = eps.filter((e) => e.event === 'goal');
  return {
    success: rates.goal,
    violation: rates.unsafe,
    timeout: rates.timeout,
    reachTime: reached.length ? (reached.reduce((a, e) => a + e.length, 0) * QUAD_PARAMS.dt) / reached.length : NaN,
    paths: eps
      .slice(0, keepPaths)
      .map((e, i) => [
        [starts[i][0], starts[i][1]] as [number, number],
        ...e.steps.map((s) => [s.state[0], s.state[1]] as [number, number]),
      ]),
  };
}

async function explore(nets: SafeAcNets, obs: Float64Array, rng: Rng): Promise<Float64Array> {
  const a = noGrad(() =>
    tidy(() => nets.actor.sample(tensor(obs, { shape: [1, OBS_DIM], dtype: 'f64', device: 'cpu' }), rng).action),
  );
  const v = Float64Array.from((await a.data()) as ArrayLike<number>);
  a.dispose();
  return v;
}

export async function trainArm(
  arm: ArmName,
  seed: number,
  p: Protocol,
  onProgress?: (step: number) => void,
): Promise<RunResult> {
  const t0 = performance.now();
  manualSeed(1000 + seed);
  const rng = makeRng(seed);
  const cfg: SafeAcConfig = { ...SAFE_AC_DEFAULTS, flags: ARMS[arm] };
  const nets = makeSafeAcNets(cfg.flags, { obsDim: OBS_DIM, actDim: ACT_DIM, lr: cfg.lr, initAlpha: p.initAlpha });
  const replay = new ReplayBuffer(p.replayCapacity, SAFE_AC_FIELDS);
  const unsafe = new ReplayBuffer(p.replayCapacity, SAFE_AC_FIELDS);
  const env = makeQuadEnv({ start: trainingStart, gamma: cfg.gamma });
  const curveStarts = evalStarts('train', p.curveEpisodes, p.evalStartSeed + 10);
  const curve: RunResult['curve'] = [];
  let obs = env.reset(rng);
  let violations = 0;
  let episodes = 0;
  for (let t = 1; t <= p.envSteps; t++) {
    const action =
      t <= p.warmupSteps ? Float64Array.of(rng.range(-1, 1), rng.range(-1, 1)) : await explore(nets, obs, rng);
    const res = env.step(action);
    const row = {
      obs,
      action,
      cost: res.cost,
      reward: res.reward,
      crash: res.nextUnsafe ? 1 : 0,
      nextObs: res.obs,
      terminal: res.terminal ? 1 : 0,
      nextSafe: res.nextSafe ? 1 : 0,
      nextUnsafe: res.nextUnsafe ? 1 : 0,
      nextGoal: res.nextGoal ? 1 : 0,
    };
    replay.push(row);
    if (res.nextUnsafe) {
      unsafe.push(row);
      violations++;
    }
    if (res.done) {
      episodes++;
      obs = env.reset(rng);
    } else obs = res.obs;

    if (t > p.warmupSteps && t % p.updateEvery === 0) {
      const fromUnsafe = unsafe.size > 0 ? p.unsafeBatch : 0;
      const a = replay.sample(p.replayBatch + p.unsafeBatch - fromUnsafe, rng);
      const b = fromUnsafe ? unsafe.sample(fromUnsafe, rng) : null;
      const batch = b ? concatBatches(a, b) : a;
      await safeAcUpdate(batch, nets, cfg, rng, { freezeMultipliers: t <= p.multiplierWarmup });
      for (const x of b ? [a, b, batch] : [a]) disposeBatch(x);
    }
    if (t % p.curveEvery === 0) {
      const r = await evaluatePolicy(nets, curveStarts, 0);
      curve.push({
        step: t,
        success: r.success,
        violation: r.violation,
        trainingViolations: violations,
        alpha: Math.exp(nets.logAlpha),
        muDecrease: Math.exp(nets.logMuDecrease),
        muSafe: Math.exp(nets.logMuSafe),
        muCost: Math.exp(nets.logMuCost),
      });
    }
    if (t % 500 === 0) onProgress?.(t);
  }
  const evalRes = {
    train: await evaluatePolicy(nets, evalStarts('train', p.evalEpisodes, p.evalStartSeed)),
    wide: await evaluatePolicy(nets, evalStarts('wide', p.evalEpisodes, p.evalStartSeed)),
  };
  let clbf: ClbfCheck | null = null;
  if (nets.L) {
    const idx = replay.sampleIndices(p.clbfSamples, rng);
    const tr = replay.gather(idx);
    const safeIdx = idx.filter((i) => replay.row('nextSafe', i)[0] === 1);
    const unsafeRows = unsafe.size ? unsafe.gather(Array.from({ length: unsafe.size }, (_, i) => i)) : null;
    const safeRows = replay.gather(safeIdx);
    clbf = await clbfSelfCheck(
      nets.L.net,
      nets.actor,
      {
        unsafeObs: unsafeRows ? unsafeRows.nextObs : tensor([], { shape: [0, OBS_DIM], dtype: 'f64', device: 'cpu' }),
        safeObs: safeRows.nextObs,
        obs: tr.obs,
        action: tr.action,
        nextObs: tr.nextObs,
      },
      cfg,
    );
    for (const b of [tr, safeRows, ...(unsafeRows ? [unsafeRows] : [])]) disposeBatch(b);
  }
  return {
    arm,
    seed,
    trainingViolations: violations,
    episodes,
    eval: evalRes,
    clbf,
    curve,
    seconds: (performance.now() - t0) / 1000,
  };
}
