// Which matmul kernel runs a given problem. Kernel variants sit side by side (shaders/matmul*.ts); a problem's
// "shape class" (dtypes, how each operand can be loaded, size bucket) maps to the variant that measured fastest on
// the running adapter (ops/matmul-tune.ts fills that map, validating every variant against the cpu reference
// first). Until a class is tuned, a default learnt from the measurements in BENCHMARKS.md is used.
import type { Tensor } from '../core/tensor.js';
import { gpu } from '../core/device.js';
import { matmulKey, matmulSource, TILE } from '../shaders/matmul.js';
import { storageLayout } from '../shaders/kernel.js';
import { loadStoredChoices } from './matmul-cache.js';
import { subgroupMatmulKey, subgroupMatmulSource, subgroupTile, type SubgroupMatmul } from '../shaders/matmul-subgroup.js';
import {
  BLOCKED_BK, BLOCKED_THREADS, BLOCKED_TILES, blockedMatmulKey, blockedMatmulSource, blockedWorkgroupBytes,
  type BlockedMatmul, type OperandLoad,
} from '../shaders/matmul-blocked.js';

/** What decides which kernels can run a problem and how fast: shapes, dtypes, load modes. */
export interface MatmulProblem {
  M: number; N: number; K: number;
  a: Tensor; b: Tensor; out: Tensor;
  /** strides of each operand's batch dims (0 where broadcast) */
  aBatch: number[]; bBatch: number[];
  /** the bias added to every row of the output in the store (linear), if any */
  bias?: Tensor | null;
}

export interface MatmulVariant {
  name: string;
  /** the pipeline key, built only for the variant that runs (selectVariant is on every matmul's path) */
  key: () => string;
  source: () => string;
  /** output rows and columns one workgroup computes */
  rows: number; cols: number;
}

const aligned = (...xs: number[]) => xs.every((x) => x % 4 === 0);

/** How each operand can be read by the subgroup kernel: whole vec4s where strides and offsets allow it. */
export function loadModes(p: MatmulProblem): Pick<SubgroupMatmul, 'aMode' | 'bMode' | 'vecOut'> {
  const [sam, sak] = p.a.strides.slice(-2);
  const [sbk, sbn] = p.b.strides.slice(-2);
  const aMode = sak === 1 && aligned(p.K, p.a.offset, sam, ...p.aBatch) ? 'k' : 'scalar';
  const bMode = sbn === 1 && aligned(p.N, p.b.offset, sbk, ...p.bBatch) ? 'n'
    : sbk === 1 && aligned(p.K, p.b.offset, sbn, ...p.bBatch) ? 'k' : 'scalar';
  return { aMode, bMode, vecOut: p.N % 4 === 0 };
}

/**
 * How the blocked kernel reads each operand: in 4-element groups along its contiguous dim, one vec4 per group
 * where that dim's stride is 1 and the offset, the other strides and the dim's size are multiples of 4 (so a
 * group never straddles an edge or a vec4 boundary); four scalar loads per group elsewhere, along the dim of
 * stride 1 if there is one.
 */
export function blockedLoads(p: MatmulProblem): { aLoad: OperandLoad; bLoad: OperandLoad } {
  const pick = (t: Tensor, outer: number, sOuter: number, sK: number, batch: number[]): OperandLoad => {
    if (sOuter === 1 && aligned(outer, t.offset, sK, ...batch)) return { along: 'mn', vec: true };
    if (sK === 1 && aligned(p.K, t.offset, sOuter, ...batch)) return { along: 'k', vec: true };
    return { along: sK === 1 && sOuter !== 1 ? 'k' : 'mn', vec: false };
  };
  const [sam, sak] = p.a.strides.slice(-2);
  const [sbk, sbn] = p.b.strides.slice(-2);
  return { aLoad: pick(p.a, p.M, sam, sak, p.aBatch), bLoad: pick(p.b, p.N, sbn, sbk, p.bBatch) };
}

/** Whether the adapter can run a blocked kernel of this tile: 256 invocations and its two stages of workgroup memory. */
function fitsAdapter(k: Pick<BlockedMatmul, 'BM' | 'BN' | 'BK'>): boolean {
  const l = gpu().info.limits;
  return l.maxComputeInvocationsPerWorkgroup >= BLOCKED_THREADS && l.maxComputeWorkgroupSizeX >= BLOCKED_THREADS &&
    l.maxComputeWorkgroupStorageSize >= blockedWorkgroupBytes(k);
}

