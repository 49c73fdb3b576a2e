// tessera/node: what needs Node's file system, kept off the main entry so that 'tessera' itself runs in a browser.
// `import { safetensors, loadCorpus, writeLog } from 'tessera/node'`.
export * as safetensors from './node/safetensors-file.js';
export { loadCorpus, loadSentences, type CorpusOptions } from './node/corpus.js';
export { saveTokenizer, loadTokenizer } from './node/tokenizer-file.js';
export { writeLog } from './node/train-log.js';
export { writeFileAtomic, writeFileAtomicSync } from './node/atomic-write.js';
