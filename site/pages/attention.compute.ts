// The attention walkthrough's computation, shared by the page and the browser test: causal attention by the fused
// kernel and by the unfused tensor-op math (timed, compared); the online softmax replayed on the host for one
// query row; and one decoding step that reads the keys and values from a KV cache.
import { tensor, sync, nn, type Tensor } from '../../index.js';
import { operand } from './matmul.compute.js';

export interface OnlineStep {
  keysSeen: number;
  runningMax: number;
  runningSum: number;
}

export interface AttentionResult {
  shape: number[];
  fusedMs: number;
  unfusedMs: number;
  /** max |fused - unfused| */
  fusedVsUnfused: number;
  online: { steps: OnlineStep[]; maxDiff: number };
  /** max |one cached decoding step - the full causal attention's last row| */
  kvStepVsFull: number;
  /** first 8 outputs of the fused kernel (the browser test compares them with Node's) */
  sample: number[];
}

async function median(reps: number, run: () => Tensor): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const out = run();
    await sync();
    if (r > 0) times.push(performance.now() - t0); // run 0 compiles the pipelines
    out.dispose();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/**
 * The online softmax of one row of scores, `chunk` keys at a time: a running max m and a running sum l of
 * e^(s - m), rescaled by e^(m_old - m_new) whenever the max grows. Returns the steps and the final probabilities.
 */
export function onlineSoftmax(scores: number[], chunk: number): { steps: OnlineStep[]; probs: number[] } {
  let m = -Infinity;
  let l = 0;
  const steps: OnlineStep[] = [];
  for (let start = 0; start < scores.length; start += chunk) {
    for (const s of scores.slice(start, start + chunk)) {
      const mNew = Math.max(m, s);
      l = l * Math.exp(m - mNew) + Math.exp(s - mNew);
      m = mNew;
    }
    steps.push({ keysSeen: Math.min(start + chunk, scores.length), runningMax: m, runningSum: l });
  }
  return { steps, probs: scores.map((s) => Math.exp(s - m) / l) };
}

export async function runAttention(H: number, T: number, D: number, reps: number): Promise<AttentionResult> {
  const shape = [1, H, T, D];
  const n = H * T * D;
  const [qv, kv, vv] = [operand(n, 11), operand(n, 12), operand(n, 13)];
  const [q, k, v] = [qv, kv, vv].map((x) => tensor(x, { shape, device: 'webgpu' }));
  const fused = nn.scaledDotProductAttention(q, k, v, { causal: true });
  const unfused = nn.attentionUnfused(q, k, v, { causal: true });
  const [f, u] = [await fused.data(), await unfused.data()];
  const fusedMs = await median(reps, () => nn.scaledDotProductAttention(q, k, v, { causal: true }));
  const unfusedMs = await median(reps, () => nn.attentionUnfused(q, k, v, { causal: true }));

  // The last query row of head 0 sees every key: its scores q.k / sqrt(D), softmaxed in one pass and online.
  const row = T - 1;
  const scores = Array.from({ length: T }, (_, j) => {
    let s = 0;
    for (let d = 0; d < D; d++) s += qv[row * D + d] * kv[j * D + d];
    return s / Math.sqrt(D);
  });
  const online = onlineSoftmax(scores, 4);
  const top = Math.max(...scores);
  const total = scores.reduce((a, s) => a + Math.exp(s - top), 0);
  const twoPass = scores.map((s) => Math.exp(s - top) / total);

  // Decoding: the first T - 1 keys and values are in the cache; the new token's k, v are appended and its query
  // attends to all T of them (qOffset defaults to S - 1: the query is the last position).
  const cache = new nn.KVCache({ layers: 1, batch: 1, kvHeads: H, headDim: D, device: 'webgpu', capacity: T });
  cache.append(0, k.narrow(2, 0, T - 1), v.narrow(2, 0, T - 1));
  const all = cache.append(0, k.narrow(2, T - 1, 1), v.narrow(2, T - 1, 1));
  const step = nn.scaledDotProductAttention(q.narrow(2, T - 1, 1), all.k, all.v, { causal: true });
  const stepValues = await step.data();
  const lastRows = await fused.narrow(2, T - 1, 1).data();

  const result: AttentionResult = {
    shape,
    fusedMs,
    unfusedMs,
    fusedVsUnfused: maxAbsDiff(f, u),
    online: { steps: online.steps, maxDiff: maxAbsDiff(online.probs, twoPass) },
    kvStepVsFull: maxAbsDiff(stepValues, lastRows),
    sample: [...f.slice(0, 8)],
  };
  for (const t of [q, k, v, fused, unfused, step, all.k, all.v]) t.dispose();
  cache.dispose();
  return result;
}