/** Subgroup-kernel shapes tried by the tuner: columns per lane x subgroups per workgroup. */
const SUBGROUP_SHAPES = [[4, 1], [8, 1], [8, 2], [8, 4]] as const;

/** Every variant that can run `p` on this adapter, the always-valid tiled kernel first. */
export function candidates(p: MatmulProblem): MatmulVariant[] {
  const { a, b, out } = { a: p.a.dtype, b: p.b.dtype, out: p.out.dtype };
  const bias = p.bias?.dtype ?? null;
  const list: MatmulVariant[] = [{
    name: 'tiled64', key: () => matmulKey(a, b, out, bias), source: () => matmulSource(a, b, out, bias), rows: TILE, cols: TILE,
  }];
  const loads = blockedLoads(p);
  for (const [BM, BN] of BLOCKED_TILES) {
    const k: BlockedMatmul = { a, b, out, bias, BM, BN, BK: BLOCKED_BK, ...loads, vecOut: p.N % 4 === 0 };
    if (!fitsAdapter(k)) continue;
    list.push({ name: `blocked${BM}x${BN}`, key: () => blockedMatmulKey(k), source: () => blockedMatmulSource(k), rows: BM, cols: BN });
  }
  const { hasSubgroups, subgroupSize: S } = gpu();
  // the subgroup kernel loads vec4s of elements, so it needs natively stored operands
  const native = [a, b, out].every((d) => storageLayout(d) === 'native');
  if (hasSubgroups && S !== null && S <= 16 && native) {
    const modes = loadModes(p);
    for (const [TN, G] of SUBGROUP_SHAPES) {
      const k: SubgroupMatmul = { a, b, out, S, TN, G, ...modes, bias };
      const { rows, cols } = subgroupTile(k);
      list.push({ name: `subgroup${S}x${TN}g${G}`, key: () => subgroupMatmulKey(k), source: () => subgroupMatmulSource(k), rows, cols });
    }
  }
  return list;
}

/** The shape class: problems in one class share a kernel choice. */
export function shapeClass(p: MatmulProblem): string {
  const { aLoad, bLoad } = blockedLoads(p);
  const mode = (l: OperandLoad) => (l.vec ? `${l.along}4` : 'scalar');
  const size = Math.round(Math.log2(Math.max(p.M * p.N * p.K, 1)) / 3); // log2 of the geometric-mean dim
  const thin = p.M < 8 ? '|thin' : '';
  return `${p.a.dtype},${p.b.dtype}->${p.out.dtype}|a:${mode(aLoad)}|b:${mode(bLoad)}|s${size}${thin}`;
}

let choices: Map<string, string> | null = null;
let forced: string | null = null;

/** The tuned choices, read from the cache file on first use. */
const tuned = () => (choices ??= new Map(Object.entries(loadStoredChoices())));

/** Records the tuner's choice for a shape class. */
export function setChoice(cls: string, variant: string): void { tuned().set(cls, variant); }
export const matmulChoices = (): Record<string, string> => Object.fromEntries(tuned());
/** Forgets every tuned choice of this process (the cache file stays). */
export function clearChoices(): void { choices = new Map(); }

/** Runs `fn` with every matmul forced to the variant named `name` (the tuner and the bench use this). */
export function withVariant<T>(name: string | null, fn: () => T): T {
  const before = forced;
  forced = name;
  try { return fn(); } finally { forced = before; }
}

/**
 * The variant for `p`: a forced one, the tuned choice of its class, or the default. The default is the subgroup
 * kernel with 8 columns per lane where it exists (fastest untuned choice on lavapipe) and the tiled kernel elsewhere.
 */
export function selectVariant(p: MatmulProblem): MatmulVariant {
  const list = candidates(p);
  const want = forced ?? tuned().get(shapeClass(p)) ?? (gpu().info.software ? list.find((v) => v.name.endsWith('x8g1'))?.name : null);
  const v = list.find((x) => x.name === want);
  if (forced && !v) throw new Error(`matmul: variant ${forced} cannot run this problem (candidates: ${list.map((x) => x.name).join(', ')})`);
  return v ?? list[0];
}
