// End to end GPT: one Adam training step (tokens/s) per model size of the table (bench/sizes.ts), timed per call
// (the loss read back each step) and queued (N steps, one wait), and greedy generation with and without the KV
// cache (tokens/s), nanoGPT-shaped models (learned positions, LayerNorm, GELU). The same step written with
// TensorFlow.js ops (bench/gpt-tf.ts) starts from tessera's weights; its first loss and tessera's webgpu loss are
// both checked against tessera's cpu loss before anything is timed. The cpu loss of a 19M-parameter model over a
// whole batch would take minutes, so the check runs on the first sequence's first 32 tokens when the batch is big.
import { tensor, tidy, nn, optim, type Tensor } from '../../index.js';
import { sync } from '../../core/executor.js';
import { measure, measureQueued, onceTiming, quick } from '../harness.js';
import { attempt, record, skip, values } from '../common.js';
import { tfGpt } from '../gpt-tf.js';
import type { BenchSizes, GptSize } from '../sizes.js';
import type { Peers } from '../run.js';
import { STEP_SIZES, describeCost, stepCost } from '../step-costs.js';

const LR = 1e-3;
const NEW_TOKENS = quick ? 8 : 32;
/** Tokens (batch x positions) above which the cpu check runs on a slice of the batch. */
const CHECK_TOKENS = 1024;
const config = (S: GptSize, device: 'cpu' | 'webgpu') =>
  ({ vocabSize: S.vocab, blockSize: S.block, nLayer: S.layers, nHead: S.heads, nEmbd: S.embd, seed: 0, device });

function close(what: string, got: number, ref: number): void {
  if (!(Math.abs(got - ref) <= 1e-3 * Math.max(1, Math.abs(ref)))) throw new Error(`${what}: loss ${got}, the cpu reference says ${ref}`);
}

export async function gptSuite(peers: Peers, sizes: BenchSizes): Promise<void> {
  for (const S of sizes.gpt) await attempt('gpt', `step L${S.layers} d${S.embd}`, () => gptSize(peers, S, sizes.queued));
}

