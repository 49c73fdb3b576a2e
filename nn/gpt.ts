// A nanoGPT-style decoder-only transformer: token embeddings (+ learned position embeddings, or RoPE inside
// attention), pre-norm blocks x += attn(norm(x)); x += mlp(norm(x)), a final norm and a head tied to the token
// embeddings. `forward` can return every layer's hidden state and K/V (speculative decoding and latent-space
// methods read them); `generate` decodes a batch of prompts with greedy / temperature / top-k / top-p sampling,
// stop tokens and a KV cache.
import { Tensor, tidy, noGrad, type DeviceName, type DType } from '../core/index.js';
import { tensor, arange, crossEntropy, linear } from '../ops/index.js';
import { Module } from './module.js';
import { Embedding } from './layers/embedding.js';
import { LayerNorm, RMSNorm } from './layers/normalization.js';
import { MLP } from './layers/mlp.js';
import { Dropout } from './layers/dropout.js';
import { ModuleList } from './layers/containers.js';
import { normal_, zeros_ } from './init.js';
import { MultiHeadAttention, type AttentionKind } from './attention/multi-head.js';
import { KVCache } from './kv-cache.js';
import { sampleToken } from './sampling.js';
import { seededRandom } from './data/seeded-random.js';

export interface GPTConfig {
  vocabSize: number;
  /** longest sequence (the size of the learned position table) */
  blockSize: number;
  nLayer: number;
  nHead: number;
  /** key/value heads (grouped-query attention); default nHead */
  nKvHead?: number;
  nEmbd: number;
  /** MLP hidden width; default 4 nEmbd (gelu) */
  mlpHidden?: number;
  mlp?: 'gelu' | 'swiglu';
  norm?: 'layer' | 'rms';
  /** 'learned' position embeddings (GPT-2) or 'rope' (rotary, in attention); default 'learned' */
  positions?: 'learned' | 'rope';
  /** sliding attention window (0: full causal) */
  window?: number;
  attention?: AttentionKind;
  bias?: boolean;
  dropout?: number;
  /** seed of the N(0, 0.02) initialisation */
  seed?: number;
  device?: DeviceName;
  dtype?: DType;
}

export interface GPTForwardOptions {
  cache?: KVCache;
  /** positions of the tokens, i32 [T] or [B, T]; default cache length + 0..T-1 */
  positions?: Tensor;
  /** additive attention mask broadcastable to [B, H, T, S] (e.g. a tree mask, or hiding left padding) */
  mask?: Tensor;
  /** also return the input of every block and the last block's output (nLayer + 1 tensors) */
  hidden?: boolean;
  /** also return every layer's post-RoPE keys and values */
  kv?: boolean;
}

export type GPTOutput = {
  logits: Tensor;
  /** the final normed state (what the head reads) [B, T, nEmbd] */
  final: Tensor;
  hidden?: Tensor[];
  kv?: { k: Tensor; v: Tensor }[];
  /** hybrid attention: per layer, each query's share of attention mass in the linear branch */
  linearShare?: Tensor[];
};

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 or greedy: take the argmax */
  temperature?: number;
  greedy?: boolean;
  topK?: number;
  topP?: number;
  /** generation of a sequence ends at any of these (the stop token is not returned) */
  stopTokens?: number[];
  /** default true */
  useCache?: boolean;
  seed?: number;
}

type Norm = LayerNorm | RMSNorm;

export class Block extends Module {
  norm1: Norm;
  attn: MultiHeadAttention;
  norm2: Norm;
  mlp: MLP;
  dropout: Dropout;

  constructor(c: GPTConfig) {
    super();
    const layer = { device: c.device, dtype: c.dtype };
    const norm = () => (c.norm === 'rms' ? new RMSNorm(c.nEmbd, layer) : new LayerNorm(c.nEmbd, { ...layer, bias: c.bias ?? true }));
    this.norm1 = norm();
    this.attn = new MultiHeadAttention({
      dModel: c.nEmbd, nHeads: c.nHead, nKvHeads: c.nKvHead, bias: c.bias ?? true, rope: c.positions === 'rope',
      window: c.window, kind: c.attention, ...layer,
    });
    this.norm2 = norm();
    this.mlp = new MLP(c.nEmbd, { activation: c.mlp ?? 'gelu', hidden: c.mlpHidden, bias: c.bias ?? true, dropout: c.dropout, ...layer });
    this.dropout = new Dropout(c.dropout ?? 0);
  }

