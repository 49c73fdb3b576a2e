// Batched matmul for real GPUs: large output tiles, register micro-tiles, vec4 loads, double-buffered workgroup
// memory. The scheme of siboehm/SGEMM_CUDA's kernels 6-10 (93.7% of cuBLAS on an A6000 at 4096^2) and of
// llama.cpp's Vulkan mul_mm.comp, written out for WGSL:
//
// - 256 threads (16 x 16) compute a BM x BN tile of C (128x128, 128x64, 64x128 or 64x64); each thread a TM x TN
//   block (8x8, 8x4, 4x8 or 4x4) held in named vec4 registers. Its rows are 4-row groups 64 apart (ty*4..,
//   64+ty*4..) and its columns likewise, so every read of workgroup memory is one vec4 and the 16 threads of a row
//   of the grid read 16 consecutive vec4s (no bank conflicts): per k step a thread does TM*TN multiply-adds for
//   (TM + TN) / 4 vec4 reads, 16 per read at 8x8 against 2 per (scalar) read in tiled64's 4x4.
// - Both operand tiles sit in workgroup memory k-major (As[k][m], Bs[k][n]): A is stored transposed, so the
//   inner loop reads a column of A as a vec4 of 4 rows. Two stages of BK = 16 (2 x (128x16 + 16x128) x 4 B =
//   32 KiB at 128x128): while the threads compute on one stage, the next K tile is already loaded from global
//   memory into registers (issued before the multiply-adds, so its latency hides behind them) and is written to
//   the other stage afterwards; one barrier per K tile instead of two.
// - Global loads go in groups of 4 elements along the operand's contiguous dim: one vec4 load (vec2<u32> for
//   16-bit floats stored two per u32) where the strides, offsets and that dim's size are multiples of 4, four
//   scalar loads elsewhere (ragged sizes, step-sliced views). A group along K is scattered into the k-major tile
//   (the transposed store); a group along M or N is stored whole. So x W^T (nn.Linear), A^T B (its weight
//   gradient) and plain layouts all load 128 bits per instruction without a copy.
// - Everything per thread is unrolled in the generated WGSL with constant names (no private arrays, so no
//   robustness clamps or local-memory spills); ragged tile edges are zero-filled at load time, so the inner loop
//   has no bounds checks; the optional bias is added in the store (linear's epilogue).
//
// Lavapipe runs this kernel correctly but slowly (its workgroup barriers and scattered stores are costly); the
// tuner measures and picks per shape class (ops/matmul-tune.ts).
import type { DType } from '../core/dtype.js';
import { storageType } from './preamble.js';
import { storageLayout, type BufferDecl } from './kernel.js';
import { matmulKernel } from './matmul.js';

/** How an operand's tile is read: groups of 4 elements along K or along its own M/N dim, each group one vec4 or four scalars. */
export interface OperandLoad {
  along: 'k' | 'mn';
  vec: boolean;
}

export interface BlockedMatmul {
  a: DType;
  b: DType;
  out: DType;
  /** dtype of the bias added along rows in the store, or null */
  bias: DType | null;
  /** output rows and columns of a workgroup's tile, and the K depth of a stage */
  BM: number;
  BN: number;
  BK: number;
  aLoad: OperandLoad;
  bLoad: OperandLoad;
  /** C rows have a multiple of 4 columns, so the output is stored as vec4 */
  vecOut: boolean;
}

/** Threads per workgroup (16 x 16). */
export const BLOCKED_THREADS = 256;
/**
 * The tile shapes offered to the tuner: [BM, BN]. 128x128 has the most multiply-adds per load; the smaller ones
 * give more workgroups to mid-sized problems (a 1024^2 output is 64 tiles of 128x128 for a GPU's 100+ SMs).
 */
export const BLOCKED_TILES = [
  [128, 128],
  [128, 64],
  [64, 128],
  [64, 64],
] as const;
export const BLOCKED_BK = 16;
const UNROLL = 4;

