// The Casmopolitan trust-region manager of MCBO (trust_region/casmo_tr_manager.py): a box of half-width r_num
// around the centre for numeric variables and a Hamming ball of radius r_ham for nominal ones. Strict
// improvements on the TR's best grow both radii by 1.5 after succTol in a row; failures shrink them by 1.5 after
// failTol in a row; the Hamming radius goes through int() and can reach 0, which (like r_num < 2^-5) asks for a
// restart.
import { hamming, type SearchSpace, type X } from './space.js';
import { randomInt, sampleIndices, type Rng } from './random.js';

export interface TrustRegion {
  centre: X;
  radiusNum: number;
  radiusHam: number;
}

export interface TrOptions {
  initNum?: number;
  minNum?: number;
  maxNum?: number;
  /** initial Hamming radius as a fraction of the nominal dimension (rounded up) */
  initHamFraction?: number;
  succTol?: number;
  failTol?: number;
  multiplier?: number;
}

export class TrManager {
  radiusNum: number;
  radiusHam: number;
  succCount = 0;
  failCount = 0;
  private readonly o: Required<TrOptions>;
  private readonly d: number;

  constructor(
    readonly space: SearchSpace,
    opts: TrOptions = {},
  ) {
    this.o = {
      initNum: 0.8,
      minNum: 2 ** -5,
      maxNum: 1,
      initHamFraction: 0.8,
      succTol: 3,
      failTol: 40,
      multiplier: 1.5,
      ...opts,
    };
    this.d = space.nominalDims.length;
    this.radiusNum = this.o.initNum;
    this.radiusHam = this.initHam();
  }

  private initHam(): number {
    return Math.ceil(this.o.initHamFraction * this.d);
  }

  /** MCBO uses no Hamming TR when there is at most one nominal variable. */
  private get hasHam(): boolean {
    return this.d > 1;
  }

  /** Counts one more observation: improved = it is strictly below the best value in the TR so far. */
  adjust(improved: boolean): void {
    if (improved) {
      this.succCount++;
      this.failCount = 0;
    } else {
      this.failCount++;
      this.succCount = 0;
    }
    const m = this.o.multiplier;
    if (this.succCount === this.o.succTol) {
      this.succCount = 0;
      this.radiusNum = Math.min(this.radiusNum * m, this.o.maxNum);
      if (this.hasHam) this.radiusHam = Math.trunc(Math.min(this.radiusHam * m, this.d));
    } else if (this.failCount === this.o.failTol) {
      this.failCount = 0;
      this.radiusNum /= m;
      if (this.hasHam) this.radiusHam = Math.trunc(this.radiusHam / m);
    }
  }

  get needsRestart(): boolean {
    return (this.space.numericDims.length > 0 && this.radiusNum < this.o.minNum) || (this.hasHam && this.radiusHam < 1);
  }

  restart(): void {
    this.radiusNum = this.o.initNum;
    this.radiusHam = this.initHam();
    this.succCount = 0;
    this.failCount = 0;
  }

  region(centre: X): TrustRegion {
    return { centre, radiusNum: this.radiusNum, radiusHam: this.hasHam ? this.radiusHam : this.d };
  }
}

export function inRegion(x: X, tr: TrustRegion, space: SearchSpace): boolean {
  if (hamming(x, tr.centre, space.nominalDims) > tr.radiusHam) return false;
  return space.numericDims.every((i) => Math.abs(x[i] - tr.centre[i]) <= tr.radiusNum);
}

/**
 * Moves x into the region (in place): numeric variables are clipped to the box, and while the Hamming distance
 * to the centre exceeds the radius, a random differing nominal position is reset to the centre's value.
 */
export function projectToRegion(x: X, tr: TrustRegion, space: SearchSpace, rng: Rng): X {
  for (const i of space.numericDims)
    x[i] = Math.min(tr.centre[i] + tr.radiusNum, Math.max(tr.centre[i] - tr.radiusNum, x[i]));
  space.roundNumeric(x);
  const differing = space.nominalDims.filter((i) => x[i] !== tr.centre[i]);
  const excess = differing.length - tr.radiusHam;
  if (excess > 0)
    for (const j of sampleIndices(rng, differing.length, excess)) x[differing[j]] = tr.centre[differing[j]];
  return x;
}

/** n points drawn in the region: a uniform number (1..radius) of nominal positions changed, numeric uniform in the box. */
export function sampleInRegion(tr: TrustRegion, space: SearchSpace, n: number, rng: Rng): X[] {
  return Array.from({ length: n }, () => {
    const x = tr.centre.slice();
    const nd = space.nominalDims;
    const changes = Math.min(nd.length, 1 + randomInt(rng, Math.max(1, tr.radiusHam)));
    for (const j of sampleIndices(rng, nd.length, tr.radiusHam > 0 ? changes : 0)) {
      const i = nd[j];
      x[i] = (x[i] + 1 + randomInt(rng, space.nCats[j] - 1)) % space.nCats[j];
    }
    for (const i of space.numericDims) x[i] = tr.centre[i] + (2 * rng() - 1) * tr.radiusNum;
    return projectToRegion(x, tr, space, rng);
  });
}

/** The whole space as a region (no TR): any Hamming distance, any numeric value. */
export function fullRegion(centre: X, space: SearchSpace): TrustRegion {
  return { centre, radiusNum: 1, radiusHam: space.nominalDims.length };
}
