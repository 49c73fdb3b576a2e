// Adam on a plain Float64Array of hyperparameters (Kingma & Ba, with the bias corrections of torch.optim.Adam).
// GP fits update a dozen host-side numbers a hundred times per BO step, where tensors would only add dispatches.

export class HostAdam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    private readonly lr: number,
    private readonly betas: [number, number] = [0.9, 0.999],
    private readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** params ← params − lr · m̂ / (√v̂ + eps), given the gradient of the loss being minimised. */
  step(params: Float64Array, grad: Float64Array): void {
    const [b1, b2] = this.betas;
    this.t++;
    for (let i = 0; i < params.length; i++) {
      this.m[i] = b1 * this.m[i] + (1 - b1) * grad[i];
      this.v[i] = b2 * this.v[i] + (1 - b2) * grad[i] * grad[i];
      const mh = this.m[i] / (1 - b1 ** this.t);
      const vh = this.v[i] / (1 - b2 ** this.t);
      params[i] -= (this.lr * mh) / (Math.sqrt(vh) + this.eps);
    }
  }
}