/** Bytes of workgroup memory the kernel declares: two stages of both operand tiles. */
export const blockedWorkgroupBytes = (k: Pick<BlockedMatmul, 'BM' | 'BN' | 'BK'>): number =>
  2 * k.BK * (k.BM + k.BN) * 4;

const loadKey = (l: OperandLoad) => `${l.vec ? 'v' : 's'}${l.along}`;

export const blockedMatmulKey = (k: BlockedMatmul): string =>
  `matmul|blocked${k.BM}x${k.BN}x${k.BK}|a:${loadKey(k.aLoad)}|b:${loadKey(k.bLoad)}|o:${k.vecOut ? 'v' : 's'}|` +
  `bias:${k.bias ?? '-'}|${k.a}|${k.b}|${k.out}`;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const XYZW = ['x', 'y', 'z', 'w'];

/** A buffer of vec4 groups: vec4<T> when stored natively, vec2<u32> (4 halves) when packed. */
const vecDecl = (d: DType, write = false): BufferDecl => ({
  type: storageLayout(d) === 'native' ? `vec4<${storageType(d)}>` : 'vec2<u32>',
  write,
});

/** load4_<name>(i): group i (elements 4i..4i+3) as vec4<f32>. */
function load4(name: string, d: DType): string {
  const s = storageLayout(d);
  const body =
    s === 'native'
      ? `return vec4<f32>(${name}[i]);`
      : s === 'f16x2'
        ? `let w = ${name}[i]; return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));`
        : `let w = ${name}[i]; return vec4<f32>(bitcast<f32>(w.x << 16u), bitcast<f32>(w.x & 0xffff0000u), ` +
          'bitcast<f32>(w.y << 16u), bitcast<f32>(w.y & 0xffff0000u));';
  return `fn load4_${name}(i: u32) -> vec4<f32> { ${body} }`;
}

/** store4_<name>(i, v): group i written whole (one thread owns all 4 elements, so packed words need no atomics). */
function store4(name: string, d: DType): string {
  const s = storageLayout(d);
  const body =
    s === 'native'
      ? `${name}[i] = vec4<${storageType(d)}>(v);`
      : s === 'f16x2'
        ? `${name}[i] = vec2<u32>(pack2x16float(v.xy), pack2x16float(v.zw));`
        : `${name}[i] = vec2<u32>(bf16_bits(v.x) | (bf16_bits(v.y) << 16u), bf16_bits(v.z) | (bf16_bits(v.w) << 16u));`;
  return `fn store4_${name}(i: u32, v: vec4<f32>) { ${body} }`;
}

/**
 * The WGSL that loads operand X's next tile into registers (x0, x1...) and the WGSL that writes those registers
 * into stage `st` of workgroup memory. X is A (outer dim M, rows) or B (outer dim N, columns).
 */
