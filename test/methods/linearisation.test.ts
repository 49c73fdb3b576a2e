import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nn, noGrad, tensor, tidy, where, type Tensor } from '../../index.js';
import { DEVICES, assertClose, assertTensorClose, gradcheck, randomValues } from '../helpers.js';
import { ATTENTION_MODES, hybridAttention, laMassFraction } from '../../methods/linearisation/hybridAttention.js';
import { hybridAttentionReference, referenceWeights } from '../../methods/linearisation/reference.js';
import { createHybridCache, disposeHybridCache, hybridDecodeStep } from '../../methods/linearisation/decode.js';
import { attentionOutputMse, attentionWeightXent, linearAttentionWeights } from '../../methods/linearisation/losses.js';
import { convertAttention, setAttentionMode, setSwaDrops } from '../../methods/linearisation/convert.js';
import { SSD_PROBABILITIES, drawSwaDrops, ssdProbability } from '../../methods/linearisation/ssd.js';
import { seededRandom } from '../../nn/data/seeded-random.js';
import { SPEC_TASK, fillerMap, makeBatch, vocabulary } from '../../methods/linearisation/task.js';
import { FULL } from '../../methods/linearisation/protocol.js';
import { PlateauSchedule } from '../../methods/linearisation/plateau.js';
import { captureLayerIO } from '../../methods/linearisation/capture.js';
import { hedgehogFeatureMap, projectHeads, type SoftmaxAttentionLike } from '../../methods/linearisation/convert.js';

const s = suite('methods/linearisation');

/** nested [H][T][c] arrays of random values */
function nested(H: number, T: number, c: number, seed: number, lo = -1.5, hi = 1.5): number[][][] {
  const flat = randomValues(H * T * c, seed, lo, hi);
  return Array.from({ length: H }, (_, h) => Array.from({ length: T }, (_, t) => flat.slice((h * T + t) * c, (h * T + t + 1) * c)));
}
const asTensor = (x: number[][][], device: 'cpu' | 'webgpu', dtype: 'f32' | 'f64' = 'f32') => tensor([x], { device, dtype });

async function rows(t: Tensor): Promise<boolean[][]> {
  return ((await t.toArray()) as number[][]).map((r) => r.map((x) => x !== 0));
}
// the index sets nn's hybrid form uses: Win(i) = {i−W < j ≤ i}, Lin(i) = {j ≤ i−W}, causal = {j ≤ i}
const windowMask = (T: number, W: number) => nn.visibilityMask(T, T, { causal: true, window: W, qOffset: 0 }, 'cpu');
const linearMask = (T: number, W: number) => nn.visibilityMask(T, T, { causal: true, window: 0, qOffset: -W }, 'cpu');
const causalMask = (T: number) => nn.visibilityMask(T, T, { causal: true, window: 0, qOffset: 0 }, 'cpu');
const featureMap = (H: number, d: number, F: number, device: 'cpu' | 'webgpu' = 'cpu', seed = 0) =>
  new nn.LearnableFeatureMap({ heads: H, headDim: d, featureDim: F, device, seed });

s('masks: T = 4, W = 2 gives Win(3) = {2, 3}, Lin(3) = {0, 1}, Lin(1) = ∅', async () => {
  const win = await rows(windowMask(4, 2));
  const lin = await rows(linearMask(4, 2));
  assert.equal(win[3], [false, false, true, true]);
  assert.equal(lin[3], [true, true, false, false]);
  assert.equal(lin[1], [false, false, false, false]);
  assert.equal(win[0], [true, false, false, false]);
  const causal = await rows(causalMask(4));
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) assert.is(win[i][j] || lin[i][j], causal[i][j]);
});

