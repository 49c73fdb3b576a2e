// Search spaces of mixed variables (MCBO search_space): nominal (unordered categories), ordinal (ordered
// levels), integer and continuous. The transformed point the models see: a nominal variable is its category
// index, every numeric one (ordinal, integer, continuous) is scaled to [0, 1], and the discrete numeric ones are
// kept on their grid (roundNumeric) after every continuous move.
import { randomInt, type Rng } from './random.js';

export type Param =
  | { type: 'nominal'; name: string; categories: number }
  | { type: 'ordinal'; name: string; levels: number }
  | { type: 'integer'; name: string; lb: number; ub: number }
  | { type: 'continuous'; name: string; lb: number; ub: number };

/** A point in the transformed space. */
export type X = number[];

export interface SearchSpace {
  params: readonly Param[];
  nominalDims: number[];
  numericDims: number[];
  /** number of categories of each nominal dim (same order as nominalDims) */
  nCats: number[];
  /** user values (category index, level index, integer, real) to the transformed point */
  transform(values: readonly number[]): X;
  /** transformed point to user values (discrete ones rounded) */
  inverse(x: X): number[];
  /** n points drawn uniformly */
  sample(n: number, rng: Rng): X[];
  /** snaps ordinal and integer dims onto their grid and clips numeric dims to [0, 1] (in place) */
  roundNumeric(x: X): X;
}

/** The number of grid steps of a discrete numeric parameter (0 for continuous). */
function steps(p: Param): number {
  if (p.type === 'ordinal') return p.levels - 1;
  if (p.type === 'integer') return p.ub - p.lb;
  return 0;
}

export function searchSpace(params: readonly Param[]): SearchSpace {
  if (!params.length) throw new Error('mcbo.searchSpace: needs at least one parameter');
  for (const p of params) {
    const bad =
      (p.type === 'nominal' && !(Number.isInteger(p.categories) && p.categories >= 2)) ||
      (p.type === 'ordinal' && !(Number.isInteger(p.levels) && p.levels >= 2)) ||
      ((p.type === 'integer' || p.type === 'continuous') && !(p.ub > p.lb)) ||
      (p.type === 'integer' && !(Number.isInteger(p.lb) && Number.isInteger(p.ub)));
    if (bad)
      throw new Error(
        `mcbo.searchSpace: invalid ${p.type} parameter '${p.name}' (${JSON.stringify(p)}): need >= 2 categories/levels or integer lb < ub`,
      );
  }
  const nominalDims = params.flatMap((p, i) => (p.type === 'nominal' ? [i] : []));
  const numericDims = params.flatMap((p, i) => (p.type === 'nominal' ? [] : [i]));
  const nCats = nominalDims.map((i) => (params[i] as { categories: number }).categories);
  const space: SearchSpace = {
    params,
    nominalDims,
    numericDims,
    nCats,
    transform(values) {
      if (values.length !== params.length)
        throw new Error(`mcbo.SearchSpace.transform: expected ${params.length} values, got ${values.length}`);
      return params.map((p, i) => {
        const v = values[i];
        if (p.type === 'nominal') return v;
        if (p.type === 'ordinal') return v / (p.levels - 1);
        return (v - p.lb) / (p.ub - p.lb);
      });
    },
    inverse(x) {
      return params.map((p, i) => {
        if (p.type === 'nominal') return x[i];
        if (p.type === 'ordinal') return Math.round(x[i] * (p.levels - 1));
        if (p.type === 'integer') return p.lb + Math.round(x[i] * (p.ub - p.lb));
        return p.lb + x[i] * (p.ub - p.lb);
      });
    },
    sample(n, rng) {
      return Array.from({ length: n }, () =>
        space.roundNumeric(params.map((p) => (p.type === 'nominal' ? randomInt(rng, p.categories) : rng()))),
      );
    },
    roundNumeric(x) {
      for (const i of numericDims) {
        const v = Math.min(1, Math.max(0, x[i]));
        const k = steps(params[i]);
        x[i] = k ? Math.round(v * k) / k : v;
      }
      return x;
    },
  };
  return space;
}

/** Number of nominal positions where two points differ. */
export function hamming(a: X, b: X, dims: readonly number[]): number {
  let h = 0;
  for (const i of dims) if (a[i] !== b[i]) h++;
  return h;
}
