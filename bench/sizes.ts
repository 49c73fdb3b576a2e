// Problem sizes per kind of adapter. A software adapter (lavapipe, SwiftShader, llvmpipe) keeps the small sizes
// the bench has always used there; a real GPU gets the sizes of issue 11's H200 table (matmul up to 4096, add 64M,
// softmax 4096^2 and 16384x1024, causal attention B4 H8 D64 at T=512 and 2048, the 19M-parameter GPT step).
// `tiny` is the end-to-end smoke test of the packed bench (bench/gpu.sh --check): everything small.
import type { GptShape } from './gpt-tf.js';

export type SizeTable = 'software' | 'gpu' | 'tiny';

export interface AttentionSize {
  B: number;
  H: number;
  T: number;
  D: number;
}
export interface GptSize extends GptShape {
  batch: number;
  /** also time generation with and without the KV cache */ generate: boolean;
}

export interface BenchSizes {
  table: SizeTable;
  /** square f32 matmuls n x n x n */
  matmul: number[];
  /** sizes from here up are not tuned (the tuner times the slow baseline too: about 30 s a run at 2048 on lavapipe) */
  tuneBelow: number;
  /** the f16 / bf16 / transposed-operand matmul rows, n^3 */
  matmulOther: number;
  /** elementwise add, elements (f32) */
  add: number[];
  /** rows x cols of softmax (f32) */
  softmax: [number, number][];
  /** f16 / bf16 rows: add elements, softmax rows x cols */
  halfAdd: number;
  halfSoftmax: [number, number];
  /** sum over rows, layerNorm and rmsNorm: rows x cols */
  rows: [number, number];
  attention: AttentionSize[];
  gpt: GptSize[];
  /** calls queued before the one wait in the queued-throughput mode */
  queued: number;
}

const M = 1 << 20;

/** Which table fits an adapter: an explicit `--sizes=` wins, else software adapters get theirs, real GPUs theirs. */
export function sizeTable(software: boolean, requested?: string): SizeTable {
  if (requested === undefined) return software ? 'software' : 'gpu';
  if (requested === 'software' || requested === 'gpu' || requested === 'tiny') return requested;
  throw new Error(`bench: --sizes=${requested} is not a size table (valid: software, gpu, tiny)`);
}

export function benchSizes(table: SizeTable, quick: boolean): BenchSizes {
  if (table === 'gpu') {
    return {
      table,
      matmul: [256, 1024, 2048, 4096],
      tuneBelow: Infinity,
      matmulOther: 4096,
      add: [M, 16 * M, 64 * M],
      softmax: [
        [1024, 1024],
        [4096, 4096],
        [16384, 1024],
      ],
      halfAdd: 64 * M,
      halfSoftmax: [4096, 4096],
      rows: [1024, 1024],
      attention: [
        { B: 4, H: 8, T: 512, D: 64 },
        { B: 4, H: 8, T: 2048, D: 64 },
      ],
      gpt: [
        { vocab: 256, block: 64, layers: 4, heads: 4, embd: 64, batch: 16, generate: true },
        { vocab: 256, block: 256, layers: 6, heads: 8, embd: 512, batch: 16, generate: false },
      ],
      queued: 10,
    };
  }
  if (table === 'tiny') {
    return {
      table,
      matmul: [64],
      tuneBelow: Infinity,
      matmulOther: 64,
      add: [64 * 1024],
      softmax: [[64, 256]],
      halfAdd: 64 * 1024,
      halfSoftmax: [64, 256],
      rows: [64, 256],
      attention: [{ B: 1, H: 2, T: 32, D: 16 }],
      gpt: [{ vocab: 64, block: 16, layers: 1, heads: 2, embd: 16, batch: 2, generate: true }],
      queued: 4,
    };
  }
  return {
    table,
    matmul: quick ? [128, 256] : [64, 128, 256, 512, 1024, 2048],
    tuneBelow: 2048,
    matmulOther: quick ? 256 : 1024,
    add: quick ? [M] : [M, 4 * M, 16 * M],
    softmax: [[1024, 1024]],
    halfAdd: M,
    halfSoftmax: quick ? [256, 1024] : [1024, 1024],
    rows: [1024, 1024],
    attention: [{ B: 1, H: 4, T: quick ? 128 : 512, D: 64 }],
    gpt: [{ vocab: 256, block: 64, layers: 2, heads: 4, embd: 64, batch: 8, generate: true }],
    queued: quick ? 2 : 10,
  };
}
