// The ops layer: loading it installs the tensor methods and fills core's hooks.
import { hooks } from '../core/hooks.js';
import './methods.js';
import * as V from './views.js';
import { add } from './functional.js';
import { onesLike } from './creation.js';
import { toDevice } from './device-transfer.js';

hooks.contiguous = V.contiguous;
hooks.clone = V.clone;
hooks.add = add;
hooks.onesLike = (t) => onesLike(t);
hooks.toDevice = toDevice;

export * from './functional.js';
export * from './creation.js';
export * from './random.js';
export { matmul, bmm, outer, linear } from './matmul.js';
export { tuneMatmul, type MatmulCase, type TuneResult } from './matmul-tune.js';
export { matmulChoices, clearChoices as clearMatmulChoices, withVariant as withMatmulVariant } from './matmul-select.js';
export {
  reshape, viewAs, permute, transpose, expand, squeeze, unsqueeze, flatten, unflatten, slice, narrow, select,
  contiguous, clone, detach, empty,
} from './views.js';
export { elementwise, sumTo, type Operand, type ElementwiseDef } from './elementwise.js';
export { apply, offsetsOf, valuesOf, type OpSpec, type OpContext } from './op.js';
export { debugChecksDone } from './debug.js';
export { toDevice };
export { softmax, logSoftmax } from './softmax.js';
export { lerp, addcmul } from './ternary.js';
export { softmin, glu } from './activations.js';
export { normalize, cosineSimilarity } from './similarity.js';
export { layerNorm, rmsNorm } from './norms.js';
export {
  crossEntropy, nllLoss, mseLoss, klDiv, binaryCrossEntropyWithLogits,
  type Reduction, type KlReduction, type CrossEntropyOptions, type NllLossOptions,
} from './losses.js';
export { cat, stack, split, chunk, pad, flip, repeat, tril, triu } from './shape-ops.js';
export { gather, scatterAdd, indexSelect, embedding, embeddingBackward, maskedFill, maskedFill_, oneHot } from './indexing.js';
export { sort, argsort, topk } from './sort.js';
export { cumsum, cumprod } from './scan.js';
export { multinomial, randperm, type MultinomialOptions } from './sampling.js';
export { roll, diag, diagonal, trace, movedim, swapaxes, tile, repeatInterleave, meshgrid, unbind } from './shape-extra.js';
export { dot, mv, tensordot, addmm, baddbmm, cross, kron, cdist, type ScaleOptions } from './linalg.js';
export { einsum } from './einsum.js';
export { solve, inverse } from './solve.js';
export { grad, type GradOptions } from './grad.js';
export { valuesIndices, type ValuesIndices } from './result.js';
export type { IndexArg, IntList } from './index-arg.js';
export {
  nansum, countNonzero, varMean, median, kthvalue, mode, quantile, type QuantileInterpolation,
} from './reductions-extra.js';
export { cummax, cummin, logcumsumexp } from './scans-extra.js';
export {
  isclose, allclose, searchsorted, bucketize, histc, bincount, triuIndices, trilIndices, type SearchsortedOptions,
} from './counting.js';
export {
  scatter, scatterReduce, indexFill, indexAdd, indexCopy, indexPut, take, type ScatterReduction,
} from './indexing-extra.js';
export { nonzero, maskedSelect, unique, type UniqueOptions } from './selection.js';
export { conv1d, conv2d, unfold, fold, type ConvPadding, type Pair } from './conv.js';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d } from './pool.js';
export { l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy } from './losses.js';
export { batchNorm, groupNorm } from './batch-norm.js';
export { interpolate, type InterpolateMode, type InterpolateOptions } from './interpolate.js';
