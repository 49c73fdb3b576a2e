// The NAP transformer neural process (spec §3; official code: HEBO/NAP policies/transformer.py):
//   history tokens  h_i = W_x x_i + W_y y_i   (i < t, the filled slots of S)
//   query tokens    q_j = W_x x_j             (every pool candidate)
// through a post-norm GELU encoder under the mask "i attends to j iff j < t or j = i" (mask.ts), then per query
//   NP head:           bucket logits (bar distribution, bar.ts)
//   acquisition head:  α_j = MLP([softmax(bucket logits_j), W_x x_j, y*, t/T]) / temperature
//   value head:        V = Linear(tanh(Linear([y*, t/T])))
// Split attention: the mask lets history keys/values be computed once per layer; each query scores the history
// keys plus its own key (t + 1 of them), so a forward costs O(S² + N·S) rather than O((S + N)²).
import { cat, nn, tensor, type Tensor } from '../../index.js';
import { buildAttentionMask, MASKED } from './mask.js';

export interface NapConfig {
  /** input dimension d */
  dim: number;
  /** embedding size E (paper 512; small scale 32) */
  embed: number;
  layers: number;
  heads: number;
  /** encoder feed-forward and NP-head hidden width (paper 1024; small scale 64) */
  feedForward: number;
  /** bar-distribution buckets K (paper 1000; small scale 64) */
  buckets: number;
  /** acquisition MLP hidden widths (paper [200, 200, 200]; small scale [64, 64]) */
  acqHidden: number[];
  /** logits = α / temperature (0.1) */
  temperature: number;
  /** stop gradients from the acquisition head into the bucket probabilities and x-embeddings */
  detachBuckets: boolean;
  device: 'cpu' | 'webgpu';
}

/** The small-scale size every experiment and benchmark of this folder uses (spec §5, the paper's sizes beside each field). */
export const SMALL_SCALE: Omit<NapConfig, 'dim' | 'detachBuckets' | 'device'> = {
  embed: 32,
  layers: 2,
  heads: 4,
  feedForward: 64,
  buckets: 64,
  acqHidden: [64, 64],
  temperature: 0.1,
};

/** A batch of B decision states on the host, all padded to S history slots over pools of N candidates. */
export interface NapInputs {
  batch: number;
  slots: number;
  pool: number;
  /** [B, S, d] history inputs (rows at or past `filled[b]` are padding, never read) */
  histX: Float32Array;
  /** [B, S] history outputs */
  histY: Float32Array;
  /** number of filled history slots t per row (≥ 1) */
  filled: Int32Array;
  /** [B, N, d] candidate inputs */
  queryX: Float32Array;
  /** [B, 2]: (y*, t/T) per row */
  state: Float32Array;
}

export interface NapOutput {
  /** [B, N] acquisition logits (already divided by the temperature) */
  acqLogits: Tensor;
  /** [B, N, K] bar-distribution logits of y at each candidate */
  bucketLogits: Tensor;
  /** [B] state values */
  value: Tensor;
}

/** Linear layer with the official initialisation N(0, 0.01²) weights and zero bias. */
function linear(inF: number, outF: number, device: NapConfig['device']): nn.Linear {
  const l = new nn.Linear(inF, outF, { device, dtype: 'f32' });
  nn.init.normal_(l.weight, 0, 0.01);
  if (l.bias) nn.init.zeros_(l.bias);
  return l;
}

/** One post-norm encoder layer (torch TransformerEncoderLayer, norm_first = False, GELU, dropout 0). */
export class NapEncoderLayer extends nn.Module {
  q: nn.Linear;
  k: nn.Linear;
  v: nn.Linear;
  o: nn.Linear;
  norm1: nn.LayerNorm;
  norm2: nn.LayerNorm;
  ff1: nn.Linear;
  ff2: nn.Linear;
  gelu = new nn.GELU();

  constructor(private readonly cfg: NapConfig) {
    super();
    const { embed: E, feedForward: F, device } = cfg;
    if (E % cfg.heads !== 0) throw new Error(`NapEncoderLayer: embed ${E} must be divisible by heads ${cfg.heads}`);
    [this.q, this.k, this.v, this.o] = [0, 1, 2, 3].map(() => linear(E, E, device));
    this.norm1 = new nn.LayerNorm(E, { device, dtype: 'f32' });
    this.norm2 = new nn.LayerNorm(E, { device, dtype: 'f32' });
    this.ff1 = linear(E, F, device);
    this.ff2 = linear(F, E, device);
  }

  /** [B, L, E] → [B, heads, L, E / heads] */
  splitHeads(x: Tensor): Tensor {
    const [B, L, E] = x.shape;
    return x.reshape([B, L, this.cfg.heads, E / this.cfg.heads]).transpose(1, 2);
  }

  mergeHeads(x: Tensor): Tensor {
    const [B, H, L, D] = x.shape;
    return x.transpose(1, 2).reshape([B, L, H * D]);
  }

  /** Residual + norm, then feed-forward + residual + norm (post-norm). */
  finish(x: Tensor, attended: Tensor): Tensor {
    const h = this.norm1.forward(x.add(this.o.forward(attended)));
    return this.norm2.forward(h.add(this.ff2.forward(this.gelu.forward(this.ff1.forward(h)))));
  }

