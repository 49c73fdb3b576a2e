// The two GPTs of spec §5 and their supervised fine-tuning: the teacher (2 layers, width 64, 4 heads) learns the
// addition format from the buggy SFT data; the student (2 layers, width 32, 2 heads) is warm-started on the
// teacher's own T = 1 samples, so it inherits the bug.
import { nn, optim, tidy, crossEntropy, tensor, type DeviceName } from '../../index.js';
import { responseLogits } from '../shared/lm-rl/index.js';
import { VOCAB, PROMPT_LEN, MAX_RESPONSE, PAD, EOS } from './task.js';

export interface ModelSize {
  nLayer: number;
  nEmbd: number;
  nHead: number;
}
export const TEACHER_SIZE: ModelSize = { nLayer: 2, nEmbd: 64, nHead: 4 };
export const STUDENT_SIZE: ModelSize = { nLayer: 2, nEmbd: 32, nHead: 2 };

export function createModel(size: ModelSize, seed: number, device: DeviceName): nn.GPT {
  return new nn.GPT({ vocabSize: VOCAB, blockSize: PROMPT_LEN + MAX_RESPONSE, ...size, dropout: 0, seed, device });
}

/** A fresh model with the same config and a copy of the weights. */
export function cloneModel(model: nn.GPT): nn.GPT {
  const copy = new nn.GPT(model.config);
  copy.loadStateDict(model.stateDict());
  return copy;
}

/** A response padded to MAX_RESPONSE with PAD after its EOS. */
export function padResponse(response: readonly number[]): number[] {
  if (response.length > MAX_RESPONSE) throw new Error(`padResponse: ${response.length} tokens exceed ${MAX_RESPONSE}`);
  return [...response, ...new Array(MAX_RESPONSE - response.length).fill(PAD)];
}

const IGNORE = -100;

/**
 * Teacher-forced SFT: Adam on the mean cross-entropy of response tokens up to and including EOS (the prompt and
 * the padding after EOS are ignored). `batchAt(step)` returns prompts [B][P] and padded responses [B][R].
 */
export async function sft(
  model: nn.GPT,
  batchAt: (step: number) => { prompts: number[][]; responses: number[][] },
  opts: { steps: number; lr: number; onStep?: (step: number, loss: number) => void },
): Promise<void> {
  const opt = new optim.Adam(model.parameters(), { lr: opts.lr });
  for (let step = 1; step <= opts.steps; step++) {
    const { prompts, responses } = batchAt(step);
    const targets = responses.flatMap((r) => {
      const end = r.indexOf(EOS);
      return r.map((tok, t) => (end < 0 || t <= end ? tok : IGNORE));
    });
    const loss = tidy(() => {
      opt.zeroGrad();
      const logits = responseLogits(model, prompts, responses);
      const l = crossEntropy(
        logits.reshape([-1, VOCAB]),
        tensor(Int32Array.from(targets), { dtype: 'i32', device: logits.device }),
        { ignoreIndex: IGNORE },
      );
      l.backward();
      opt.step();
      return l;
    });
    if (opts.onStep && (step % 50 === 0 || step === opts.steps)) opts.onStep(step, await loss.item());
    loss.dispose();
  }
  opt.zeroGrad();
  opt.dispose();
}
