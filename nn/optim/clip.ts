// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_). The norm is computed and applied on the
// device, without a readback: grads are scaled by min(1, maxNorm / (total + 1e-6)).
import { Tensor, noGrad, tidy } from '../../core/index.js';

function gradsOf(op: string, params: Iterable<Tensor>): Tensor[] {
  const grads = [...params].flatMap((p) => (p.grad ? [p.grad] : []));
  if (grads.some((g) => g.device !== grads[0].device)) throw new Error(`${op}: gradients are on more than one device`);
  return grads;
}

/**
 * Rescales the gradients in place so that their joint `normType`-norm (2 by default; Infinity for the max) is
 * at most `maxNorm`. Returns the norm before clipping, as a scalar tensor (read it with `await norm.item()`).
 */
export function clipGradNorm_(params: Iterable<Tensor>, maxNorm: number, normType = 2): Tensor {
  if (!(maxNorm >= 0)) throw new Error(`clipGradNorm_: maxNorm must be >= 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new Error(`clipGradNorm_: normType must be positive or Infinity, got ${normType}`);
  const grads = gradsOf('clipGradNorm_', params);
  if (grads.length === 0) throw new Error('clipGradNorm_: no parameter has a gradient');
  return noGrad(() => {
    const total = tidy(() => {
      if (normType === Infinity) return grads.map((g) => g.abs().amax()).reduce((a, b) => a.maximum(b));
      return grads.map((g) => g.abs().pow(normType).sum()).reduce((a, b) => a.add(b)).pow(1 / normType);
    });
    tidy(() => {
      const scale = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
      for (const g of grads) g.mul_(scale);
    });
    return total;
  });
}

/** Clamps every gradient element to [-clipValue, clipValue] in place. */
export function clipGradValue_(params: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new Error(`clipGradValue_: clipValue must be >= 0, got ${clipValue}`);
  noGrad(() => { for (const g of gradsOf('clipGradValue_', params)) g.clamp_(-clipValue, clipValue); });
}