for (const device of DEVICES) {
  s(`every mode matches the loop oracle at the window edges (T = 7, W = 3, 2 heads) on ${device}`, async () => {
    const [H, T, d, F, W] = [2, 7, 3, 4, 3];
    const inp = { q: nested(H, T, d, 1), k: nested(H, T, d, 2), v: nested(H, T, d, 3),
      phiQ: nested(H, T, F, 4, 0.05, 1), phiK: nested(H, T, F, 5, 0.05, 1), gamma: [0.3, 0.8], window: W };
    const gateLogit = tensor(inp.gamma.map((g) => Math.log(g / (1 - g))), { device });
    for (const mode of ATTENTION_MODES) {
      const ref = hybridAttentionReference({ ...inp, mode });
      const { y, laMass } = hybridAttention(asTensor(inp.q, device), asTensor(inp.k, device), asTensor(inp.v, device),
        { window: W, phiQ: asTensor(inp.phiQ, device), phiK: asTensor(inp.phiK, device), gateLogit, mode });
      assertClose(await y.data(), ref.y.flat(2), { atol: 1e-5, msg: `${mode} y` });
      assertClose(await laMass.data(), ref.laMass.flat(), { atol: 1e-5, msg: `${mode} laMass` });
    }
  });
}

s('hybrid attention gradients match finite differences (float64)', async () => {
  const [H, T, d, F] = [1, 5, 2, 2];
  const shapeQ = [1, H, T, d];
  const shapeF = [1, H, T, F];
  const mix = tensor(randomValues(T * d, 9), { shape: [1, H, T, d], dtype: 'f64' });
  await gradcheck((q, k, v, pq, pk, g) =>
    hybridAttention(q, k, v, { window: 2, phiQ: pq, phiK: pk, gateLogit: g, mode: 'hybrid' }).y.mul(mix).sum(),
  [
    { shape: shapeQ, values: randomValues(T * d, 1) }, { shape: shapeQ, values: randomValues(T * d, 2) },
    { shape: shapeQ, values: randomValues(T * d, 3) }, { shape: shapeF, values: randomValues(T * F, 4, 0.1, 1) },
    { shape: shapeF, values: randomValues(T * F, 5, 0.1, 1) }, { shape: [H], values: [0.3] },
  ], { atol: 1e-6 });
});

s('hand case: weights (0.5, 0.25, 0.5), y = 2.4, ρ = 0.4', async () => {
  // query i = 2, W = 2: window keys j = 1, 2 with scores (0, ln 2); φ(q_2)·φ(k_0) = 0.5; γ = sigmoid(0) = 0.5
  const q = tensor([[[[0], [0], [1]]]]);
  const k = tensor([[[[0], [0], [Math.LN2]]]]);
  const v = tensor([[[[1], [2], [4]]]]);
  const phiQ = tensor([[[[1], [1], [1]]]]);
  const phiK = tensor([[[[0.5], [1], [1]]]]);
  const { a } = referenceWeights({ q: [[[0], [0], [1]]], k: [[[0], [0], [Math.LN2]]], v: [[[1], [2], [4]]],
    phiQ: [[[1], [1], [1]]], phiK: [[[0.5], [1], [1]]], gamma: [0.5], window: 2, mode: 'hybrid' }, 0, 2);
  assertClose(a, [0.5, 0.25, 0.5]);
  const { y, laMass } = hybridAttention(q, k, v, { window: 2, phiQ, phiK, gateLogit: tensor([0]), mode: 'hybrid' });
  assertClose([(await y.data())[2]], [2.4], { atol: 1e-5 });
  assertClose([await laMassFraction(laMass, 2).item()], [0.4], { atol: 1e-6 });
});