  /**
   * hist [B, S, E], queries [B, N, E]; histBias [B, 1, S, S] and keyBias [B, 1, 1, S] are the additive masks of
   * the history block and of the query→history block. Returns the new [hist, queries].
   */
  forward(hist: Tensor, queries: Tensor, histBias: Tensor, keyBias: Tensor): [Tensor, Tensor] {
    const scale = 1 / Math.sqrt(this.cfg.embed / this.cfg.heads);
    const [qh, kh, vh] = [this.q, this.k, this.v].map((p) => this.splitHeads(p.forward(hist)));
    const [qq, kq, vq] = [this.q, this.k, this.v].map((p) => this.splitHeads(p.forward(queries)));
    const S = hist.shape[1];
    const khT = kh.transpose(-2, -1);
    // history: full attention among the filled slots (order-invariant)
    const attHist = qh.matmul(khT).mul(scale).add(histBias).softmax(-1).matmul(vh);
    // queries: the t history keys plus the query's own key
    const toHist = qq.matmul(khT).mul(scale).add(keyBias); // [B, H, N, S]
    const toSelf = qq.mul(kq).sum(-1, true).mul(scale); // [B, H, N, 1]
    const w = cat([toHist, toSelf], -1).softmax(-1);
    const attQuery = w
      .narrow(-1, 0, S)
      .matmul(vh)
      .add(w.narrow(-1, S, 1).mul(vq));
    return [this.finish(hist, this.mergeHeads(attHist)), this.finish(queries, this.mergeHeads(attQuery))];
  }
}

export class NapModel extends nn.Module {
  xEncoder: nn.Linear;
  yEncoder: nn.Linear;
  layers: nn.ModuleList;
  bucketHead: nn.Sequential;
  acqHead: nn.Sequential;
  valueHead: nn.Sequential;

  constructor(readonly cfg: NapConfig) {
    super();
    const { dim, embed: E, feedForward: F, buckets: K, device } = cfg;
    this.xEncoder = linear(dim, E, device);
    this.yEncoder = linear(1, E, device);
    this.layers = new nn.ModuleList(Array.from({ length: cfg.layers }, () => new NapEncoderLayer(cfg)));
    this.bucketHead = new nn.Sequential(linear(E, F, device), new nn.GELU(), linear(F, K, device));
    const widths = [K + E + 2, ...cfg.acqHidden];
    const acq: (nn.Linear | nn.ReLU)[] = [];
    // torch's default init here, not N(0, 0.01): through three 0.01-scaled layers the logits start near 1e-7 and
    // the policy stayed exactly uniform over its top-5 for our short budget (README, deviations)
    const dense = (i: number, o: number) => new nn.Linear(i, o, { device, dtype: 'f32' });
    for (let i = 0; i + 1 < widths.length; i++) acq.push(dense(widths[i], widths[i + 1]), new nn.ReLU());
    this.acqHead = new nn.Sequential(...acq, dense(widths[widths.length - 1], 1));
    this.valueHead = new nn.Sequential(linear(2, E, device), new nn.Tanh(), linear(E, 1, device));
  }

  forward(inp: NapInputs): NapOutput {
    const { batch: B, slots: S, pool: N } = inp;
    const { dim: d, device } = this.cfg;
    const f32 = (data: Float32Array, shape: number[]) => tensor(data, { shape, device, dtype: 'f32' });
    const xHist = this.xEncoder.forward(f32(inp.histX, [B, S, d]));
    let hist = xHist.add(this.yEncoder.forward(f32(inp.histY, [B, S, 1])));
    const xQuery = this.xEncoder.forward(f32(inp.queryX, [B, N, d]));
    let queries = xQuery;
    const { histBias, keyBias } = maskBiases(inp.filled, S);
    const hb = f32(histBias, [B, 1, S, S]);
    const kb = f32(keyBias, [B, 1, 1, S]);
    for (const layer of this.layers.children() as NapEncoderLayer[])
      [hist, queries] = layer.forward(hist, queries, hb, kb);
    const bucketLogits = this.bucketHead.forward(queries) as Tensor;
    const stateT = f32(inp.state, [B, 2]);
    let probs = bucketLogits.softmax(-1);
    let xEmb = xQuery;
    if (this.cfg.detachBuckets) [probs, xEmb] = [probs.detach(), xEmb.detach()];
    const acqIn = cat([probs, xEmb, stateT.unsqueeze(1).expand([B, N, 2])], -1);
    const acqLogits = (this.acqHead.forward(acqIn) as Tensor).squeeze(-1).div(this.cfg.temperature);
    const value = (this.valueHead.forward(stateT) as Tensor).squeeze(-1);
    return { acqLogits, bucketLogits, value };
  }
}

/** The additive biases of the history block and the query→history block, from buildAttentionMask per row. */
export function maskBiases(filled: Int32Array, slots: number): { histBias: Float32Array; keyBias: Float32Array } {
  const B = filled.length;
  const histBias = new Float32Array(B * slots * slots);
  const keyBias = new Float32Array(B * slots);
  const size = slots + 1;
  for (let b = 0; b < B; b++) {
    if (!(filled[b] >= 1))
      throw new Error(`NapModel: every row needs at least one history point, row ${b} has ${filled[b]}`);
    const mask = buildAttentionMask(slots, 1, filled[b]); // one query stands for all: each sees the history + itself
    for (let i = 0; i < slots; i++)
      for (let j = 0; j < slots; j++) histBias[(b * slots + i) * slots + j] = mask[i * size + j] ? 0 : MASKED;
    for (let j = 0; j < slots; j++) keyBias[b * slots + j] = mask[slots * size + j] ? 0 : MASKED;
  }
  return { histBias, keyBias };
}
