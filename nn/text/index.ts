// Tokenizers: text to token ids and back.
export { CharTokenizer, type CharTokenizerJSON } from './char-tokenizer.js';
export { BpeTokenizer, type BpeTokenizerJSON } from './bpe-tokenizer.js';