s('diagnostic modes: swaOnly is windowed softmax, laFull with φ ≡ 1 is the causal mean, sinks and zero', async () => {
  const [H, T, d, W] = [2, 6, 3, 2];
  const q = asTensor(nested(H, T, d, 11), 'cpu');
  const k = asTensor(nested(H, T, d, 12), 'cpu');
  const v = asTensor(nested(H, T, d, 13), 'cpu');
  const ones = tensor(new Array(H * T).fill(1), { shape: [1, H, T, 1] });
  const scores = q.matmul(k.transpose(-1, -2)).mul(1 / Math.sqrt(d));
  const windowed = where(windowMask(T, W), scores, -Infinity).softmax(-1).matmul(v);
  await assertTensorClose(hybridAttention(q, k, v, { window: W, mode: 'swaOnly' }).y, windowed, { atol: 1e-5 });
  const counts = tensor(Array.from({ length: T }, (_, i) => i + 1), { shape: [T, 1] });
  const causalMean = causalMask(T).matmul(v).div(counts);
  const la = hybridAttention(q, k, v, { window: W, phiQ: ones, phiK: ones, mode: 'laFull' });
  await assertTensorClose(la.y, causalMean, { atol: 1e-5 });
  assertClose(await la.laMass.data(), new Array(H * T).fill(1), { atol: 1e-5 });
  const sinkMask = tensor(Array.from({ length: T * T }, (_, n) => Number(n % T < 2 && n % T <= Math.floor(n / T))), { shape: [T, T] });
  const sinks = where(sinkMask, scores, -Infinity).softmax(-1).matmul(v);
  await assertTensorClose(hybridAttention(q, k, v, { window: W, mode: 'sinks', sinks: 2 }).y, sinks, { atol: 1e-5 });
  const zero = hybridAttention(q, k, v, { window: W, mode: 'zero' });
  assertClose(await zero.y.data(), new Array(H * T * d).fill(0));
  assertClose(await zero.laMass.data(), new Array(H * T).fill(0));
});

for (const device of DEVICES) {
  s(`recurrent decoding equals the parallel hybrid at every step on ${device}`, async () => {
    const [B, H, T, d, W] = [2, 2, 9, 4, 3];
    const q = tensor(randomValues(B * H * T * d, 21), { shape: [B, H, T, d], device });
    const k = tensor(randomValues(B * H * T * d, 22), { shape: [B, H, T, d], device });
    const v = tensor(randomValues(B * H * T * d, 23), { shape: [B, H, T, d], device });
    const fq = featureMap(H, d, 3, device, 1);
    const fk = featureMap(H, d, 3, device, 2);
    const gateLogit = tensor([-0.5, 1.2], { device });
    const parallel = hybridAttention(q, k, v, { window: W, phiQ: fq.forward(q), phiK: fk.forward(k), gateLogit }).y;
    const cache = createHybridCache({ batch: B, heads: H, headDim: d, window: W, featureMapQ: fq, featureMapK: fk, gateLogit });
    for (let t = 0; t < T; t++) {
      const y = hybridDecodeStep(cache, q.narrow(2, t, 1), k.narrow(2, t, 1), v.narrow(2, t, 1));
      await assertTensorClose(y, parallel.narrow(2, t, 1).contiguous(), { atol: 1e-5, msg: `step ${t}` });
    }
    disposeHybridCache(cache);
  });
}

s('Hedgehog loss equals H(A^soft) when A^lin = A^soft, and is larger otherwise', async () => {
  const [H, T, d] = [2, 5, 3];
  const q = asTensor(nested(H, T, d, 31), 'cpu');
  const k = asTensor(nested(H, T, d, 32), 'cpu');
  const soft = nn.attentionWeights(q, k, { causal: true });
  const entropy = await tidy(() => soft.mul(soft.clamp(1e-30).log()).sum(-1).mean().neg()).item();
  assertClose([await attentionWeightXent(soft, soft).item()], [entropy], { atol: 1e-6 });
  const phi = asTensor(nested(H, T, 4, 33, 0.1, 1), 'cpu');
  const other = linearAttentionWeights(phi, asTensor(nested(H, T, 4, 34, 0.1, 1), 'cpu'));
  assert.ok((await attentionWeightXent(soft, other).item()) > entropy + 1e-3);
});

