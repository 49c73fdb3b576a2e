// Preference losses on the implicit reward margin h (Rafailov et al. 2023; Azar et al. 2023), as tensors.
//   h = [log πθ(y_w|x) − log πref(y_w|x)] − [log πθ(y_l|x) − log πref(y_l|x)]
//   DPO: ℓ = −log σ(βh)        IPO: ℓ = (h − 1/(2β))²
import { sigmoid, softplus, type Tensor } from '../../index.js';

export type PreferenceLoss = 'dpo' | 'ipo';

/** The margin h from the four sequence log-probabilities (the reference ones are constants). */
export function preferenceMargin(policyChosen: Tensor, policyRejected: Tensor, refChosen: Tensor, refRejected: Tensor): Tensor {
  return policyChosen.sub(refChosen).sub(policyRejected.sub(refRejected));
}

/** DPO, elementwise: −log σ(βh) = softplus(−βh), which stays finite for large |βh|. */
export function dpoLoss(h: Tensor, beta: number): Tensor {
  return softplus(h.mul(-beta));
}

/** IPO, elementwise: (h − 1/(2β))², the squared distance of the margin to its target 1/(2β). */
export function ipoLoss(h: Tensor, beta: number): Tensor {
  return h.sub(1 / (2 * beta)).square();
}

export function preferenceLoss(kind: PreferenceLoss, h: Tensor, beta: number): Tensor {
  return kind === 'dpo' ? dpoLoss(h, beta) : ipoLoss(h, beta);
}

/**
 * dℓ/dh, elementwise: −β·σ(−βh) for DPO, 2(h − 1/(2β)) for IPO. The log-linear bandit trainer steps with these
 * analytic slopes, as the paper's bandit code does (a test checks them against autograd).
 */
export function preferenceLossSlope(kind: PreferenceLoss, h: Tensor, beta: number): Tensor {
  return kind === 'dpo' ? sigmoid(h.mul(-beta)).mul(-beta) : h.sub(1 / (2 * beta)).mul(2);
}
