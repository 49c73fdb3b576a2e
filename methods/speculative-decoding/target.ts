// The target LM (spec §4 "Target") and the target side of one speculative-decoding cycle. The target is an nn.GPT
// with RoPE, RMSNorm and grouped-query attention; a TargetSession owns its KV cache, runs the prefill and the
// tree-masked verification forward, compacts the cache to the accepted path, and returns the features a drafter
// needs for every newly verified position (spec §3 "Client–server": d floats per accepted token).
import { nn, tensor, tidy, noGrad, cat, indexSelect, type Tensor, type DeviceName } from '../../index.js';
import { treeAttentionMask, treeMask, verifyTreeGreedy, type DraftTree } from './tree.js';

export interface TargetConfig {
  vocabSize: number;
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nKvHead: number;
  mlpHidden: number;
  blockSize: number;
  seed?: number;
  device?: DeviceName;
}

/** The small random target of the tests and of `server-main.ts --tiny SEED`: vocabulary 11, 2 layers, width 16. */
export const TINY_TARGET: TargetConfig = {
  vocabSize: 11,
  nLayer: 2,
  nEmbd: 16,
  nHead: 4,
  nKvHead: 2,
  mlpHidden: 32,
  blockSize: 128,
  device: 'cpu',
};

export function createTargetLm(cfg: TargetConfig): nn.GPT {
  return new nn.GPT({ ...cfg, positions: 'rope', norm: 'rms', mlp: 'gelu', bias: false, dropout: 0 });
}

/**
 * Every layer's post-RoPE keys and values of `count` cached positions from `start`, as rows
 * X_t = [K_1(t) ∥ V_1(t); ...; K_L(t) ∥ V_L(t)] of shape [count, L, 2·nKv·dHead] (MoA's LSA input, eq. of §3).
 */
export function cachedLayerRows(cache: nn.KVCache, start: number, count: number): Tensor {
  const perLayer = cache.all().map(({ k, v }) => {
    // [1, Hkv, S, dh] -> [count, Hkv·dh]
    const rows = (t: Tensor) => t.narrow(2, start, count).permute([0, 2, 1, 3]).reshape([count, -1]);
    return cat([rows(k), rows(v)], 1).unsqueeze(1);
  });
  return cat(perLayer, 1);
}

/** The target-side feature of verified positions: final normed states h [N, d] and layer rows [N, L, D] -> [N, f]. */
export type FeatureFn = (final: Tensor, layerRows: Tensor) => Tensor;

export interface VerifyResult {
  /** accepted tree nodes (indices into the tree, root excluded), root to leaf */
  path: number[];
  acceptedTokens: number[];
  bonus: number;
  /** one feature row per newly verified position (the root and the accepted nodes) */
  features: Float32Array[];
}

/** Greedy argmax of every row of logits [N, V] read back as plain numbers. */
async function rowArgmax(logits: Tensor): Promise<number[]> {
  const [N, V] = logits.shape;
  const data = await logits.data();
  return Array.from({ length: N }, (_, i) => nn.argmax(data.subarray(i * V, (i + 1) * V)));
}

async function featureRows(t: Tensor): Promise<Float32Array[]> {
  const [N, f] = t.shape;
  const data = Float32Array.from(await t.data());
  return Array.from({ length: N }, (_, i) => data.slice(i * f, (i + 1) * f));
}

/**
 * The target's state during one generation: the KV cache holds every verified position (all emitted tokens but the
 * last, which is the next cycle's root). `calls` counts verification forwards (the prefill is not counted).
 */
export class TargetSession {
  readonly cache: nn.KVCache;
  calls = 0;

  constructor(
    readonly lm: nn.GPT,
    private readonly featureFn: FeatureFn | null,
    capacity = 256,
  ) {
    this.cache = lm.createCache(1, capacity);
  }

  get device(): DeviceName {
    return this.lm.wte.weight.device;
  }

  private ids(tokens: readonly number[]): Tensor {
    return tensor(Int32Array.from(tokens), { shape: [1, tokens.length], dtype: 'i32', device: this.device });
  }

  private async features(final: Tensor, start: number, count: number): Promise<Float32Array[]> {
    if (!this.featureFn || count === 0) return Array.from({ length: count }, () => new Float32Array(0));
    const f = tidy(() => noGrad(() => this.featureFn!(final, cachedLayerRows(this.cache, start, count))));
    try {
      return await featureRows(f);
    } finally {
      f.dispose();
    }
  }

  /** Caches all prompt tokens but the last (the first root); returns their features. */
  async prefill(prompt: readonly number[]): Promise<Float32Array[]> {
    if (prompt.length < 2)
      throw new Error(`TargetSession.prefill: the prompt needs at least 2 tokens, got ${prompt.length}`);
    const final = tidy(() =>
      noGrad(() => this.lm.forward(this.ids(prompt.slice(0, -1)), { cache: this.cache }).final.squeeze(0)),
    );
    try {
      return await this.features(final, 0, prompt.length - 1);
    } finally {
      final.dispose();
    }
  }

  /** One plain greedy decoding step on `token` (vanilla decoding and the "api" profile). */
  async step(token: number): Promise<number> {
    this.calls++;
    const logits = tidy(() =>
      noGrad(() => this.lm.forward(this.ids([token]), { cache: this.cache }).logits.reshape([1, -1])),
    );
    try {
      return (await rowArgmax(logits))[0];
    } finally {
      logits.dispose();
    }
  }

  /**
   * Scores the root and every tree node in one forward (positions = prefix + depth, tree attention mask), accepts
   * greedily, and compacts the cache to prefix + root + accepted path (spec §3 "Greedy verification").
   */
  async verify(tree: DraftTree): Promise<VerifyResult> {
    this.calls++;
    const prefix = this.cache.length;
    const { depths } = treeMask(tree.parents);
    const out = tidy(() =>
      noGrad(() => {
        const positions = tensor(Int32Array.from(depths.map((d) => prefix + d)), { dtype: 'i32', device: this.device });
        const mask = treeAttentionMask(tree.parents, prefix, this.device);
        const o = this.lm.forward(this.ids(tree.tokens), { cache: this.cache, positions, mask });
        return { logits: o.logits.squeeze(0), final: o.final.squeeze(0) };
      }),
    );
    try {
      const argmaxes = await rowArgmax(out.logits);
      const { path, bonus } = verifyTreeGreedy(argmaxes, tree);
      const kept = [0, ...path];
      this.cache.keep([...Array.from({ length: prefix }, (_, i) => i), ...kept.map((n) => prefix + n)]);
      const final = tidy(() =>
        indexSelect(out.final, 0, tensor(Int32Array.from(kept), { dtype: 'i32', device: this.device })),
      );
      try {
        return {
          path,
          acceptedTokens: path.map((n) => tree.tokens[n]),
          bonus,
          features: await this.features(final, prefix, kept.length),
        };
      } finally {
        final.dispose();
      }
    } finally {
      out.logits.dispose();
      out.final.dispose();
    }
  }

  dispose(): void {
    this.cache.dispose();
  }
}