  forwardWithKV(x: Tensor, opts: GPTForwardOptions & { layer: number }) {
    const a = this.attn.forwardWithKV(this.norm1.forward(x), { cache: opts.cache, layer: opts.layer, positions: opts.positions, mask: opts.mask });
    const h = x.add(this.dropout.forward(a.y));
    return { x: h.add(this.mlp.forward(this.norm2.forward(h))), k: a.k, v: a.v, linearShare: a.linearShare };
  }

  forward(x: Tensor): Tensor {
    return this.forwardWithKV(x, { layer: 0 }).x;
  }
}

export class GPT extends Module {
  readonly config: GPTConfig;
  wte: Embedding;
  wpe: Embedding | null;
  dropout: Dropout;
  blocks: ModuleList<Block>;
  normF: Norm;

  constructor(config: GPTConfig) {
    super();
    this.config = { ...config };
    const c = this.config;
    const layer = { device: c.device, dtype: c.dtype };
    this.wte = new Embedding(c.vocabSize, c.nEmbd, layer);
    this.wpe = (c.positions ?? 'learned') === 'learned' ? new Embedding(c.blockSize, c.nEmbd, layer) : null;
    this.dropout = new Dropout(c.dropout ?? 0);
    this.blocks = new ModuleList(Array.from({ length: c.nLayer }, () => new Block(c)));
    this.normF = c.norm === 'rms' ? new RMSNorm(c.nEmbd, layer) : new LayerNorm(c.nEmbd, { ...layer, bias: c.bias ?? true });
    this.initWeights(c.seed ?? 0);
  }

