// The §6 table (one row per method and start set, mean ± sd over seeds), the verdict rules fixed in advance, and
// an SVG of trajectories in the 2D arena.
import { formatMeanSd, meanSd } from '../shared/rl/index.js';
import { OBSTACLES, SAFE_MARGIN_BOXES, FLOOR_UNSAFE } from './quad2d.js';
import type { RunResult } from './train.js';
import type { ArmName } from './safe-ac.js';

type StartSet = 'train' | 'wide';
const pick = (runs: RunResult[], arm: ArmName) => runs.filter((r) => r.arm === arm);

export function resultsTable(runs: RunResult[], arms: readonly ArmName[]): string {
  const head = [
    'method',
    'starts',
    'success %',
    'violation %',
    'timeout %',
    'reach time s',
    'training violations',
    'L>c on unsafe %',
    'L≤c on safe %',
    'Δ_dec≤0 %',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const arm of arms) {
    const rs = pick(runs, arm);
    for (const set of ['train', 'wide'] as StartSet[]) {
      const c = (f: (r: RunResult) => number, d = 1) => formatMeanSd(rs.map(f), d);
      const clbf = (k: 'unsafeAbove' | 'safeBelow' | 'decreasing') =>
        rs.some((r) => r.clbf) ? c((r) => r.clbf?.[k] ?? NaN) : 'n/a';
      lines.push(
        `| ${[
          arm,
          set,
          c((r) => r.eval[set].success),
          c((r) => r.eval[set].violation),
          c((r) => r.eval[set].timeout),
          c((r) => r.eval[set].reachTime, 2),
          c((r) => r.trainingViolations, 0),
          clbf('unsafeAbove'),
          clbf('safeBelow'),
          clbf('decreasing'),
        ].join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

export interface Criterion {
  name: string;
  status: 'holds' | 'fails' | 'within noise' | 'not tested';
}

/** a ≤ b (lowerIsBetter) or a ≥ b, and whether the gap exceeds the larger seed sd */
function compare(name: string, a: number[], b: number[], aBetterWhen: 'lower' | 'higher'): Criterion {
  const A = meanSd(a);
  const B = meanSd(b);
  // "exceeds the seed sd" needs an sd: fewer than two finite seeds per arm leaves the criterion untested
  if (A.n < 2 || B.n < 2) return { name, status: 'not tested' };
  const gap = aBetterWhen === 'lower' ? B.mean - A.mean : A.mean - B.mean;
  if (gap < 0) return { name, status: 'fails' };
  return { name, status: gap > Math.max(A.sd, B.sd) ? 'holds' : 'within noise' };
}

/** The spec's §6 criteria on one start set. */
export function criteria(runs: RunResult[], set: StartSet): Criterion[] {
  const v = (arm: ArmName, f: (r: RunResult) => number) => pick(runs, arm).map(f);
  const viol = (r: RunResult) => r.eval[set].violation;
  const succ = (r: RunResult) => r.eval[set].success;
  const time = (r: RunResult) => r.eval[set].reachTime;
  const barrierSuccess = compare('Barrier-only success < LBAC', v('LBAC', succ), v('Barrier-only', succ), 'higher');
  const barrierTime = compare('Barrier-only reach time > LBAC', v('LBAC', time), v('Barrier-only', time), 'lower');
  const barrier: Criterion = {
    name: 'Barrier-only lower success or slower reach',
    status: [barrierSuccess, barrierTime].some((c) => c.status === 'holds')
      ? 'holds'
      : [barrierSuccess, barrierTime].every((c) => c.status === 'not tested')
        ? 'not tested'
        : [barrierSuccess, barrierTime].some((c) => c.status === 'within noise')
          ? 'within noise'
          : 'fails',
  };
  return [
    compare('LBAC violation ≤ SAC', v('LBAC', viol), v('SAC', viol), 'lower'),
    compare('LBAC violation ≤ LAC', v('LBAC', viol), v('LAC', viol), 'lower'),
    compare('LBAC success ≥ SAC-Lag', v('LBAC', succ), v('SAC-Lag', succ), 'higher'),
    barrier,
  ];
}

export function verdict(runs: RunResult[]): { text: string; reproduced: boolean | null } {
  const lines: string[] = [];
  let all = true;
  let untested = false;
  for (const set of ['train', 'wide'] as StartSet[]) {
    for (const c of criteria(runs, set)) {
      lines.push(`  [${set}] ${c.name}: ${c.status}`);
      if (c.status === 'not tested') untested = true;
      if (c.status !== 'holds') all = false;
    }
  }
  const reproduced = untested ? null : all;
  const head =
    reproduced === null
      ? 'Verdict: not tested in full (a compared arm has fewer than two finished seeds, or was not run in this tier)'
      : reproduced
        ? 'Verdict: REPRODUCED (every criterion holds on both start sets, each gap beyond the seed sd)'
        : 'Verdict: NOT reproduced (see the criteria that fail or sit within seed noise)';
  return { text: [head, ...lines].join('\n'), reproduced };
}

const COLOURS: Record<ArmName, string> = {
  SAC: '#1f77b4',
  'SAC-Lag': '#ff7f0e',
  LAC: '#2ca02c',
  'Barrier-only': '#9467bd',
  LBAC: '#d62728',
};

/** The arena (x ∈ [−2, 2], z ∈ [−0.5, 2]): unsafe boxes, their safe-set margins, the floor, the goal and paths. */
export function arenaSvg(paths: { arm: ArmName; path: [number, number][] }[], title: string): string {
  const [W, H] = [640, 420];
  const [x0, x1, z0, z1] = [-2, 2, -0.5, 2];
  const sx = (x: number) => 40 + ((x - x0) / (x1 - x0)) * (W - 60);
  const sz = (z: number) => H - 30 - ((z - z0) / (z1 - z0)) * (H - 70);
  const rect = ([a, b, c, d]: readonly number[], style: string) =>
    `<rect x="${sx(a)}" y="${sz(d)}" width="${sx(b) - sx(a)}" height="${sz(c) - sz(d)}" ${style}/>`;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>`,
    rect([x0, x1, z0, FLOOR_UNSAFE], 'fill="#bbb"'),
    ...SAFE_MARGIN_BOXES.map((b) => rect(b, 'fill="#f4d6d6" stroke="none"')),
    ...OBSTACLES.map((b) => rect(b, 'fill="#c44" stroke="#822"')),
    `<circle cx="${sx(0)}" cy="${sz(0)}" r="${sx(0.3) - sx(0)}" fill="#cfc" stroke="#393"/>`,
    rect([x0, x1, z0, z1], 'fill="none" stroke="#333"'),
  ];
  for (const { arm, path } of paths) {
    out.push(
      `<polyline fill="none" stroke="${COLOURS[arm]}" stroke-width="1.5" opacity="0.8" points="${path.map(([x, z]) => `${sx(Math.max(x0, Math.min(x1, x))).toFixed(1)},${sz(Math.max(z0, Math.min(z1, z))).toFixed(1)}`).join(' ')}"/>`,
      `<circle cx="${sx(path[0][0])}" cy="${sz(path[0][1])}" r="3" fill="${COLOURS[arm]}"/>`,
    );
  }
  const arms = [...new Set(paths.map((p) => p.arm))];
  arms.forEach((arm, i) =>
    out.push(
      `<line x1="${W - 130}" y1="${40 + 16 * i}" x2="${W - 110}" y2="${40 + 16 * i}" stroke="${COLOURS[arm]}" stroke-width="2"/>`,
      `<text x="${W - 104}" y="${44 + 16 * i}">${arm}</text>`,
    ),
  );
  out.push(
    `<text x="${sx(0)}" y="${H - 8}" text-anchor="middle">px (obstacles red, safe-set margins pink, goal green, floor grey)</text>`,
    '</svg>',
  );
  return out.join('\n');
}
