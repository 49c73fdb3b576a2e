// Feature maps φ for the linear branch, per head, with a learnable projection U ∈ R^{d×F} (separate maps for
// queries and keys). Hedgehog (Zhang et al. 2024, eq. 5; LoLCATs): φ(x) = max(1e-12, [softmax(xU) ∥ softmax(−xU)]),
// 2F features. For comparison, elu+1 (Katharopoulos et al. 2020) and relu applied to xU, F features.
import { nn, randn, tensor, tidy, type Tensor, type DeviceName } from '../../index.js';

export type FeatureMapKind = 'hedgehog' | 'elu' | 'relu';

export interface FeatureMapOptions {
  heads: number;
  headDim: number;
  featureDim: number;
  kind?: FeatureMapKind;
  device?: DeviceName;
  /** seed of U's initialisation */
  seed?: number;
}

/** Floor of the Hedgehog features, so that φ(q)·φ(k) > 0 (spec §8 "clamp φ"). */
export const FEATURE_FLOOR = 1e-12;

export class FeatureMap extends nn.Module {
  readonly kind: FeatureMapKind;
  readonly featureDim: number;
  /** U per head, [H, d, F] */
  weight: nn.Parameter;

  constructor(opts: FeatureMapOptions) {
    super();
    this.kind = opts.kind ?? 'hedgehog';
    this.featureDim = opts.featureDim;
    const init = tidy(() => randn([opts.heads, opts.headDim, opts.featureDim], { device: opts.device, seed: opts.seed })
      .mul(1 / Math.sqrt(opts.headDim)));
    this.weight = new nn.Parameter(init);
    init.dispose();
  }

  /** Number of features φ produces: 2F for Hedgehog, F otherwise. */
  get outDim(): number {
    return this.kind === 'hedgehog' ? 2 * this.featureDim : this.featureDim;
  }

  /** x: [B, H, T, d] → φ(x): [B, H, T, outDim]. */
  forward(x: Tensor): Tensor {
    const z = x.matmul(this.weight);
    if (this.kind === 'elu') return z.elu().add(1);
    if (this.kind === 'relu') return z.relu();
    // [xU ; −xU] as a size-2 axis, a softmax over F on each, then the two halves side by side
    const signs = tensor([[1], [-1]], { device: x.device, dtype: x.dtype });
    return z.unsqueeze(-2).mul(signs).softmax(-1).clamp(FEATURE_FLOOR).flatten(-2);
  }
}

export const hedgehogFeatureMap = (opts: Omit<FeatureMapOptions, 'kind'>): FeatureMap => new FeatureMap({ ...opts, kind: 'hedgehog' });
