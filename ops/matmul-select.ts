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

/** What decides which kernels can run a problem and how fast: shapes, dtypes, load modes. */
export interface MatmulProblem {
  M: number; N: number; K: number;
  a: Tensor; b: Tensor; out: Tensor;
  /** strides of each operand's batch dims (0 where broadcast) */
  aBatch: number[]; bBatch: number[];
}

export interface MatmulVariant {
  name: string;
  key: string;
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

/** Subgroup-kernel shapes tried by the tuner: columns per lane x subgroups per workgroup. */
const SUBGROUP_SHAPES = [[4, 1], [8, 1], [8, 2], [8, 4]] as const;

/** Every variant that can run `p` on this adapter, the always-valid tiled kernel first. */
export function candidates(p: MatmulProblem): MatmulVariant[] {
  const { a, b, out } = { a: p.a.dtype, b: p.b.dtype, out: p.out.dtype };
  const list: MatmulVariant[] = [{
    name: 'tiled64', key: matmulKey(a, b, out), source: () => matmulSource(a, b, out), rows: TILE, cols: TILE,
  }];
  const { hasSubgroups, subgroupSize: S } = gpu();
  // the subgroup kernel loads vec4s of elements, so it needs natively stored operands
  const native = [a, b, out].every((d) => storageLayout(d) === 'native');
  if (hasSubgroups && S !== null && S <= 16 && native) {
    const modes = loadModes(p);
    for (const [TN, G] of SUBGROUP_SHAPES) {
      const k: SubgroupMatmul = { a, b, out, S, TN, G, ...modes };
      const { rows, cols } = subgroupTile(k);
      list.push({ name: `subgroup${S}x${TN}g${G}`, key: subgroupMatmulKey(k), source: () => subgroupMatmulSource(k), rows, cols });
    }
  }
  return list;
}

/** The shape class: problems in one class share a kernel choice. */
export function shapeClass(p: MatmulProblem): string {
  const m = loadModes(p);
  const size = Math.round(Math.log2(Math.max(p.M * p.N * p.K, 1)) / 3); // log2 of the geometric-mean dim
  const thin = p.M < 8 ? '|thin' : '';
  return `${p.a.dtype},${p.b.dtype}->${p.out.dtype}|a:${m.aMode}|b:${m.bMode}|s${size}${thin}`;
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
