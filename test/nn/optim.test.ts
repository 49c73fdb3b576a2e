// Optimisers against hand-computed updates on 2-element examples, the fused kernels against their cpu
// references, state dicts, parameter groups and gradient clipping.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { optim, nn, keep, memory, tensor, tidy, noGrad, executorStats, gpu, type Tensor, type DeviceName } from '../../index.js';
import { DEVICES, assertClose, assertThrows, randomTensor } from '../helpers.js';

const s = suite('optim');
const vals = async (t: Tensor) => [...(await t.data())];

/** A [1, -2] parameter whose gradient is set by hand before each step. */
function setup(device: DeviceName) {
  const p = new nn.Parameter(tensor([1, -2], { device }));
  const setGrad = (g: number[]) => { p.grad?.dispose(); p.grad = keep(tensor(g, { device })); };
  return { p, setGrad };
}

async function run(device: DeviceName, make: (p: Tensor) => optim.Optimizer<optim.BaseOptions>, grads: number[][]): Promise<number[][]> {
  const { p, setGrad } = setup(device);
  const opt = make(p);
  const out: number[][] = [];
  for (const g of grads) {
    setGrad(g);
    opt.step();
    out.push(await vals(p));
  }
  opt.dispose();
  p.dispose();
  return out;
}

for (const device of DEVICES) {
  s(`SGD with momentum matches hand-computed steps (${device})`, async () => {
    const [a, b] = await run(device, (p) => new optim.SGD([p], { lr: 0.1, momentum: 0.9 }), [[0.5, 1], [0.5, 1]]);
    // step 1: buf = g, p -= 0.1 g;  step 2: buf = 0.9 g + g = 1.9 g
    assertClose(a, [0.95, -2.1]);
    assertClose(b, [0.855, -2.29]);
  });

  s(`SGD nesterov, and dampening with weight decay, match hand-computed steps (${device})`, async () => {
    const nest = await run(device, (p) => new optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true }), [[0.5, 1], [0.5, 1]]);
    // step 1: p -= 0.1 (g + 0.9 g); step 2: buf = 1.9 g, p -= 0.1 (g + 0.9 * 1.9 g)
    assertClose(nest[0], [0.905, -2.19]);
    assertClose(nest[1], [0.7695, -2.461]);
    const damp = await run(device, (p) => new optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.1 }), [[0.5, 1], [0.5, 1]]);
    // step 1: gd = g + 0.1 p = [0.6, 0.8] = buf; step 2: gd = [0.594, 0.792], buf = 0.9 [0.6, 0.8] + 0.5 gd
    assertClose(damp[0], [0.94, -2.08]);
    assertClose(damp[1], [0.8563, -2.1916]);
  });

  s(`Adam and AdamW match hand-computed bias-corrected steps (${device})`, async () => {
    const grads = [[0.5, 1], [-0.25, 2]];
    const adam = await run(device, (p) => new optim.Adam([p], { lr: 0.1 }), grads);
    // step 1: m^ = g, v^ = g^2, so p -= 0.1 sign(g); step 2 worked out with m^ = m / 0.19, v^ = v / 0.001999
    assertClose(adam[0], [0.9, -2.1]);
    assertClose(adam[1], [0.8733662987, -2.1965182010]);
    const adamw = await run(device, (p) => new optim.AdamW([p], { lr: 0.1, weightDecay: 0.1 }), grads);
    // decoupled decay multiplies p by 1 - 0.01 before the same Adam steps
    assertClose(adamw[0], [0.89, -2.08]);
    assertClose(adamw[1], [0.8811 - 0.0266337013, -2.0592 - 0.0965182010]);
    const l2 = await run(device, (p) => new optim.Adam([p], { lr: 0.1, weightDecay: 0.1 }), [[0.5, 1]]);
    // L2 decay enters the gradient: gd = [0.6, 0.8], still a sign step
    assertClose(l2[0], [0.9, -2.1]);
  });
}

