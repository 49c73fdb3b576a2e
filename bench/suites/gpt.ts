// End to end GPT: one Adam training step (tokens/s) and greedy generation with and without the KV cache
// (tokens/s), a small nanoGPT-shaped model (learned positions, LayerNorm, GELU). The same step written with
// TensorFlow.js ops (bench/gpt-tf.ts) starts from tessera's weights; its first loss and tessera's webgpu loss
// are both checked against tessera's cpu loss before anything is timed.
import { tensor, tidy, nn, optim } from '../../index.js';
import { measure, quick } from '../harness.js';
import { record, skip, values } from '../common.js';
import { tfGpt, type GptShape } from '../gpt-tf.js';
import type { Peers } from '../run.js';
import { STEP_SIZES, describeCost, stepCost } from '../step-costs.js';

const S: GptShape = { vocab: 256, block: 64, layers: 2, heads: 4, embd: 64 };
const BATCH = 8;
const LR = 1e-3;
const NEW_TOKENS = quick ? 8 : 32;
const config = (device: 'cpu' | 'webgpu') =>
  ({ vocabSize: S.vocab, blockSize: S.block, nLayer: S.layers, nHead: S.heads, nEmbd: S.embd, seed: 0, device });

function close(what: string, got: number, ref: number): void {
  if (!(Math.abs(got - ref) <= 1e-3 * Math.max(1, Math.abs(ref)))) throw new Error(`${what}: loss ${got}, the cpu reference says ${ref}`);
}

export async function gptSuite(peers: Peers): Promise<void> {
  const tokens = BATCH * S.block;
  const kase = `step L${S.layers} d${S.embd} T${S.block} b${BATCH}`;
  const X = Int32Array.from(values(tokens, 1, 0, S.vocab), Math.floor);
  const Y = Int32Array.from(values(tokens, 2, 0, S.vocab), Math.floor);
  const batch = (device: 'cpu' | 'webgpu') => [tensor(X, { shape: [BATCH, S.block], dtype: 'i32', device }), tensor(Y, { shape: [BATCH, S.block], dtype: 'i32', device })];

  // reference: the same seeded model on the cpu backend
  const cpuModel = new nn.GPT(config('cpu'));
  const [cx, cy] = batch('cpu');
  const refLoss = await tidy(() => cpuModel.loss(cx, cy)).item();
  const weights = new Map<string, Float32Array>();
  for (const [name, p] of cpuModel.namedParameters()) weights.set(name, Float32Array.from(await p.data()));
  [cx, cy].forEach((t) => t.dispose()); cpuModel.parameters().forEach((p) => p.dispose());

  const model = new nn.GPT(config('webgpu'));
  const [x, y] = batch('webgpu');
  const first = tidy(() => model.loss(x, y));
  close('tessera GPT', await first.item(), refLoss);
  first.dispose();
  const opt = new optim.Adam(model.parameters(), { lr: LR });
  const step = async () => {
    const loss = tidy(() => { opt.zeroGrad(); const l = model.loss(x, y); l.backward(); opt.step(); return l; });
    const v = await loss.item();
    loss.dispose();
    if (!Number.isFinite(v)) throw new Error(`tessera GPT loss is ${v}`);
  };
  const perToken = (r: { medianMs: number }) => console.log(`  ${''.padEnd(12)} ${''.padEnd(30)} = ${(tokens / r.medianMs * 1e3).toFixed(0)} tokens/s`);
  perToken(record('gpt', kase, 'tessera', await measure(step, { warmup: 3 })));

  // generation: one prompt of 8 tokens, greedy, NEW_TOKENS new tokens
  const prompt = Array.from(X.subarray(0, 8));
  for (const useCache of [true, false]) {
    const gen = `generate ${NEW_TOKENS} tokens, ${useCache ? 'KV cache' : 'no cache'}`;
    const r = record('gpt', gen, 'tessera', await measure(() => model.generate([prompt], { maxNewTokens: NEW_TOKENS, greedy: true, useCache }), { warmup: 1 }));
    console.log(`  ${''.padEnd(12)} ${''.padEnd(30)} = ${(NEW_TOKENS / r.medianMs * 1e3).toFixed(1)} tokens/s`);
  }
  x.dispose(); y.dispose();
  for (const st of opt.state.values()) for (const v of Object.values(st)) if (typeof v !== 'number') v.dispose();
  model.parameters().forEach((p) => { p.grad?.dispose(); p.dispose(); });

  for (const [name, tf] of peers.tf) {
    const net = tfGpt(tf, S, weights, LR);
    const tx = tf.tensor(X, [BATCH, S.block], 'int32'); const ty = tf.tensor(Y, [BATCH, S.block], 'int32');
    try {
      const l0 = net.loss(tx, ty);
      close(`${name} GPT`, (await l0.data())[0], refLoss);
      l0.dispose();
      perToken(record('gpt', kase, name, await measure(async () => { const l = net.step(tx, ty); await l.data(); l.dispose(); }, { warmup: 3 })));
    } catch (e) {
      skip('gpt', kase, `${name}: ${(e as Error).message.split('\n')[0]}`); // tfjs wasm has no gradient kernel for gather
    }
    net.dispose(); tx.dispose(); ty.dispose();
  }
  if (peers.jax.length) skip('gpt', kase, 'jax-js: no GPT written for it (TensorFlow.js is the peer the issue asks for)');
  await stepCostRows();
}

/**
 * The host side of an AdamW step at issue 11's two GPT sizes: dispatches per step (in the case name), the time to
 * record one dispatch (host, ms per dispatch) and the step's wall time. The 19M model only in the full run.
 */
async function stepCostRows(): Promise<void> {
  const one = (ms: number) => ({ medianMs: ms, minMs: ms, maxMs: ms, samples: 1, rmePct: 0 });
  for (const size of quick ? STEP_SIZES.slice(0, 1) : STEP_SIZES) {
    const c = await stepCost(size, quick ? 2 : 5);
    console.log(`  ${''.padEnd(12)} ${size.label}: ${describeCost(c)}`);
    record('gpt', `AdamW step ${size.label}: ${c.dispatches} dispatches, host per dispatch`, 'tessera', one(c.recordMs / c.dispatches));
    record('gpt', `AdamW step ${size.label}: wall`, 'tessera', one(c.wallMs));
  }
}