function operandCode(X: 'A' | 'B', load: OperandLoad, outer: number, BK: number) {
  const x = X.toLowerCase();
  const [D, sOuter, sK, origin] = X === 'A' ? ['M', 'sam', 'sak', 'row0'] : ['N', 'sbn', 'sbk', 'col0'];
  const groups = (outer * BK) / 4 / BLOCKED_THREADS;
  const perK = outer / 4; // vec4s per k row of the stage
  const setup: string[] = [];
  const fetch: string[] = [];
  const stash: string[] = [];
  for (const g of range(groups)) {
    const e = `(tid + ${g * BLOCKED_THREADS}u)`;
    // o: the group's first element along the outer dim within the tile; k: along K
    if (load.along === 'k') setup.push(`let ${x}o${g} = ${e} / ${BK / 4}u; let ${x}k${g} = (${e} % ${BK / 4}u) * 4u;`);
    else setup.push(`let ${x}o${g} = (${e} % ${perK}u) * 4u; let ${x}k${g} = ${e} / ${perK}u;`);
    setup.push(
      `let ${x}ok${g} = ${origin} + ${x}o${g} < ${D};`,
      `let ${x}p${g} = ${x}Base + (${origin} + ${x}o${g}) * ${sOuter} + ${x}k${g} * ${sK};`,
    );
    const at = `${x}p${g} + k0 * ${sK}`;
    const reg = `${x}r${g}`;
    if (load.vec) {
      fetch.push(
        `${reg} = vec4<f32>(0.0); if (${x}ok${g} && k0 + ${x}k${g} < K) { ${reg} = load4_${X}((${at}) / 4u); }`,
      );
    } else {
      fetch.push(`${reg} = vec4<f32>(0.0);`);
      for (const c of range(4)) {
        const ok =
          load.along === 'k'
            ? `${x}ok${g} && k0 + ${x}k${g} + ${c}u < K`
            : `${origin} + ${x}o${g} + ${c}u < ${D} && k0 + ${x}k${g} < K`;
        const off = load.along === 'k' ? `${at} + ${c}u * ${sK}` : `${at} + ${c}u * ${sOuter}`;
        fetch.push(`if (${ok}) { ${reg}.${XYZW[c]} = load_${X}(${off}); }`);
      }
    }
    if (load.along === 'mn') stash.push(`${X}s[st + ${x}k${g} * ${perK}u + ${x}o${g} / 4u] = ${reg};`);
    else {
      for (const c of range(4)) {
        stash.push(`${X}s[st + (${x}k${g} + ${c}u) * ${perK}u + ${x}o${g} / 4u][${x}o${g} % 4u] = ${reg}.${XYZW[c]};`);
      }
    }
  }
  const regs = range(groups).map((g) => `var ${x}r${g}: vec4<f32>;`);
  return { setup: [...setup, ...regs].join('\n  '), fetch: fetch.join('\n    '), stash: stash.join('\n    ') };
}

