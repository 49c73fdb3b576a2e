// tessera.nn.gp: Gaussian-process algebra in float64 on the host (exact GPs are small: n ≤ a few hundred).
// Linear algebra with jittered Cholesky, kernels with analytic hyperparameter gradients, an exact GP fitted by
// Adam on the marginal log-likelihood, and the Gaussian acquisition formulas. `import { nn } from 'tessera'`,
// then `nn.gp.ExactGP`, `nn.gp.matern52Kernel`, ...
export { cholesky, choleskyJitter, solveLower, solveUpper, choleskySolve, choleskyInverse, logDetFromCholesky, type JitteredCholesky } from './linalg.js';
export { type Kernel, type Point, INITIAL_LENGTHSCALE } from './kernel.js';
export { matern52Kernel, matern52FromSquared } from './matern.js';
export { overlapKernel, transformedOverlapKernel } from './overlap.js';
export { diffusionKernel, diffusionFactor } from './diffusion.js';
export { hedKernel, type HedKernel } from './hed.js';
export { scaleKernel, mixtureKernel } from './combine.js';
export { ExactGP, marginalLogLikelihood, mergeDuplicates, type GpOptions, type FitOptions, type Prediction, type MllResult } from './exact-gp.js';
export { HostAdam } from './adam.js';
export { samplePrior, type PriorSampleOptions } from './sample.js';
export { normalPdf, normalCdf, erfc, expectedImprovement, lowerConfidenceBound } from './normal.js';
