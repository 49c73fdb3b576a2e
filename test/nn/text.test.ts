import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharTokenizer, BpeTokenizer } from '../../nn/text/index.js';
import { trainValSplit, BatchSampler } from '../../nn/data/index.js';
import { loadSentences, loadCorpus, saveTokenizer, loadTokenizer } from '../../node.js';
import { assertThrows } from '../helpers.js';

const s = suite('nn/text');
const sample = 'the cat sat on the mat.\nthe dog sat on the log!\nthat hat, that cat.\n';

s('char tokenizer: sorted vocabulary, round trip, unknown characters named', () => {
  const tok = CharTokenizer.train(sample);
  assert.equal(tok.chars.slice(0, 4), ['\n', ' ', '!', ',']);
  assert.is(tok.decode(tok.encode(sample)), sample);
  assert.is(tok.encode('cat')[0], tok.tokenId('c'));
  assertThrows(() => tok.encode('cats?'), '"?"', 'vocabulary');
  assertThrows(() => tok.decode([999]), '999');
});

s('char tokenizer: save and load give the same ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tok-'));
  try {
    const tok = CharTokenizer.train(sample);
    saveTokenizer(tok, join(dir, 'char.json'));
    const back = loadTokenizer(join(dir, 'char.json'));
    assert.ok(back instanceof CharTokenizer);
    assert.equal(back.encode(sample), tok.encode(sample));
  } finally { rmSync(dir, { recursive: true }); }
});

s('bpe: learns the most frequent pair first and never merges across words', () => {
  const tok = BpeTokenizer.train('aaab aaab aaab', 258);
  // words: "aaab", " aaab" x2; the pair (a, a) occurs 6 times, more than any other
  assert.equal(tok.merges[0], ['a'.charCodeAt(0), 'a'.charCodeAt(0)]);
  assert.is(tok.vocabSize, 258);
  for (const [a, b] of tok.merges) assert.ok(!(tok.decode([a]).endsWith('b') && tok.decode([b]).startsWith(' ')));
});

s('bpe: round trips any text, unicode and unseen words included, and compresses its training text', () => {
  const tok = BpeTokenizer.train(sample.repeat(3), 300);
  for (const text of [sample, 'unseen wörds → 🐈 and ümlauts', '', '  spaces  \n\n']) assert.is(tok.decode(tok.encode(text)), text);
  assert.ok(tok.encode(sample).length < new TextEncoder().encode(sample).length * 0.6);
  assert.equal(tok.encode('the cat').map((id) => tok.decode([id])), ['the', ' cat']);
});

s('bpe: save and load give the same ids; malformed merges are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tok-'));
  try {
    const tok = BpeTokenizer.train(sample, 280);
    saveTokenizer(tok, join(dir, 'bpe.json'));
    const back = loadTokenizer(join(dir, 'bpe.json'));
    assert.ok(back instanceof BpeTokenizer);
    assert.equal(back.encode(sample), tok.encode(sample));
  } finally { rmSync(dir, { recursive: true }); }
  assertThrows(() => new BpeTokenizer([[300, 1]]), 'merge 0', '300');
  assertThrows(() => BpeTokenizer.train(sample, 100), 'vocabSize');
});

s('corpus: ascii sentences, one per line; split and sampler give shifted windows', async () => {
  const sentences = loadSentences({ files: 1, asciiOnly: true, maxSentences: 50 });
  assert.is(sentences.length, 50);
  assert.ok(sentences.every((x) => /^[\x20-\x7e]+$/.test(x)));
  const text = loadCorpus({ files: 1, asciiOnly: true, maxSentences: 50 });
  const tok = CharTokenizer.train(text);
  const { train, val } = trainValSplit(tok.encode(text), 0.1);
  assert.is(train.length + val.length, Array.from(text).length);
  assert.is(val.length, Math.round(Array.from(text).length * 0.1));
  const sampler = new BatchSampler(train, { batchSize: 3, blockSize: 8, seed: 7 });
  const offsets = sampler.nextOffsets();
  const { x, y } = sampler.batchAt(offsets);
  assert.equal(x.shape, [3, 8]);
  const [xs, ys] = [await x.data(), await y.data()];
  for (let b = 0; b < 3; b++) {
    assert.equal(Array.from(xs.slice(b * 8, b * 8 + 8)), Array.from(train.subarray(offsets[b], offsets[b] + 8)));
    assert.equal(Array.from(ys.slice(b * 8, b * 8 + 8)), Array.from(train.subarray(offsets[b] + 1, offsets[b] + 9)));
  }
  assert.equal(new BatchSampler(train, { batchSize: 3, blockSize: 8, seed: 7 }).nextOffsets(), offsets);
  x.dispose(); y.dispose();
  assertThrows(() => new BatchSampler(train.subarray(0, 4), { batchSize: 1, blockSize: 8 }), 'blockSize');
});

s.run();