export function blockedMatmulSource(k: BlockedMatmul): string {
  const { BM, BN, BK } = k;
  const GM = BM / 64; // 4-row groups per thread, 64 rows apart
  const GN = BN / 64;
  const perA = BM / 4;
  const perB = BN / 4;
  const A = operandCode('A', k.aLoad, BM, BK);
  const B = operandCode('B', k.bLoad, BN, BK);
  const acc = (gm: number, i: number, gn: number) => `c${gm * 4 + i}_${gn}`;
  const accs = range(GM)
    .flatMap((gm) => range(4).flatMap((i) => range(GN).map((gn) => `var ${acc(gm, i, gn)} = vec4<f32>(0.0);`)))
    .join('\n  ');
  // one k step: GM + GN vec4 reads of workgroup memory, 4 * GM * GN vec4 multiply-adds
  const step = (kk: number) =>
    [
      ...range(GM).map((gm) => `let a${gm} = As[sa + kk * ${perA}u + ${kk * perA + gm * 16}u + ty];`),
      ...range(GN).map((gn) => `let b${gn} = Bs[sb + kk * ${perB}u + ${kk * perB + gn * 16}u + tx];`),
      ...range(GM).flatMap((gm) =>
        range(4).flatMap((i) => range(GN).map((gn) => `${acc(gm, i, gn)} += a${gm}.${XYZW[i]} * b${gn};`)),
      ),
    ].join('\n      ');
  // UNROLL k steps written out per loop iteration: a loop keeps lavapipe's compile times bearable, and GPU
  // compilers unroll a loop with a constant trip count themselves
  const compute = `for (var kk = 0u; kk < ${BK}u; kk += ${UNROLL}u) {\n    ${range(UNROLL)
    .map((kk) => `{\n      ${step(kk)}\n    }`)
    .join('\n    ')}\n    }`;
  const biasCode = (k.bias ? range(GN) : [])
    .map((gn) => {
      const col = `col0 + ${gn * 64}u + tx * 4u`;
      const reads = range(4).map(
        (c) => `if (${col} + ${c}u < N) { bias${gn}.${XYZW[c]} = f32(load_bias(bo + (${col} + ${c}u) * sbias)); }`,
      );
      return [`var bias${gn} = vec4<f32>(0.0);`, ...reads].join('\n  ');
    })
    .join('\n  ');
  const storeRow = (gm: number, i: number) =>
    range(GN)
      .map((gn) => {
        const col = `col0 + ${gn * 64}u + tx * 4u`;
        const v = k.bias ? `${acc(gm, i, gn)} + bias${gn}` : acc(gm, i, gn);
        if (k.vecOut) return `if (${col} < N) { store4_C((cRow + ${col}) / 4u, ${v}); }`;
        return `{ let v = ${v};\n      ${range(4)
          .map((c) => `if (${col} + ${c}u < N) { store_C(cRow + ${col} + ${c}u, v.${XYZW[c]}); }`)
          .join('\n      ')} }`;
      })
      .join('\n      ');
  const stores = range(GM)
    .flatMap((gm) =>
      range(4).map((i) => {
        const r = `row0 + ${gm * 64 + i}u + ty * 4u`;
        return `if (${r} < M) {\n      let cRow = cBase + (${r}) * N;\n      ${storeRow(gm, i)}\n    }`;
      }),
    )
    .join('\n    ');
  const decl = (load: OperandLoad, d: DType): BufferDecl => (load.vec ? vecDecl(d) : { dtype: d });
  const kernel = matmulKernel(
    decl(k.aLoad, k.a),
    decl(k.bLoad, k.b),
    k.vecOut ? vecDecl(k.out, true) : { dtype: k.out },
    k.bias ? { dtype: k.bias } : undefined,
  );
  const helpers = [
    ...(k.aLoad.vec ? [load4('A', k.a)] : []),
    ...(k.bLoad.vec ? [load4('B', k.b)] : []),
    ...(k.vecOut ? [store4('C', k.out)] : []),
  ];
  return `${kernel.header()}
${helpers.join('\n')}
var<workgroup> As: array<vec4<f32>, ${2 * BK * perA}>;
var<workgroup> Bs: array<vec4<f32>, ${2 * BK * perB}>;

@compute @workgroup_size(${BLOCKED_THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let M = uw(W_M); let N = uw(W_N); let K = uw(W_K);
  let rowTiles = (M + ${BM - 1}u) / ${BM}u;
  let tile = unfold_wid(wid, nwg, (N + ${BN - 1}u) / ${BN}u);
  let batch = tile.y / rowTiles;
  if (batch >= uw(W_batches)) { return; }
  let aBase = offset_a(batch); let bBase = offset_b(batch);
  let sam = uw(W_sam); let sak = uw(W_sak); let sbk = uw(W_sbk); let sbn = uw(W_sbn);
  let row0 = (tile.y % rowTiles) * ${BM}u; let col0 = tile.x * ${BN}u;
  let ty = tid / 16u; let tx = tid % 16u;
  ${A.setup}
  ${B.setup}
  ${accs}
  // stage 0 holds K tile 0; each iteration prefetches tile t + 1 into registers, computes tile t, then stores
  // the prefetched tile into the other stage; the barrier ends both.
  var k0 = 0u;
  {
    let st = 0u;
    ${A.fetch}
    ${B.fetch}
    ${A.stash}
    ${B.stash}
  }
  workgroupBarrier();
  let tiles = (K + ${BK - 1}u) / ${BK}u;
  for (var t = 0u; t < tiles; t++) {
    let more = t + 1u < tiles;
    k0 = (t + 1u) * ${BK}u;
    if (more) {
    ${A.fetch}
    ${B.fetch}
    }
    let sa = (t & 1u) * ${BK * perA}u; let sb = (t & 1u) * ${BK * perB}u;
    ${compute}
    if (more) {
      let st = ((t + 1u) & 1u) * ${BK * perA}u;
      ${A.stash}
    }
    if (more) {
      let st = ((t + 1u) & 1u) * ${BK * perB}u;
      ${B.stash}
    }
    workgroupBarrier();
  }
  let cBase = batch * M * N;
  ${k.bias ? 'let bo = uw(W_bias_offset); let sbias = uw(W_sbias);' : ''}
  ${biasCode}
  ${stores}
}
`;
}
