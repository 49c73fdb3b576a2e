// A plain-JavaScript user of the installed package (test/package/pack.test.ts copies this file into a fresh project
// that installed the packed tarball): it imports tessera by name, as any Node project would, and trains the same
// small MLP for a few steps on the cpu and on webgpu from the same initial weights. It prints one JSON line:
// the loss at every step on each device.
import { tensor, nn, optim, mseLoss, manualSeed, ready, shutdown } from 'tessera';

const STEPS = 8;

// 16 points of y = sin(x0) + x1 / 2, a fixed formula so both devices see the same data.
const xs = Array.from({ length: 16 }, (_, i) => [i / 8 - 1, ((i * 7) % 16) / 8 - 1]);
const ys = xs.map(([a, b]) => [Math.sin(a) + b / 2]);

async function lossesOn(device) {
  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(2, 8, { device: 'cpu' }),
    new nn.Tanh(),
    new nn.Linear(8, 1, { device: 'cpu' }),
  );
  await model.to(device);
  const x = tensor(xs, { device });
  const y = tensor(ys, { device });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.2 });
  const losses = [];
  for (let step = 0; step < STEPS; step++) {
    optimizer.zeroGrad();
    const loss = mseLoss(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(await loss.item());
  }
  return losses;
}

const cpu = await lossesOn('cpu');
await ready();
const webgpu = await lossesOn('webgpu');
shutdown();
console.log(JSON.stringify({ cpu, webgpu }));