async function gptSize(peers: Peers, S: GptSize, calls: number): Promise<void> {
  const BATCH = S.batch;
  const tokens = BATCH * S.block;
  const kase = `step L${S.layers} d${S.embd} T${S.block} b${BATCH}`;
  const X = Int32Array.from(values(tokens, 1, 0, S.vocab), Math.floor);
  const Y = Int32Array.from(values(tokens, 2, 0, S.vocab), Math.floor);
  const batch = (device: 'cpu' | 'webgpu', rows = BATCH, T = S.block): Tensor[] => [X, Y].map((v) => {
    const slice = new Int32Array(rows * T);
    for (let r = 0; r < rows; r++) slice.set(v.subarray(r * S.block, r * S.block + T), r * T);
    return tensor(slice, { shape: [rows, T], dtype: 'i32', device });
  });
  const [checkRows, checkT] = tokens > CHECK_TOKENS ? [1, Math.min(32, S.block)] : [BATCH, S.block];

  // reference: the same seeded model on the cpu backend
  const cpuModel = new nn.GPT(config(S, 'cpu'));
  const [cx, cy] = batch('cpu', checkRows, checkT);
  const refLoss = await tidy(() => cpuModel.loss(cx, cy)).item();
  const weights = new Map<string, Float32Array>();
  for (const [name, p] of cpuModel.namedParameters()) weights.set(name, Float32Array.from(await p.data()));
  [cx, cy].forEach((t) => t.dispose()); cpuModel.parameters().forEach((p) => p.dispose());

  const model = new nn.GPT(config(S, 'webgpu'));
  const [gx, gy] = batch('webgpu', checkRows, checkT);
  const first = tidy(() => model.loss(gx, gy));
  close('tessera GPT', await first.item(), refLoss);
  [first, gx, gy].forEach((t) => t.dispose());
  const [x, y] = batch('webgpu');
  const opt = new optim.Adam(model.parameters(), { lr: LR });
  const update = () => tidy(() => { opt.zeroGrad(); const l = model.loss(x, y); l.backward(); opt.step(); return l; });
  const step = async () => {
    const loss = update();
    const v = await loss.item();
    loss.dispose();
    if (!Number.isFinite(v)) throw new Error(`tessera GPT loss is ${v}`);
  };
  const perToken = (r: { medianMs: number }) => console.log(`  ${''.padEnd(12)} ${''.padEnd(30)} = ${(tokens / r.medianMs * 1e3).toFixed(0)} tokens/s`);
  perToken(record('gpt', kase, 'tessera', await measure(step, { warmup: 3 })));
  perToken(record('gpt', kase, 'tessera', await measureQueued(() => update().dispose(), sync, calls)));

  // generation: one prompt of 8 tokens, greedy, NEW_TOKENS new tokens
  const prompt = Array.from(X.subarray(0, 8));
  const newTokens = Math.min(NEW_TOKENS, S.block - prompt.length);
  for (const useCache of S.generate ? [true, false] : []) {
    const gen = `generate ${newTokens} tokens, ${useCache ? 'KV cache' : 'no cache'}`;
    const r = record('gpt', gen, 'tessera', await measure(() => model.generate([prompt], { maxNewTokens: newTokens, greedy: true, useCache }), { warmup: 1 }));
    console.log(`  ${''.padEnd(12)} ${''.padEnd(30)} = ${(newTokens / r.medianMs * 1e3).toFixed(1)} tokens/s`);
  }
  x.dispose(); y.dispose();
  for (const st of opt.state.values()) for (const v of Object.values(st)) if (typeof v !== 'number') v.dispose();
  model.parameters().forEach((p) => { p.grad?.dispose(); p.dispose(); });

  for (const [name, tf] of peers.tf) {
    const net = tfGpt(tf, S, weights, LR);
    const tx = tf.tensor(X, [BATCH, S.block], 'int32'); const ty = tf.tensor(Y, [BATCH, S.block], 'int32');
    const checkX = tf.slice(tx, [0, 0], [checkRows, checkT]); const checkY = tf.slice(ty, [0, 0], [checkRows, checkT]);
    try {
      const l0 = net.loss(checkX, checkY);
      close(`${name} GPT`, (await l0.data())[0], refLoss);
      l0.dispose();
      perToken(record('gpt', kase, name, await measure(async () => { const l = net.step(tx, ty); await l.data(); l.dispose(); }, { warmup: 3 })));
    } catch (e) {
      skip('gpt', kase, `${name}: ${(e as Error).message.split('\n')[0]}`); // tfjs wasm has no gradient kernel for gather
    }
    net.dispose(); [tx, ty, checkX, checkY].forEach((t) => t.dispose());
  }
  if (peers.jax.length) skip('gpt', kase, 'jax-js: no GPT written for it (TensorFlow.js is the peer the issue asks for)');
  await stepCostRows();
}

/**
 * The host side of an AdamW step at issue 11's two GPT sizes: dispatches per step (in the case name), the time to
 * record one dispatch (host, ms per dispatch) and the step's wall time. The 19M model only in the full run.
 */
async function stepCostRows(): Promise<void> {
  for (const size of quick ? STEP_SIZES.slice(0, 1) : STEP_SIZES) {
    const c = await stepCost(size, quick ? 2 : 5);
    console.log(`  ${''.padEnd(12)} ${size.label}: ${describeCost(c)}`);
    record('gpt', `AdamW step ${size.label}: ${c.dispatches} dispatches, host per dispatch`, 'tessera', { ...onceTiming(c.recordMs / c.dispatches), mode: 'host' });
    record('gpt', `AdamW step ${size.label}: wall`, 'tessera', onceTiming(c.wallMs));
  }
}
