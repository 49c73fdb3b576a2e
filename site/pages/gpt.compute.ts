// The tiny-GPT walkthrough: a character-level GPT trained by an explicit loop (no helper hides it), reporting the
// loss as it goes and sampling with the KV cache at the end.
import { nn, optim, tidy, manualSeed, setDefaultDevice } from '../../index.js';

export interface TinyGptOptions {
  steps: number;
  batch: number;
  block: number;
  layers: number;
  width: number;
  heads: number;
  /** read the loss back (and call onLoss) every this many steps */
  logEvery: number;
}

export interface TinyGptResult {
  vocab: number;
  parameters: number;
  losses: [number, number][];
  samples: string[];
  seconds: number;
}

export async function trainTinyGpt(
  text: string,
  o: TinyGptOptions,
  onLoss: (step: number, loss: number) => void | Promise<void>,
): Promise<TinyGptResult> {
  await setDefaultDevice('webgpu'); // the model, and the batches the sampler makes
  manualSeed(0);
  const tokenizer = nn.text.CharTokenizer.train(text);
  const tokens = Int32Array.from(tokenizer.encode(text));
  const batches = new nn.data.BatchSampler(tokens, { batchSize: o.batch, blockSize: o.block, seed: 1 });
  const model = new nn.GPT({
    vocabSize: tokenizer.vocabSize,
    blockSize: o.block,
    nLayer: o.layers,
    nHead: o.heads,
    nEmbd: o.width,
    positions: 'rope',
    norm: 'rms',
    bias: false,
    seed: 0,
  });
  const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01, betas: [0.9, 0.95] });
  const losses: [number, number][] = [];
  const t0 = performance.now();
  for (let step = 0; step < o.steps; step++) {
    const loss = tidy(() => {
      const { x, y } = batches.next(); // x, y: [batch, block] token ids, y shifted by one
      optimizer.zeroGrad();
      const l = model.loss(x, y); // mean cross-entropy of the next character
      l.backward();
      optimizer.step();
      return l.detach();
    });
    if (step % o.logEvery === 0 || step === o.steps - 1) {
      const value = await loss.item(); // the only wait for the GPU in the loop
      losses.push([step, value]);
      await onLoss(step, value);
    }
    loss.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  model.eval();
  const prompts = ['The ', 'I ', 'We '];
  const out = await model.generate(
    prompts.map((p) => tokenizer.encode(p)),
    {
      maxNewTokens: o.block - 4,
      temperature: 0.8,
      topK: 10,
      stopTokens: [tokenizer.tokenId('\n')],
      seed: 7,
    },
  );
  const samples = prompts.map((p, i) => p + tokenizer.decode(out[i]));
  const parameters = model.parameters().reduce((n, p) => n + p.numel, 0);
  optimizer.dispose();
  model.parameters().forEach((p) => p.dispose());
  return { vocab: tokenizer.vocabSize, parameters, losses, samples, seconds };
}
