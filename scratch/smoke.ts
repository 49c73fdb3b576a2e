import { ready, tensor, randn, setDefaultDevice, shutdown, arange, tidy, memory, matmul, eye } from '../index.js';
const info = await ready();
console.log('adapter', info.adapter, info.software);
for (const dev of ['cpu', 'webgpu'] as const) {
  await setDefaultDevice(dev);
  const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const b = tensor([10, 20, 30]);
  const c = a.mul(b).mul(0.01).add(1).exp().log().sum();
  console.log(dev, 'sum', await c.item());
  c.backward();
  console.log(dev, 'grad', await a.grad!.toArray());
  const m = randn([5, 7], { seed: 1 });
  console.log(dev, 'randn', Array.from((await m.data()).slice(0, 4)).map(v => v.toFixed(5)));
  const x = arange(12).reshape([3, 4]).float();
  console.log(dev, 'matmul', await matmul(x, x.T).toArray(), await x.T.contiguous().toArray());
  console.log(dev, 'argmax', await x.argmax(1).toArray(), await x.amax(0).toArray(), await x.mean().item());
  console.log(dev, 'eye', await eye(2, 3).toArray(), await x.gt(5).toArray());
  const w = randn([4, 4], { requiresGrad: true, seed: 2 });
  const y = tidy(() => { const l = w.matmul(w).tanh().sum(); l.backward(); return l; });
  console.log(dev, 'tidy', await y.item(), memory());
}
shutdown();
