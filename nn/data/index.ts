// Data: a train/validation split, a language-model batch sampler and a seeded host generator. (The bundled corpus
// is read from files: `loadCorpus` in 'tessera/node'.)
export { trainValSplit } from './split.js';
export { BatchSampler, type BatchSamplerOptions } from './batch-sampler.js';
export { seededRandom } from './seeded-random.js';
