// The frozen base LM of spec §5: a GPT (2 layers, width 64, 4 heads) trained by next-token prediction on world
// samples from training prompts (loss on the continuation, up to and including EOS).
import { nn, optim, tidy, crossEntropy, tensor, type DeviceName } from '../../index.js';
import { VOCAB, PROMPT_LEN, MAX_CONTINUATION, EOS, TOPICS, samplePrompt, sampleContinuation } from './world.js';

export const LM_SIZE = { nLayer: 2, nEmbd: 64, nHead: 4 };
const IGNORE = -100;

export function createLm(seed: number, device: DeviceName): nn.GPT {
  return new nn.GPT({
    vocabSize: VOCAB,
    blockSize: PROMPT_LEN + MAX_CONTINUATION + 3,
    ...LM_SIZE,
    dropout: 0,
    seed,
    device,
  });
}

/** World samples: [prompt, continuation] pairs from training prompts, topics uniform. */
export function worldSamples(count: number, random: () => number): { prompt: number[]; continuation: number[] }[] {
  return Array.from({ length: count }, () => {
    const prompt = samplePrompt(Math.floor(random() * TOPICS), 'train', random);
    return { prompt, continuation: sampleContinuation(prompt, random) };
  });
}

export async function trainLm(
  lm: nn.GPT,
  data: { prompt: number[]; continuation: number[] }[],
  opts: { steps: number; batch: number; lr: number; seed: number },
  onStep?: (step: number, loss: number) => void,
): Promise<void> {
  const random = nn.data.seededRandom(opts.seed);
  const L = PROMPT_LEN + MAX_CONTINUATION;
  const adam = new optim.Adam(lm.parameters(), { lr: opts.lr });
  const device = lm.wte.weight.device;
  for (let step = 1; step <= opts.steps; step++) {
    const batch = Array.from({ length: opts.batch }, () => data[Math.floor(random() * data.length)]);
    // inputs: the whole sequence padded with EOS; targets: the next token, ignored inside the prompt and after the end
    const seqs = batch.map((e) => [
      ...e.prompt,
      ...e.continuation,
      ...new Array(L - e.prompt.length - e.continuation.length).fill(EOS),
    ]);
    const targets = batch.flatMap((e, b) =>
      seqs[b]
        .slice(1)
        .map((tok, t) => (t + 1 >= e.prompt.length && t + 1 < e.prompt.length + e.continuation.length ? tok : IGNORE)),
    );
    const loss = tidy(() => {
      adam.zeroGrad();
      const idx = tensor(Int32Array.from(seqs.flatMap((s) => s.slice(0, -1))), {
        shape: [batch.length, L - 1],
        dtype: 'i32',
        device,
      });
      const { logits } = lm.forward(idx);
      const l = crossEntropy(logits.reshape([-1, VOCAB]), tensor(Int32Array.from(targets), { dtype: 'i32', device }), {
        ignoreIndex: IGNORE,
      });
      l.backward();
      adam.step();
      return l;
    });
    if (onStep && (step % 25 === 0 || step === opts.steps)) onStep(step, await loss.item());
    loss.dispose();
  }
  adam.zeroGrad();
  adam.dispose();
}