s('fused update kernels on webgpu match their cpu references', async () => {
  const cases: [optim.UpdateSpec, number[]][] = [
    [optim.SGD_PLAIN, [0.05, 0, 0, 0.01, 0, 0]],
    [optim.SGD_MOMENTUM, [0.05, 0.9, 0.1, 0.01, 0, 0]],
    [optim.SGD_MOMENTUM, [0.05, 0.9, 0, 0, 1, 1]],
    [optim.ADAM, [0.01, 0.9, 0.95, 1e-8, 0.1, 1, 1 - 0.9 ** 3, Math.sqrt(1 - 0.95 ** 3)]],
    [optim.ADAM, [0.01, 0.8, 0.99, 1e-6, 0.1, 0, 1 - 0.8 ** 2, Math.sqrt(1 - 0.99 ** 2)]],
  ];
  const n = 1000; // several workgroups
  for (const [spec, hyper] of cases) {
    const make = (device: DeviceName) => ({
      p: randomTensor([n], { device, seed: 1 }),
      g: randomTensor([n], { device, seed: 2 }),
      s: Array.from({ length: spec.stateSlots }, (_, k) => randomTensor([n], { device, seed: 3 + k, lo: 0, hi: 1 })),
    });
    const cpu = make('cpu');
    const gpu = make('webgpu');
    optim.runUpdate(spec, cpu.p, cpu.g, cpu.s, hyper);
    optim.runUpdate(spec, gpu.p, gpu.g, gpu.s, hyper);
    for (const [a, b] of [[gpu.p, cpu.p], ...gpu.s.map((t, k) => [t, cpu.s[k]])]) {
      assertClose(await vals(a), await vals(b), { atol: 1e-6, rtol: 1e-5, msg: spec.name });
    }
    assert.ok((await vals(cpu.p)).some((v, i) => v !== randomTensor([n], { seed: 1 }).storage.cpu![i]), `${spec.name} changed p`);
  }
  assertThrows(() => optim.runUpdate(optim.ADAM, randomTensor([2]), randomTensor([3]), [randomTensor([2]), randomTensor([2])], []),
    'adam', 'one size');
});

s('webgpu steps update several parameters per dispatch, with the values the cpu gets one at a time', async () => {
  const sizes = [[1], [3], [300], [7, 5], [2], [64], [9], [4, 4], [1], [33], [5]]; // more than one dispatch holds
  const finals: number[][][] = [];
  for (const device of DEVICES) {
    const params = sizes.map((shape, i) => new nn.Parameter(randomTensor(shape, { device, seed: i + 1 })));
    // two groups: the second's other lr gives other hyperparameters, so its updates cannot share a dispatch
    const opt = new optim.AdamW([{ params: params.slice(0, 9) }, { params: params.slice(9), lr: 3e-2 }], { lr: 1e-2 });
    let dispatches = 0;
    for (let step = 0; step < 3; step++) {
      params.forEach((p, i) => {
        p.grad?.dispose();
        // one gradient arrives transposed (not contiguous): step() copies it before the update
        p.grad = keep(i === 3 ? randomTensor([5, 7], { device, seed: 50 + 10 * step + i }).T : randomTensor([...p.shape], { device, seed: 50 + 10 * step + i }));
      });
      const before = executorStats().dispatches;
      opt.step();
      dispatches = executorStats().dispatches - before;
    }
    if (device === 'webgpu') {
      // each parameter binds itself, its gradient, m and v: as many per dispatch as the adapter's limit allows, up to 8
      const k = Math.min(8, Math.floor(gpu().info.limits.maxStorageBuffersPerShaderStage / 4));
      assert.is(dispatches, Math.ceil(9 / k) + Math.ceil(2 / k) + 1, `dispatches for 11 parameters, ${k} to a dispatch, and one gradient copy`);
    }
    finals.push(await Promise.all(params.map(vals)));
    params.forEach((p) => { p.grad?.dispose(); p.dispose(); });
    for (const st of opt.state.values()) for (const v of Object.values(st)) if (typeof v !== 'number') v.dispose();
  }
  finals[1].forEach((got, i) => assertClose(got, finals[0][i], { atol: 1e-6, rtol: 1e-5, msg: `parameter ${i}` }));
});

s('a state dict restores the optimiser exactly', async () => {
  const grads = [[0.5, 1], [-0.25, 2], [1, -1]];
  const reference = await run('cpu', (p) => new optim.AdamW([p], { lr: 0.1 }), grads);
  const { p, setGrad } = setup('cpu');
  const first = new optim.AdamW([p], { lr: 0.1 });
  for (const g of grads.slice(0, 2)) { setGrad(g); first.step(); }
  const sd = first.stateDict();
  assert.is(sd.state[0].step, 2);
  assert.equal(sd.paramGroups[0].params, [0]);
  const second = new optim.AdamW([p], { lr: 0.5 });
  second.loadStateDict(sd);
  first.dispose();
  assert.is(second.paramGroups[0].lr, 0.1);
  setGrad(grads[2]);
  second.step();
  assertClose(await vals(p), reference[2]);
  assertThrows(() => second.loadStateDict({ state: {}, paramGroups: [] }), 'AdamW.loadStateDict', '0 parameter groups');
});

