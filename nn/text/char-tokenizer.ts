// Character-level tokenizer: one token per Unicode code point, the vocabulary being the sorted set of characters
// seen in the training text. Round-trips exactly for any text made of those characters.

export interface CharTokenizerJSON {
  type: 'char';
  chars: string[];
}

export class CharTokenizer {
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars)) throw new Error(`CharTokenizer: chars must be an array of single characters, got ${typeof chars}`);
    const bad = chars.find((c) => typeof c !== 'string' || Array.from(c).length !== 1);
    if (bad !== undefined) {
      throw new Error(`CharTokenizer: every entry must be one character (one code point), got ${JSON.stringify(bad)}`);
    }
    if (new Set(chars).size !== chars.length) throw new Error('CharTokenizer: the character list has duplicates');
    this.chars = [...chars];
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** The vocabulary of every distinct character in `text`, in code point order. */
  static train(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  get vocabSize(): number { return this.chars.length; }

  /** The id of one character (e.g. '\n' as a stop token). */
  tokenId(char: string): number {
    const id = this.ids.get(char);
    if (id === undefined) throw new Error(`CharTokenizer: ${JSON.stringify(char)} is not in the vocabulary of ${this.vocabSize} characters`);
    return id;
  }

  encode(text: string): number[] {
    return Array.from(text, (c) => this.tokenId(c));
  }

  decode(ids: readonly number[]): string {
    return ids.map((id) => {
      const c = this.chars[id];
      if (c === undefined) throw new Error(`CharTokenizer.decode: id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
      return c;
    }).join('');
  }

  toJSON(): CharTokenizerJSON { return { type: 'char', chars: [...this.chars] }; }

  static fromJSON(json: CharTokenizerJSON): CharTokenizer {
    if (json === null || typeof json !== 'object') throw new Error(`CharTokenizer.fromJSON: expected an object { type, chars }, got ${json === null ? 'null' : typeof json}`);
    if (json.type !== 'char') throw new Error(`CharTokenizer.fromJSON: expected type "char", got ${JSON.stringify(json.type)}`);
    return new CharTokenizer(json.chars);
  }
}
