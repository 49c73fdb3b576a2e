// `npm run demo`: an MLP learns to separate two interleaved spirals on the WebGPU backend, with tessera's
// layers, AdamW (fused update kernels), a warmup + cosine schedule and the training helper's progress bar.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn, optim, ready, shutdown, setDefaultDevice, tensor, crossEntropy, noGrad, type Tensor } from '../index.js';
import { writeLog } from '../node.js';

const POINTS_PER_ARM = 256;
const STEPS = 400;

/** Two spirals r = t, angle = 3pi t + k pi (k = 0, 1), with a little noise; a fixed seed keeps the data fixed. */
function spirals(): { x: number[]; y: number[] } {
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.04;
  const x: number[] = [];
  const y: number[] = [];
  for (const arm of [0, 1]) {
    for (let i = 0; i < POINTS_PER_ARM; i++) {
      const t = 0.05 + (0.95 * i) / POINTS_PER_ARM;
      const angle = 3 * Math.PI * t + arm * Math.PI;
      x.push(t * Math.cos(angle) + noise(), t * Math.sin(angle) + noise());
      y.push(arm);
    }
  }
  return { x, y };
}

const info = await ready();
await setDefaultDevice('webgpu');
console.log(`tessera demo: two spirals on ${info.adapter}${info.software ? ' (software)' : ''}`);

const data = spirals();
const x = tensor(data.x, { shape: [data.y.length, 2] });
const y = tensor(data.y, { dtype: 'i32' });
const model = new nn.Sequential(
  new nn.Linear(2, 64), new nn.Tanh(),
  new nn.Linear(64, 64), new nn.Tanh(),
  new nn.Linear(64, 2),
);
const optimizer = new optim.AdamW(model.parameters(), { lr: 0.02, weightDecay: 1e-4 });
const scheduler = new optim.LRScheduler(optimizer, optim.cosine({ totalSteps: STEPS, warmupSteps: 20, minFactor: 0.05 }));
const accuracy = async (): Promise<number> => {
  const predicted = noGrad(() => model.forward(x).argmax(1));
  const correct = noGrad(() => predicted.eq(y).float().mean());
  const value = await correct.item();
  predicted.dispose();
  correct.dispose();
  return value;
};

const logPath = join(tmpdir(), 'tessera-spirals.json');
const result = await nn.train({
  model, optimizer, scheduler, steps: STEPS, seed: 0, logEvery: 20,
  loss: () => crossEntropy(model.forward(x), y),
  progress: { label: 'spirals' },
});
await writeLog(logPath, result);

console.log('loss by step:');
for (const p of result.train.filter((_, i) => i % 4 === 0 || i === result.train.length - 1)) {
  console.log(`  step ${String(p.step).padStart(4)}  loss ${p.loss.toFixed(4)}`);
}
const acc = await accuracy();
console.log(`final training accuracy: ${(acc * 100).toFixed(1)}% on ${data.y.length} points ` +
  `(${result.seconds.toFixed(1)} s, ${(STEPS / result.seconds).toFixed(1)} steps/s)`);
console.log(`curves: ${logPath} and ${logPath.replace(/\.json$/, '.svg')}`);
console.log(`adapter: ${info.adapter}`);
[x, y].forEach((t: Tensor) => t.dispose());
optimizer.dispose();
model.dispose();
shutdown();
