// BODi's Hamming-embedding-via-dictionary kernel (Deshwal et al. 2023): each point is embedded as
// φ_j(x) = Hamming(x, a_j) / d over the rows a_j of a random dictionary, and a Matérn-5/2 kernel (one lengthscale)
// acts on φ. The dictionary is "diverse random": each row picks a dominant category and a share θ ~ U(0, 1) and
// takes that category at each position with probability θ (otherwise a uniform category), so rows range from
// uniform noise to near-constant strings. It is redrawn before every fit (refresh), as in MCBO.
import { INITIAL_LENGTHSCALE, checkDims, checkParams, clampLog, gramCache, type Kernel, type Point } from './kernel.js';
import { matern52FromSquared, matern52LogScaleFactor } from './matern.js';

export interface HedKernel extends Kernel {
  /** the current dictionary, nDict rows over the kernel's dims */
  dictionary: number[][];
  /** φ(x) for one point */
  embed(x: Point): Float64Array;
}

export function hedKernel(opts: {
  dims: readonly number[];
  nCats: readonly number[];
  nDict?: number;
  dictionary?: number[][];
}): HedKernel {
  const dims = [...opts.dims];
  checkDims('hedKernel', dims);
  if (opts.nCats.length !== dims.length)
    throw new Error(`gp.hedKernel: nCats needs one entry per dim (${dims.length}), got ${opts.nCats.length}`);
  const nDict = opts.nDict ?? opts.dictionary?.length ?? 128;
  // embeddings of whole input sets, kept while the dictionary stands (the training set is embedded once per fit)
  let embedded = new WeakMap<readonly Point[], Float64Array[]>();
  const embedAll = (x: readonly Point[]) => {
    let e = embedded.get(x);
    if (!e) embedded.set(x, (e = x.map((p) => kernel.embed(p))));
    return e;
  };
  let cache = gramCache();
  const kernel: HedKernel = {
    name: 'hedKernel',
    paramNames: ['lengthscale'],
    dictionary: opts.dictionary ?? Array.from({ length: nDict }, () => new Array<number>(dims.length).fill(0)),
    embed(x) {
      return Float64Array.from(kernel.dictionary, (row) => {
        let h = 0;
        for (let i = 0; i < dims.length; i++) if (x[dims[i]] !== row[i]) h++;
        return h / dims.length;
      });
    },
    refresh(rng) {
      cache = gramCache(); // a new dictionary changes every embedding and Gram matrix
      embedded = new WeakMap();
      kernel.dictionary = Array.from({ length: nDict }, () => {
        const share = rng();
        const dominant = Math.floor(rng() * Math.min(...opts.nCats));
        return opts.nCats.map((n) => (rng() < share ? dominant : Math.floor(rng() * n)));
      });
    },
    initialParams: () => Float64Array.of(INITIAL_LENGTHSCALE),
    clampParams: (p) => clampLog(p),
    matrix(x1, x2, p) {
      checkParams(kernel, p);
      return cache(x1, x2, p, () => {
        const e1 = embedAll(x1);
        const e2 = x1 === x2 ? e1 : embedAll(x2);
        const inv = Math.exp(-2 * p[0]);
        const k = new Float64Array(x1.length * x2.length);
        for (let a = 0; a < x1.length; a++)
          for (let b = 0; b < x2.length; b++) k[a * x2.length + b] = matern52FromSquared(squared(e1[a], e2[b]) * inv);
        return k;
      });
    },
    diag: (x) => new Float64Array(x.length).fill(1),
    gradContract(x, p, w) {
      checkParams(kernel, p);
      const e = embedAll(x);
      const inv = Math.exp(-2 * p[0]);
      let g = 0;
      const n = x.length;
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          if (a === b || w[a * n + b] === 0) continue;
          const r2 = squared(e[a], e[b]) * inv;
          g += w[a * n + b] * matern52LogScaleFactor(r2) * r2;
        }
      }
      return Float64Array.of(g);
    },
  };
  return kernel;
}

function squared(u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += (u[i] - v[i]) ** 2;
  return s;
}