s('output-MSE transfer loss is zero when the feature map reproduces the softmax weights exactly', async () => {
  // q = 0 makes causal softmax uniform. With U = 0, Hedgehog φ ≡ 1/F on 2F features, so φ(q)·φ(k) = 2/F;
  // with γ = 2/F every hybrid weight equals that constant too, and the hybrid reproduces softmax exactly.
  const [H, T, d, F, W] = [2, 7, 3, 4, 2];
  const q = tensor(new Array(H * T * d).fill(0), { shape: [1, H, T, d] });
  const k = asTensor(nested(H, T, d, 41), 'cpu');
  const v = asTensor(nested(H, T, d, 42), 'cpu');
  const map = featureMap(H, d, F);
  noGrad(() => map.weight.zero_());
  const teacher = nn.attentionWeights(q, k, { causal: true }).matmul(v);
  const student = (g: number) => hybridAttention(q, k, v, { window: W, phiQ: map.forward(q), phiK: map.forward(k),
    gateLogit: tensor([g, g]), mode: 'hybrid' }).y;
  const gammaLogit = Math.log((2 / F) / (1 - 2 / F));
  assertClose([await attentionOutputMse(student(gammaLogit), teacher).item()], [0], { atol: 1e-6 });
  assert.ok((await attentionOutputMse(student(2), teacher).item()) > 1e-2);
});

s('SSD: 0.9 / 0.75 / 0.5 by thirds, drawn at that frequency; a forced drop equals laFull', async () => {
  const total = 300;
  assert.equal([0, 99, 100, 199, 200, 299].map((t) => ssdProbability(t, total)), [0.9, 0.9, 0.75, 0.75, 0.5, 0.5]);
  assert.throws(() => ssdProbability(total, total), /step must be an integer in \[0, 300\)/);
  // a uniform draw u ∈ [0, 1) drops when u < p: u = p exactly keeps the window
  assert.equal(drawSwaDrops(0, total, 2, () => 0.9), [false, false]);
  assert.equal(drawSwaDrops(0, total, 1, () => 0.8999), [true]);
  const r = seededRandom(7);
  const dropped = [0, 0, 0];
  const draws = 20000;
  for (let n = 0; n < draws; n++) {
    const step = n % total;
    dropped[Math.floor((step * 3) / total)] += drawSwaDrops(step, total, 1, r)[0] ? 1 : 0;
  }
  assertClose(dropped.map((c) => c / (draws / 3)), SSD_PROBABILITIES, { atol: 0.02 });
  const [H, T, d] = [1, 6, 2];
  const q = asTensor(nested(H, T, d, 51), 'cpu');
  const phi = asTensor(nested(H, T, 3, 52, 0.1, 1), 'cpu');
  const opts = { window: 2, phiQ: phi, phiK: phi, gateLogit: tensor([0.4]) };
  await assertTensorClose(hybridAttention(q, q, q, { ...opts, mode: 'hybrid', dropSwa: true }).y,
    hybridAttention(q, q, q, { ...opts, mode: 'laFull' }).y);
});

s('task generator: answers ≥ 45 tokens from their pairs; filler noise 10% ± 1', () => {
  const f = fillerMap(3);
  const batch = makeBatch(400, 0.5, SPEC_TASK, f, seededRandom(5));
  const { key0, value0, filler0 } = vocabulary(SPEC_TASK);
  let noisy = 0;
  let predictable = 0;
  for (const [n, seq] of batch.tokens.entries()) {
    assert.is(seq.length, SPEC_TASK.seqLen);
    for (let t = 0; t < seq.length; t++) {
      if (batch.recall[n][t]) {
        const key = seq[t];
        assert.ok(key >= key0 && key < value0);
        const pairAt = seq.indexOf(key);
        assert.ok(pairAt < t && seq[pairAt + 1] === seq[t + 1], 'the value follows its key in both places');
        assert.ok(t + 1 - (pairAt + 1) >= 45, `answer distance ${t - pairAt}`);
      }
      // fillers of filler-only sequences: x_t should be f(x_{t−2}, x_{t−1}) unless noise replaced it
      if (t >= 3 && seq.slice(1, t + 1).every((x) => x >= filler0) && !batch.recall[n].some(Boolean)) {
        predictable++;
        if (seq[t] !== filler0 + f[seq[t - 2] - filler0][seq[t - 1] - filler0]) noisy++;
      }
    }
  }
  assert.ok(Math.abs(noisy / predictable - 0.1) < 0.01, `noise rate ${noisy / predictable}`);
});

