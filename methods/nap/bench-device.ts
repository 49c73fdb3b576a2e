// cpu vs webgpu for the NAP model (run: npx tsx methods/nap/bench-device.ts): times the two shapes a training
// iteration is made of, a no-grad rollout forward (8 states) and a forward + backward of one PPO + NP minibatch
// (64 rows), both with N = 48 candidates and 12 history slots, after two warm-up rounds. Prints the medians.
import { noGrad, ready, shutdown, tidy } from '../../index.js';
import { makeRng } from '../shared/rl/index.js';
import { NapModel, SMALL_SCALE, type NapInputs } from './model.js';

const [S, N, d, rounds] = [12, 48, 3, 5];
const rng = makeRng(0);
const inputs = (B: number): NapInputs => ({
  batch: B,
  slots: S,
  pool: N,
  histX: Float32Array.from({ length: B * S * d }, () => rng.uniform()),
  histY: Float32Array.from({ length: B * S }, () => rng.uniform()),
  filled: Int32Array.from({ length: B }, () => 1 + rng.int(S)),
  queryX: Float32Array.from({ length: B * N * d }, () => rng.uniform()),
  state: Float32Array.from({ length: B * 2 }, () => rng.uniform()),
});
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await ready();
for (const device of ['cpu', 'webgpu'] as const) {
  const model = new NapModel({ ...SMALL_SCALE, dim: d, detachBuckets: false, device });
  const fwd: number[] = [];
  const step: number[] = [];
  for (let r = 0; r < rounds + 2; r++) {
    let t0 = performance.now();
    const out = tidy(() => noGrad(() => model.forward(inputs(8)).acqLogits));
    await out.data();
    out.dispose();
    const f = performance.now() - t0;
    t0 = performance.now();
    const grad = tidy(() => {
      model.zeroGrad();
      const o = model.forward(inputs(64));
      o.acqLogits.mean().add(o.bucketLogits.mean()).add(o.value.mean()).backward();
      return model.xEncoder.weight.grad!.clone();
    });
    await grad.data();
    grad.dispose();
    if (r >= 2) [fwd.push(f), step.push(performance.now() - t0)];
  }
  console.log(
    `${device}: rollout forward (B=8) ${median(fwd).toFixed(0)} ms, forward+backward (B=64) ${median(step).toFixed(0)} ms`,
  );
  model.dispose();
}
shutdown();
