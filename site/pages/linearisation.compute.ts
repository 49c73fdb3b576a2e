// The linear-attention conversion page: a GPT of the method's teacher shape (untrained here) has every softmax
// attention replaced by the method's hybrid (sliding-window softmax + Hedgehog linear attention), and ρ, the
// linear branch's share of attention mass over queries i >= W, is measured per layer on recall sequences by the
// method's own evaluate(), in the hybrid with the trainable gate at its initial value and with gamma = lambda = 1.
import { nn } from '../../index.js';
import { convertAttention, setAttentionMode, GATE_INIT } from '../../methods/linearisation/convert.js';
import { FULL } from '../../methods/linearisation/protocol.js';
import { evaluate } from '../../methods/linearisation/evaluate.js';
import { fillerMap, makeBatch, vocabulary } from '../../methods/linearisation/task.js';

export interface LinearShareResult {
  layers: number;
  window: number;
  gate: number;
  /** ρ per layer by mode */
  rho: Record<'hybrid (gate at init)' | 'hybrid (gamma = 1)' | 'swaOnly' | 'laFull', number[]>;
}

export async function linearShares(sequences: number): Promise<LinearShareResult> {
  const { task, teacher, featureDim } = FULL;
  const model = new nn.GPT({
    vocabSize: vocabulary(task).size,
    blockSize: task.seqLen,
    nLayer: teacher.nLayer,
    nHead: teacher.nHead,
    nEmbd: teacher.nEmbd,
    mlpHidden: teacher.mlpHidden,
    seed: 7,
    device: 'webgpu',
  });
  convertAttention(model, { featureDim, window: task.window, seed: 0 });
  const recall = [makeBatch(sequences, 1, task, fillerMap(0), nn.data.seededRandom(1))];
  const rhoOf = async () => (await evaluate(model, { filler: [], recall }, task.window, 'webgpu')).rho;
  setAttentionMode(model, 'hybrid', { useGate: true });
  const gated = await rhoOf();
  setAttentionMode(model, 'hybrid', { useGate: false });
  const ungated = await rhoOf();
  setAttentionMode(model, 'swaOnly');
  const swaOnly = await rhoOf();
  setAttentionMode(model, 'laFull');
  const laFull = await rhoOf();
  model.parameters().forEach((p) => p.dispose());
  return {
    layers: teacher.nLayer,
    window: task.window,
    gate: 1 / (1 + Math.exp(-GATE_INIT)),
    rho: { 'hybrid (gate at init)': gated, 'hybrid (gamma = 1)': ungated, swaOnly, laFull },
  };
}