  /**
   * GPT-2's initialisation, seeded so that a config gives the same model on every device: weights N(0, 0.02),
   * residual output projections N(0, 0.02 / sqrt(2 nLayer)), biases 0, norm scales 1. Each weight draws from the
   * seed of its position in the parameter list; the fused qkv projection's q, k and v rows draw from the positions
   * separate q, k, v projections (weight and bias each) had, so models are the same numbers as before the fusion.
   */
  private initWeights(seed: number): void {
    const residual = 0.02 / Math.sqrt(2 * this.config.nLayer);
    let i = 0; // the parameter's position in the unfused layout
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('bias')) zeros_(p);
      if (name.endsWith('qkvProj.weight')) {
        const attn = this.blocks.at(0).attn;
        const stride = attn.qkvProj.bias ? 2 : 1;
        const rows = [attn.nHeads, attn.nKvHeads, attn.nKvHeads].map((h) => h * attn.headDim);
        noGrad(() => rows.reduce((start, n, j) => {
          const block = p.narrow(0, start, n);
          normal_(block, 0, 0.02, { seed: seed * 1000 + i + j * stride });
          block.dispose();
          return start + n;
        }, 0));
        i += 2 * stride; // with the bias that follows (stride 2), 3 * stride positions in all
      } else if (p.ndim >= 2 && !name.includes('featureMap')) {
        normal_(p, 0, /(oProj|proj)\.weight$/.test(name) ? residual : 0.02, { seed: seed * 1000 + i });
      }
      i++;
    }
  }

  forward(idx: Tensor, opts: GPTForwardOptions = {}): GPTOutput {
    const [B, T] = idx.shape;
    const past = opts.cache?.length ?? 0;
    if (this.wpe && past + T > this.config.blockSize && !opts.positions) {
      throw new Error(`GPT: ${past + T} positions exceed blockSize ${this.config.blockSize} of the learned position table`);
    }
    const positions = opts.positions ?? arange(past, past + T, 1, { dtype: 'i32', device: idx.device });
    let x = this.wte.forward(idx);
    if (this.wpe) x = x.add(this.wpe.forward(positions));
    x = this.dropout.forward(x);
    const hidden: Tensor[] = [];
    const kv: { k: Tensor; v: Tensor }[] = [];
    const linearShare: Tensor[] = [];
    for (let l = 0; l < this.blocks.length; l++) {
      if (opts.hidden) hidden.push(x);
      const out = this.blocks.at(l).forwardWithKV(x, { ...opts, positions, layer: l });
      x = out.x;
      if (opts.kv) kv.push({ k: out.k, v: out.v });
      if (out.linearShare) linearShare.push(out.linearShare);
    }
    if (opts.hidden) hidden.push(x);
    const final = this.normF.forward(x);
    // one [B T, nEmbd] matmul: batched, the tied weight's gradient would be a matmul per sequence and then a sum
    const logits = linear(final.reshape([B * T, this.config.nEmbd]), this.wte.weight);
    return {
      logits: logits.reshape([B, T, this.config.vocabSize]), final,
      ...(opts.hidden ? { hidden } : {}), ...(opts.kv ? { kv } : {}), ...(linearShare.length ? { linearShare } : {}),
    };
  }

  /** Mean next-token cross-entropy of targets [B, T] (i32) given inputs idx [B, T]. */
  loss(idx: Tensor, targets: Tensor): Tensor {
    const { logits } = this.forward(idx);
    return crossEntropy(logits.reshape([-1, this.config.vocabSize]), targets.reshape([-1]));
  }

  /** A KV cache shaped for this model. */
  createCache(batch: number, capacity = this.config.blockSize): KVCache {
    const attn = this.blocks.at(0).attn;
    return new KVCache({ layers: this.config.nLayer, batch, kvHeads: attn.nKvHeads, headDim: attn.headDim, capacity, device: this.wte.weight.device, dtype: this.wte.weight.dtype });
  }

  /**
   * Continues each prompt by up to maxNewTokens tokens. Prompts of different lengths are left-padded; the padding
   * is hidden by an attention mask and positions count from each prompt's first real token.
   */
  async generate(prompts: number[][], opts: GenerateOptions): Promise<number[][]> {
    if (!prompts.length || prompts.some((p) => p.length === 0)) throw new Error('GPT.generate: every prompt needs at least one token');
    const B = prompts.length;
    const longest = Math.max(...prompts.map((p) => p.length));
    const pad = prompts.map((p) => longest - p.length);
    const useCache = opts.useCache ?? true;
    if (useCache && this.config.attention && this.config.attention !== 'softmax') {
      throw new Error(`GPT.generate: the KV cache serves softmax attention; pass useCache: false for ${this.config.attention} attention`);
    }
    if (useCache && longest + opts.maxNewTokens > this.config.blockSize) {
      throw new Error(`GPT.generate: ${longest} prompt + ${opts.maxNewTokens} new tokens exceed blockSize ${this.config.blockSize} (pass useCache: false to slide the context)`);
    }
    const device = this.wte.weight.device;
    const rows = prompts.map((p, b) => [...new Array(pad[b]).fill(0), ...p]);
    const out: number[][] = prompts.map(() => []);
    const done = new Array(B).fill(false);
    const random = seededRandom(opts.seed ?? 0);
    const cache = useCache ? this.createCache(B, longest + opts.maxNewTokens) : null;
    const padded = pad.some((n) => n > 0);
    try {
      for (let step = 0; step < opts.maxNewTokens && done.includes(false); step++) {
        // the tokens to run: the whole (cropped) rows without a cache, else the prompt once and then one token
        const start = cache ? (step === 0 ? 0 : rows[0].length - 1) : Math.max(0, rows[0].length - this.config.blockSize);
        const end = rows[0].length;
        const last = tidy(() => noGrad(() => {
          const idx = tensor(Int32Array.from(rows.flatMap((r) => r.slice(start, end))), { shape: [B, end - start], dtype: 'i32', device });
          const keyStart = cache ? 0 : start;
          const positions = padded ? positionsOf(pad, keyStart, start, end, device) : undefined;
          const mask = padded ? paddingMask(pad, keyStart, start, end, device) : undefined;
          const { logits } = this.forward(idx, { cache: cache ?? undefined, positions, mask });
          return logits.select(1, -1);
        }));
        const flat = await last.data();
        last.dispose();
        const V = this.config.vocabSize;
        rows.forEach((row, b) => {
          const token = sampleToken(flat.subarray(b * V, (b + 1) * V), { ...opts, random });
          row.push(done[b] ? row[row.length - 1] : token);
          if (done[b]) return;
          if (opts.stopTokens?.includes(token)) done[b] = true;
          else out[b].push(token);
        });
      }
    } finally {
      cache?.dispose();
    }
    return out;
  }
}

/** Positions of columns [start, end) of left-padded rows, counting from each row's first real token in view. */
function positionsOf(pad: number[], keyStart: number, start: number, end: number, device: DeviceName): Tensor {
  const values = pad.flatMap((p) => Array.from({ length: end - start }, (_, t) => Math.max(0, start + t - Math.max(p, keyStart))));
  return tensor(Int32Array.from(values), { shape: [pad.length, end - start], dtype: 'i32', device });
}

/** Additive mask [B, 1, T, S] hiding each row's padding columns (keys from keyStart to end). */
function paddingMask(pad: number[], keyStart: number, start: number, end: number, device: DeviceName): Tensor {
  const [T, S] = [end - start, end - keyStart];
  const values = new Float32Array(pad.length * T * S);
  pad.forEach((p, b) => {
    for (let i = 0; i < T; i++) for (let j = 0; j < S; j++) if (keyStart + j < p) values[(b * T + i) * S + j] = -Infinity;
  });
  return tensor(values, { shape: [pad.length, 1, T, S], device });
}
