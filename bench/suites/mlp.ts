// End to end: one SGD training step of a 784-256-10 ReLU MLP on a batch of 128 (forward, cross-entropy,
// backward, update, loss read back), the same model in each framework; tessera's step also queued (N steps, one
// wait, the loss not read).
import { tensor, tidy, crossEntropy, nn, optim } from '../../index.js';
import { sync } from '../../core/executor.js';
import { measure, measureQueued } from '../harness.js';
import { record, skip, values } from '../common.js';
import type { Peers } from '../run.js';

const [IN, HID, OUT, BATCH, LR] = [784, 256, 10, 128, 0.01];
const flops = 3 * 2 * BATCH * (IN * HID + HID * OUT); // forward + two backward matmuls per layer

export async function mlpSuite(peers: Peers, calls: number): Promise<void> {
  const X = values(BATCH * IN, 1, 0, 1);
  const Y = Int32Array.from(values(BATCH, 2, 0, OUT), Math.floor);

  const model = new nn.Sequential(new nn.Linear(IN, HID, { device: 'webgpu' }), new nn.ReLU(), new nn.Linear(HID, OUT, { device: 'webgpu' }));
  const opt = new optim.SGD(model.parameters(), { lr: LR });
  const x = tensor(X, { shape: [BATCH, IN], device: 'webgpu' });
  const y = tensor(Y, { dtype: 'i32', device: 'webgpu' });
  const update = () => tidy(() => { opt.zeroGrad(); const l = crossEntropy(model.forward(x), y); l.backward(); opt.step(); return l; });
  const step = async () => {
    const loss = update();
    const v = await loss.item();
    loss.dispose();
    if (!Number.isFinite(v)) throw new Error(`tessera MLP loss is ${v}`);
  };
  record('mlp', '784-256-10 b128 SGD step', 'tessera', await measure(step), { flops });
  record('mlp', '784-256-10 b128 SGD step', 'tessera', await measureQueued(() => update().dispose(), sync, calls), { flops });

  for (const [name, tf] of peers.tf) {
    const w1 = tf.variable(tf.randomNormal([IN, HID], 0, 0.05)); const b1 = tf.variable(tf.zeros([HID]));
    const w2 = tf.variable(tf.randomNormal([HID, OUT], 0, 0.05)); const b2 = tf.variable(tf.zeros([OUT]));
    const tx = tf.tensor2d(X, [BATCH, IN]); const ty = tf.oneHot(tf.tensor1d(Y, 'int32'), OUT);
    const sgd = tf.train.sgd(LR);
    const tfStep = async () => {
      const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(ty, tf.relu(tx.matMul(w1).add(b1)).matMul(w2).add(b2)), true)!;
      await loss.data();
      loss.dispose();
    };
    record('mlp', '784-256-10 b128 SGD step', name, await measure(tfStep), { flops });
    tf.dispose([w1, b1, w2, b2, tx, ty]);
  }

  for (const [name, jax] of peers.jax) {
    try {
      const np = jax.numpy;
      type P = { w1: InstanceType<typeof jax.Array>; w2: InstanceType<typeof jax.Array> };
      let params: P = { w1: np.array(values(IN * HID, 3, -0.05, 0.05)).reshape([IN, HID]), w2: np.array(values(HID * OUT, 4, -0.05, 0.05)).reshape([HID, OUT]) };
      const xs = np.array(X).reshape([BATCH, IN]);
      const onehot = jax.nn.oneHot(np.array(Y, { dtype: jax.DType.Int32 }), OUT);
      const lossFn = (p: P, xb: InstanceType<typeof jax.Array>, yb: InstanceType<typeof jax.Array>) => {
        const logits = np.matmul(jax.nn.relu(np.matmul(xb, p.w1)), p.w2);
        return jax.nn.logSoftmax(logits, -1).mul(yb).sum().mul(-1 / BATCH);
      };
      const update = jax.jit((p: P, xb: InstanceType<typeof jax.Array>, yb: InstanceType<typeof jax.Array>) => {
        const [loss, g] = jax.valueAndGrad(lossFn)(jax.tree.ref(p), xb, yb);
        return [loss, { w1: p.w1.sub(g.w1.mul(LR)), w2: p.w2.sub(g.w2.mul(LR)) }] as const;
      });
      const jaxStep = async () => {
        const [loss, next] = update(params, xs.ref, onehot.ref);
        params = next as P;
        const v = (await loss.data())[0];
        if (!Number.isFinite(v)) throw new Error(`loss ${v}`);
      };
      record('mlp', '784-256-10 b128 SGD step', `${name} (jit)`, await measure(jaxStep), { flops });
    } catch (e) {
      skip('mlp', '784-256-10 b128 SGD step', `${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}
