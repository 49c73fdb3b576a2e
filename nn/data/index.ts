// Data: the bundled corpus, a train/validation split and a language-model batch sampler.
export { loadCorpus, loadSentences, type CorpusOptions } from './corpus.js';
export { trainValSplit } from './split.js';
export { BatchSampler, type BatchSamplerOptions } from './batch-sampler.js';
export { seededRandom } from './seeded-random.js';