s('task generator, pair tokens (the experiment format): each recalled value is the one bound to its key, outside the window', () => {
  const cfg = FULL.task;
  const { key0, value0, pair0 } = vocabulary(cfg);
  const batch = makeBatch(200, 1, cfg, fillerMap(3), seededRandom(6));
  for (const [n, seq] of batch.tokens.entries()) {
    const recalls = batch.recall[n].flatMap((r, t) => (r ? [t] : []));
    assert.is(recalls.length, cfg.pairs);
    for (const t of recalls) {
      const [k, v] = [seq[t] - key0, seq[t + 1] - value0];
      const bindingAt = seq.indexOf(pair0 + k * cfg.values + v);
      assert.ok(bindingAt >= 0 && t - bindingAt > 3 * cfg.window, `binding of key ${k} at ${bindingAt}, recalled at ${t}`);
    }
  }
});

s('conversion keeps q/k/v/o: swaOnly with W = T reproduces the teacher; LoRA with B = 0 changes nothing; SSD drops = laFull', async () => {
  const config = { vocabSize: 11, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8, seed: 3 };
  const teacher = new nn.GPT(config);
  const tokens = tensor([[1, 5, 2, 9, 4, 4], [0, 3, 3, 7, 10, 1]], { dtype: 'i32' });
  const expected = teacher.forward(tokens).logits;
  const model = new nn.GPT(config);
  model.loadStateDict(teacher.stateDict());
  convertAttention(model, { featureDim: 2, window: 6, seed: 1 });
  setAttentionMode(model, 'swaOnly');
  await assertTensorClose(model.forward(tokens).logits, expected, { atol: 1e-5 });
  setAttentionMode(model, 'hybrid');
  const hybrid = model.forward(tokens).logits;
  nn.applyLoRA(model, /attn\.[qkvo]Proj$/, { r: 2, alpha: 4 });
  await assertTensorClose(model.forward(tokens).logits, hybrid, { atol: 1e-6 });
  setSwaDrops(model, [true, true]);
  const dropped = model.forward(tokens).logits;
  setSwaDrops(model, [false, false]);
  setAttentionMode(model, 'laFull');
  await assertTensorClose(dropped, model.forward(tokens).logits, { atol: 1e-6 });
});

s('Hedgehog feature map by hand: φ(x) = [softmax(xU) ∥ softmax(−xU)]', async () => {
  const map = hedgehogFeatureMap({ heads: 1, headDim: 2, featureDim: 2 });
  const device = map.weight.device;
  noGrad(() => map.weight.copy_(tensor([[[1, -0.5], [0.25, 2]]], { device })));
  const x = [1, -2];
  const xu = [x[0] * 1 + x[1] * 0.25, x[0] * -0.5 + x[1] * 2]; // [0.5, -4.5]
  const softmaxOf = (v: number[]) => v.map((a) => Math.exp(a) / v.reduce((acc, b) => acc + Math.exp(b), 0));
  const phi = await map.forward(tensor([[[x]]], { device })).data();
  assertClose(phi, [...softmaxOf(xu), ...softmaxOf(xu.map((v) => -v))], { atol: 1e-6 });
});

