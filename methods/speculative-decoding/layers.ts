// The small transformer layers the drafters are made of, beyond nn.Block (a causal pre-norm decoder layer):
// a bidirectional encoder layer (MoA's Layer Self-Attention runs one across the target's layers) and a cross-attention
// layer whose queries and keys/values share one RMSNorm (MoA's CA, spec §3).
import { nn, type Tensor, type DeviceName } from '../../index.js';

export interface LayerSize {
  dim: number;
  heads: number;
  mlpHidden: number;
  device?: DeviceName;
}

/** A causal pre-norm decoder layer (RoPE, RMSNorm, GELU MLP, no biases) as nn.Block builds it. */
export function decoderLayer(s: LayerSize): nn.Block {
  return new nn.Block({
    vocabSize: 1,
    blockSize: 1,
    nLayer: 1,
    nHead: s.heads,
    nEmbd: s.dim,
    mlpHidden: s.mlpHidden,
    positions: 'rope',
    norm: 'rms',
    mlp: 'gelu',
    bias: false,
    device: s.device,
  });
}

/** x += attn(norm(x)) without a causal mask, rotary positions given; x += mlp(norm(x)). Input [B, T, dim]. */
export class EncoderLayer extends nn.Module {
  norm1: nn.RMSNorm;
  attn: nn.MultiHeadAttention;
  norm2: nn.RMSNorm;
  mlp: nn.MLP;

  constructor(s: LayerSize) {
    super();
    this.norm1 = new nn.RMSNorm(s.dim, { device: s.device });
    this.attn = new nn.MultiHeadAttention({
      dModel: s.dim,
      nHeads: s.heads,
      causal: false,
      rope: true,
      device: s.device,
    });
    this.norm2 = new nn.RMSNorm(s.dim, { device: s.device });
    this.mlp = new nn.MLP(s.dim, { hidden: s.mlpHidden, bias: false, device: s.device });
  }

  forward(x: Tensor, positions?: Tensor): Tensor {
    const h = x.add(this.attn.forwardWithKV(this.norm1.forward(x), { positions }).y);
    return h.add(this.mlp.forward(this.norm2.forward(h)));
  }
}

/** x += attn(norm(x), context = norm(c), mask); x += mlp(norm2(x)). One RMSNorm for both streams, no rotary. */
export class CrossAttentionLayer extends nn.Module {
  norm: nn.RMSNorm;
  attn: nn.MultiHeadAttention;
  norm2: nn.RMSNorm;
  mlp: nn.MLP;

  constructor(s: LayerSize) {
    super();
    this.norm = new nn.RMSNorm(s.dim, { device: s.device });
    this.attn = new nn.MultiHeadAttention({ dModel: s.dim, nHeads: s.heads, causal: false, device: s.device });
    this.norm2 = new nn.RMSNorm(s.dim, { device: s.device });
    this.mlp = new nn.MLP(s.dim, { hidden: s.mlpHidden, bias: false, device: s.device });
  }

  /** x [B, T, dim] queries, c [B, S, dim] keys/values, mask additive [B, 1, T, S]. */
  forward(x: Tensor, c: Tensor, mask: Tensor): Tensor {
    const h = x.add(this.attn.forwardWithKV(this.norm.forward(x), { context: this.norm.forward(c), mask }).y);
    return h.add(this.mlp.forward(this.norm2.forward(h)));
  }
}
