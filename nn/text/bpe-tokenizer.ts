// Byte-level BPE (as GPT-2): text is UTF-8 bytes, so every string is encodable. Training splits the text into
// words (a letter run, a digit run or a punctuation run, each with its leading space), then repeatedly merges the
// most frequent adjacent pair of tokens inside words into a new token. Encoding replays the merges in the order
// they were learned; decoding concatenates each token's bytes and decodes UTF-8.

/** GPT-2's pre-tokenisation pattern: merges never cross these word boundaries. */
const WORDS = /'(?:s|t|re|ve|m|ll|d)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface BpeTokenizerJSON {
  type: 'bpe';
  /** merges in learning order; merge k creates token 256 + k from the pair [left, right] */
  merges: [number, number][];
}

const pairKey = (a: number, b: number) => a * 0x100000 + b;

/** Replaces every occurrence of (a, b) in `word` by `id`, left to right. */
function mergeWord(word: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === a && word[i + 1] === b) { out.push(id); i++; } else out.push(word[i]);
  }
  return out;
}

export class BpeTokenizer {
  readonly merges: readonly [number, number][];
  /** bytes of every token: 0..255 are single bytes, 256 + k the concatenation of merge k */
  private readonly bytes: Uint8Array[] = [];
  private readonly rank = new Map<number, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(merges: readonly [number, number][]) {
    if (!Array.isArray(merges)) throw new Error(`BpeTokenizer: merges must be an array of [left, right] token pairs, got ${typeof merges}`);
    merges.forEach((m, k) => {
      if (!Array.isArray(m) || m.length !== 2 || !m.every((t) => Number.isInteger(t) && t >= 0)) {
        throw new Error(`BpeTokenizer: merge ${k} must be a pair of non-negative integer token ids, got ${JSON.stringify(m)}`);
      }
    });
    this.merges = merges.map(([a, b]) => [a, b] as [number, number]);
    for (let i = 0; i < 256; i++) this.bytes.push(Uint8Array.of(i));
    this.merges.forEach(([a, b], k) => {
      if (a >= 256 + k || b >= 256 + k) throw new Error(`BpeTokenizer: merge ${k} uses token ${Math.max(a, b)} before it exists`);
      const joined = new Uint8Array(this.bytes[a].length + this.bytes[b].length);
      joined.set(this.bytes[a]);
      joined.set(this.bytes[b], this.bytes[a].length);
      this.bytes.push(joined);
      this.rank.set(pairKey(a, b), k);
    });
  }

  /** Learns `vocabSize - 256` merges from `text` (fewer if no pair occurs twice). Ties go to the smaller pair. */
  static train(text: string, vocabSize: number): BpeTokenizer {
    if (!Number.isInteger(vocabSize) || vocabSize < 256) throw new Error(`BpeTokenizer.train: vocabSize must be an integer >= 256, got ${vocabSize}`);
    const counts = new Map<string, number>();
    for (const w of text.match(WORDS) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
    const encoder = new TextEncoder();
    let words = [...counts].map(([w, n]) => ({ ids: Array.from(encoder.encode(w)), n }));
    const merges: [number, number][] = [];
    while (256 + merges.length < vocabSize) {
      const pairs = new Map<number, number>();
      for (const { ids, n } of words) for (let i = 0; i + 1 < ids.length; i++) {
        const k = pairKey(ids[i], ids[i + 1]);
        pairs.set(k, (pairs.get(k) ?? 0) + n);
      }
      let best = -1;
      let bestCount = 1;
      for (const [k, c] of pairs) if (c > bestCount || (c === bestCount && best >= 0 && k < best)) { best = k; bestCount = c; }
      if (best < 0) break;
      const a = Math.floor(best / 0x100000);
      const b = best % 0x100000;
      const id = 256 + merges.length;
      merges.push([a, b]);
      words = words.map(({ ids, n }) => ({ ids: mergeWord(ids, a, b, id), n }));
    }
    return new BpeTokenizer(merges);
  }

  get vocabSize(): number { return 256 + this.merges.length; }

  /** Tokens of one pre-tokenised word: apply the earliest-learned applicable merge until none applies. */
  private encodeWord(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    let ids = Array.from(new TextEncoder().encode(word));
    for (;;) {
      let bestRank = Infinity;
      let at = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.rank.get(pairKey(ids[i], ids[i + 1]));
        if (r !== undefined && r < bestRank) { bestRank = r; at = i; }
      }
      if (at < 0) break;
      const [a, b] = this.merges[bestRank];
      ids = mergeWord(ids, a, b, 256 + bestRank);
    }
    this.cache.set(word, ids);
    return ids;
  }

  encode(text: string): number[] {
    return (text.match(WORDS) ?? []).flatMap((w) => this.encodeWord(w));
  }

  /** The bytes one token stands for. */
  tokenBytes(id: number): Uint8Array {
    const b = this.bytes[id];
    if (!b) throw new Error(`BpeTokenizer: id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    return b;
  }

  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.tokenBytes(id));
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return new TextDecoder().decode(all);
  }

  toJSON(): BpeTokenizerJSON { return { type: 'bpe', merges: this.merges.map(([a, b]) => [a, b]) }; }

  static fromJSON(json: BpeTokenizerJSON): BpeTokenizer {
    if (json === null || typeof json !== 'object') throw new Error(`BpeTokenizer.fromJSON: expected an object { type, merges }, got ${json === null ? 'null' : typeof json}`);
    if (json.type !== 'bpe') throw new Error(`BpeTokenizer.fromJSON: expected type "bpe", got ${JSON.stringify(json.type)}`);
    return new BpeTokenizer(json.merges);
  }
}
