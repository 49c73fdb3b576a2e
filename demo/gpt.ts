// `npm run demo`: a small character-level GPT learns English from the bundled nlp-corpus (MIT) on WebGPU,
// with AdamW, a warmup + cosine schedule and the training helper's progress bar; then it reports the validation
// loss, the training throughput in tokens/s, and samples a few continuations with the KV cache.
// Environment: STEPS (default 300, a few minutes on lavapipe), and the model size is fixed below.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn, optim, ready, shutdown, setDefaultDevice, noGrad, tidy } from '../index.js';
import { loadCorpus, writeLog } from '../node.js';

const STEPS = Number(process.env.STEPS ?? 300);
const BATCH = 16;
const BLOCK = 64;
const EVAL_BATCHES = 4;

const info = await ready();
await setDefaultDevice('webgpu');
console.log(`tessera demo: a character-level GPT on ${info.adapter}${info.software ? ' (software)' : ''}`);

const text = loadCorpus({ asciiOnly: true });
const tokenizer = nn.text.CharTokenizer.train(text);
const { train: trainTokens, val: valTokens } = nn.data.trainValSplit(tokenizer.encode(text), 0.05);
console.log(`corpus: ${text.length.toLocaleString()} characters, vocabulary ${tokenizer.vocabSize}, ` +
  `${trainTokens.length.toLocaleString()} train / ${valTokens.length.toLocaleString()} validation tokens`);

const model = new nn.GPT({
  vocabSize: tokenizer.vocabSize, blockSize: BLOCK, nLayer: 4, nHead: 4, nEmbd: 64, positions: 'rope', norm: 'rms', bias: false, seed: 0,
});
console.log(`model: ${model.config.nLayer} layers, ${model.config.nHead} heads, width ${model.config.nEmbd}, ` +
  `${model.parameters().reduce((n, p) => n + p.numel, 0).toLocaleString()} parameters`);

const trainBatches = new nn.data.BatchSampler(trainTokens, { batchSize: BATCH, blockSize: BLOCK, seed: 1 });
const valBatches = new nn.data.BatchSampler(valTokens, { batchSize: BATCH, blockSize: BLOCK, seed: 2 });
const valOffsets = Array.from({ length: EVAL_BATCHES }, () => valBatches.nextOffsets());

let evalSeconds = 0;
/** Mean loss over fixed validation batches. */
async function validationLoss(): Promise<number> {
  const t0 = performance.now();
  let total = 0;
  for (const offsets of valOffsets) {
    const loss = noGrad(() => tidy(() => {
      const { x, y } = valBatches.batchAt(offsets);
      return model.loss(x, y);
    }));
    total += await loss.item();
    loss.dispose();
  }
  evalSeconds += (performance.now() - t0) / 1000;
  return total / valOffsets.length;
}

const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01, betas: [0.9, 0.95] });
const scheduler = new optim.LRScheduler(optimizer, optim.cosine({ totalSteps: STEPS, warmupSteps: Math.min(20, Math.floor(STEPS / 5)), minFactor: 0.1 }));
const logPath = join(tmpdir(), 'tessera-gpt.json');
const result = await nn.train({
  model, optimizer, scheduler, steps: STEPS, seed: 0, logEvery: 10, clipGradNorm: 1,
  evaluate: validationLoss, evalEvery: Math.max(1, Math.floor(STEPS / 4)),
  loss: () => {
    const { x, y } = trainBatches.next();
    return model.loss(x, y);
  },
  progress: { label: 'gpt' },
});
await writeLog(logPath, result);

const trainSeconds = result.seconds - evalSeconds;
const tokensPerSecond = (result.steps * BATCH * BLOCK) / trainSeconds;
const finalVal = result.eval[result.eval.length - 1].loss;
console.log(`validation loss: ${finalVal.toFixed(4)} nats/char after ${result.steps} steps ` +
  `(uniform guess: ${Math.log(tokenizer.vocabSize).toFixed(2)})`);
console.log(`throughput: ${tokensPerSecond.toFixed(0)} tokens/s training (${(trainSeconds / result.steps).toFixed(2)} s/step, ` +
  `batch ${BATCH} x ${BLOCK}), ${result.seconds.toFixed(0)} s in all`);

model.eval();
const prompts = ['The ', 'I think ', 'When she '];
const t0 = performance.now();
const samples = await model.generate(prompts.map((p) => tokenizer.encode(p)), {
  maxNewTokens: BLOCK - 9, temperature: 0.8, topK: 20, stopTokens: [tokenizer.tokenId('\n')], seed: 7,
});
const generated = samples.reduce((n, s) => n + s.length, 0);
console.log(`samples (KV cache, temperature 0.8, top-k 20; ${(generated / ((performance.now() - t0) / 1000)).toFixed(0)} tokens/s):`);
prompts.forEach((p, i) => console.log(`  ${JSON.stringify(p + tokenizer.decode(samples[i]))}`));
console.log(`curves: ${logPath} and ${logPath.replace(/\.json$/, '.svg')}`);
optimizer.dispose();
model.dispose();
shutdown();
