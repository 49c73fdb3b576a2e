// A Float64 loop oracle for hybridAttention: every weight a_ij written out from its definition (spec §3), one
// head and one query at a time; y_i = Σ a_ij v_j / (Σ a_ij + ε) and the linear share Σ_Lin a / Σ a. Inputs are plain nested arrays [H][T][·]; gamma is γ per head.
import { nn } from '../../index.js';
import type { AttentionMode } from './hybridAttention.js';

export interface ReferenceInputs {
  q: number[][][];
  k: number[][][];
  v: number[][][];
  phiQ?: number[][][];
  phiK?: number[][][];
  gamma: number[];
  window: number;
  mode: AttentionMode;
  lambda?: number;
  sinks?: number;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/** The attention weights of query i in head h, and which of them are linear-branch weights. */
export function referenceWeights(inp: ReferenceInputs, h: number, i: number): { a: number[]; isLinear: boolean[] } {
  const d = inp.q[h][i].length;
  const s = (j: number) => dot(inp.q[h][i], inp.k[h][j]) / Math.sqrt(d);
  const phi = (j: number) => dot(inp.phiQ![h][i], inp.phiK![h][j]);
  const a: number[] = [];
  const isLinear: boolean[] = [];
  const softSet = (j: number) =>
    inp.mode === 'sinks' ? j < (inp.sinks ?? 4) : inp.mode === 'hybrid' || inp.mode === 'swaOnly' ? j > i - inp.window : false;
  const linSet = (j: number) => (inp.mode === 'laFull' ? true : inp.mode === 'hybrid' ? j <= i - inp.window : false);
  let m = -Infinity;
  for (let j = 0; j <= i; j++) if (softSet(j)) m = Math.max(m, s(j));
  const gamma = inp.mode === 'hybrid' ? inp.gamma[h] : 1;
  for (let j = 0; j <= i; j++) {
    if (inp.mode === 'zero') a.push(0);
    else if (softSet(j)) a.push(gamma * Math.exp(s(j) - m));
    else if (linSet(j)) a.push((inp.lambda ?? 1) * phi(j));
    else a.push(0);
    isLinear.push(linSet(j) && !softSet(j));
  }
  return { a, isLinear };
}

export function hybridAttentionReference(inp: ReferenceInputs): { y: number[][][]; laMass: number[][] } {
  const y: number[][][] = [];
  const laMass: number[][] = [];
  for (let h = 0; h < inp.q.length; h++) {
    y.push([]);
    laMass.push([]);
    for (let i = 0; i < inp.q[h].length; i++) {
      const { a, isLinear } = referenceWeights(inp, h, i);
      const mass = a.reduce((x, w) => x + w, 0);
      const out = inp.v[h][i].map((_, c) => a.reduce((acc, w, j) => acc + w * inp.v[h][j][c], 0) / (mass + nn.LINEAR_EPS));
      y[h].push(out);
      laMass[h].push(mass > 0 ? a.reduce((acc, w, j) => acc + (isLinear[j] ? w : 0), 0) / mass : 0);
    }
  }
  return { y, laMass };
}