s('parameter groups take their own options; zeroGrad frees or zeroes', async () => {
  const a = new nn.Parameter(tensor([1, 1]));
  const b = new nn.Parameter(tensor([1, 1]));
  const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
  for (const p of [a, b]) p.grad = keep(tensor([1, 2]));
  opt.step();
  assertClose(await vals(a), [0.9, 0.8]);
  assertClose(await vals(b), [0.5, 0]);
  opt.zeroGrad(false);
  assertClose(await vals(a.grad!), [0, 0]);
  opt.zeroGrad();
  assert.is(a.grad, null);
  assertThrows(() => new optim.SGD([a], { nesterov: true }), 'Nesterov');
  assertThrows(() => new optim.Adam([a], { betas: [0.9, 1] }), 'beta2');
  assertThrows(() => new optim.SGD([{ params: [a] }, { params: [a] }]), 'more than one group');
});

for (const device of DEVICES) {
  s(`clipGradNorm_ scales to maxNorm and returns the norm; clipGradValue_ clamps (${device})`, async () => {
    const a = new nn.Parameter(tensor([3, 4], { device }));
    const b = new nn.Parameter(tensor([12], { device }));
    const setGrads = () => { a.grad = keep(tensor([3, 4], { device })); b.grad = keep(tensor([12], { device })); };
    setGrads();
    const total = optim.clipGradNorm_([a, b], 6.5);
    assertClose([await total.item()], [13]);
    assertClose([...await vals(a.grad!), ...await vals(b.grad!)], [1.5, 2, 6]);
    setGrads();
    assertClose([await optim.clipGradNorm_([a, b], 100, Infinity).item()], [12]);
    assertClose(await vals(b.grad!), [12]);
    optim.clipGradValue_([a, b], 3.5);
    assertClose([...await vals(a.grad!), ...await vals(b.grad!)], [3, 3.5, 3.5]);
  });
}

s('schedules give the expected factors at chosen steps and scale the optimiser lr', () => {
  const cos = optim.cosine({ totalSteps: 10, warmupSteps: 2, minFactor: 0.1 });
  assertClose([0, 1, 2, 6, 10, 50].map(cos), [0.5, 1, 1, 0.55, 0.1, 0.1]);
  const lin = optim.linearDecay({ totalSteps: 10 });
  assertClose([0, 5, 10, 11].map(lin), [1, 0.5, 0, 0]);
  const stepped = optim.stepDecay({ stepSize: 3, gamma: 0.5 });
  assertClose([0, 2, 3, 6, 8].map(stepped), [1, 1, 0.5, 0.25, 0.25]);
  assertClose([0, 3, 9].map(optim.linearWarmup(4)), [0.25, 1, 1]);
  assertClose([0, 3].map(optim.compose(optim.linearWarmup(2), stepped)), [0.5, 0.5]);
  const p = new nn.Parameter(tensor([0]));
  const opt = new optim.AdamW([p], { lr: 0.2 });
  const sched = new optim.LRScheduler(opt, optim.linearWarmup(4));
  assertClose(sched.getLastLr(), [0.05]);
  sched.step();
  sched.step();
  assertClose(sched.getLastLr(), [0.15]);
  assertThrows(() => optim.cosine({ totalSteps: 5, warmupSteps: 6 }), 'cosine', 'warmupSteps 6');
});

s('a webgpu training loop keeps memory() flat and learns', async () => {
  const device: DeviceName = 'webgpu';
  const model = new nn.Sequential(new nn.Linear(4, 16, { device }), new nn.GELU(), new nn.LayerNorm(16, { device }), new nn.Linear(16, 1, { device }));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
  const sched = new optim.LRScheduler(opt, optim.cosine({ totalSteps: 40, warmupSteps: 5 }));
  const x = randomTensor([32, 4], { device, seed: 11 });
  const y = noGrad(() => x.sum(1, true).sin());
  const step = () => tidy(() => {
    opt.zeroGrad();
    const loss = model.forward(x).sub(y).square().mean();
    loss.backward();
    optim.clipGradNorm_(model.parameters(), 1);
    opt.step();
    sched.step();
    return loss;
  });
  const losses: number[] = [];
  let before = { tensors: 0, bytes: 0 };
  for (let i = 0; i < 40; i++) {
    const loss = step();
    losses.push(await loss.item());
    loss.dispose();
    if (i === 4) before = memory();
    if (i === 39) {
      const after = memory();
      assert.is(after.tensors, before.tensors, 'live tensors stay flat');
      assert.is(after.bytes, before.bytes, 'live bytes stay flat');
    }
  }
  assert.ok(losses[39] < 0.5 * losses[0], `loss fell from ${losses[0]} to ${losses[39]}`);
  opt.dispose();
  model.dispose();
});

s.run();