s('teacher forcing: layer l trains on the q, k, v its own attention saw (its input after norm1), and its softmax output', async () => {
  const config = { vocabSize: 11, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8, seed: 5, device: 'cpu' as const };
  const teacher = new nn.GPT(config);
  const tokens = tensor([[1, 5, 2, 9, 4, 4]], { dtype: 'i32', device: 'cpu' });
  const io = captureLayerIO(teacher, tokens);
  const attn = (l: number) => teacher.blocks.at(l).attn as unknown as SoftmaxAttentionLike;
  // layer 0's input is the embedding; layer 1's is the residual stream after block 0
  const embedding = teacher.wte.forward(tokens).add(teacher.wpe!.forward(tensor([0, 1, 2, 3, 4, 5], { dtype: 'i32', device: 'cpu' })));
  const afterBlock0 = teacher.blocks.at(0).forwardWithKV(embedding, { layer: 0 }).x;
  for (const [l, input] of [[0, embedding], [1, afterBlock0]] as const) {
    const { q, k, v } = projectHeads(attn(l), teacher.blocks.at(l).norm1.forward(input));
    await assertTensorClose(io[l].q, q, { atol: 1e-6 });
    await assertTensorClose(io[l].k, k, { atol: 1e-6 });
    await assertTensorClose(io[l].v, v, { atol: 1e-6 });
    await assertTensorClose(io[l].y, nn.attentionWeights(q, k, { causal: true }).matmul(v), { atol: 1e-6 });
  }
  // the two layers' inputs differ, so a capture from the wrong layer cannot pass
  const wrong = projectHeads(attn(1), teacher.blocks.at(1).norm1.forward(embedding)).q;
  assert.ok(Math.max(...Array.from(await io[1].q.sub(wrong).abs().data())) > 1e-3);
});

s('linear attention weights by hand: causal, each row normalised over j ≤ i', async () => {
  // φ(q) rows [1, 0], [1, 2]; φ(k) rows [2, 1], [1, 1]: raw row 1 = (1·2 + 2·1, 1·1 + 2·1) = (4, 3)
  const phiQ = tensor([[[[1, 0], [1, 2]]]], { device: 'cpu' });
  const phiK = tensor([[[[2, 1], [1, 1]]]], { device: 'cpu' });
  assertClose(await linearAttentionWeights(phiQ, phiK).data(), [1, 0, 4 / 7, 3 / 7], { atol: 1e-6 });
});

s('plateau schedule (LoLCATs reduce-on-plateau): the rate drops only after more than `patience` evaluations without improvement', () => {
  const schedule = new PlateauSchedule({ factor: 0.1, patience: 2, minLr: 1e-5 });
  const rates: number[] = [];
  let lr = 1;
  for (const loss of [5, 4, 4.5, 4.2, 4.1, 3, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5]) rates.push(lr = schedule.step(loss, lr));
  // improvements at 5, 4, 3; every third miss in a row lowers the rate (after 4, then twice after 3)
  assertClose(rates, [1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001], { atol: 1e-12 });
  assert.is(schedule.reductions, 3);
  // an improvement smaller than the relative threshold counts as none
  const strict = new PlateauSchedule({ factor: 0.5, patience: 0, minLr: 0, threshold: 0.01 });
  assert.equal([strict.step(1, 1), strict.step(0.995, 1), strict.step(0.98, 1), strict.step(0.98, 1)], [1, 0.5, 1, 0.5]);
  const edge = new PlateauSchedule({ factor: 0.5, patience: 0, minLr: 0, threshold: 0.5 });
  edge.step(1, 1);
  assert.is(edge.step(0.5, 1), 0.5, 'exactly best·(1 − threshold) is not an improvement');
  for (const bad of [{ factor: 1, patience: 1 }, { factor: 0, patience: 1 }, { factor: 0.1, patience: -1 }, { factor: 0.1, patience: 1.5 }]) {
    assert.throws(() => new PlateauSchedule({ ...bad, minLr: 0 }), /PlateauSchedule: need 0 < factor < 1 and an integer patience ≥ 0/);
  }
  const floor = new PlateauSchedule({ factor: 0.1, patience: 0, minLr: 1e-3 });
  assert.is(floor.step(1, 1e-2), 1e-2);
  assert.is(floor.step(2, 1e-2), 1e-3);
  assert.is(floor.step(2, 1e-3), 1e-3);
});

s.run();
