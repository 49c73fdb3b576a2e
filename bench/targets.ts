// Issue 11's targets for a real GPU, judged from the rows of one run (queued mode, the mode of the issue's table).
// A target whose rows are missing (not run, skipped by the time budget, no PyTorch there) is "not tested", never
// a pass.
import type { Row } from './common.js';

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: 'holds' | 'does not hold' | 'not tested';
}

const OURS = /^tessera \(|^tessera$/; // the tuned choice or the one kernel, not the baselines kept for the record
const TORCH = /^PyTorch CUDA$/;
const TFJS = /^tfjs webgpu$/;

export function issue11Targets(rows: Row[], failures: string[], calls: number): TargetCheck[] {
  const mode = `queued x${calls}`;
  const find = (suite: string, kase: string, impl: RegExp) =>
    rows.find((r) => r.suite === suite && r.case === kase && impl.test(r.impl) && r.mode === mode);
  const ms = (r: Row) => `${r.medianMs.toFixed(3)} ms`;
  /** ours against a peer: `ok(ours, peer)` decides; `say` words the measurement */
  const compare = (
    target: string,
    suite: string,
    kase: string,
    peer: RegExp,
    ok: (o: Row, p: Row) => boolean,
    say: (o: Row, p: Row) => string,
  ): TargetCheck => {
    const o = find(suite, kase, OURS);
    const p = find(suite, kase, peer);
    if (!o || !p)
      return {
        target,
        measured: `missing: ${[!o && 'tessera', !p && 'the peer'].filter(Boolean).join(' and ')} (${suite} / ${kase} [${mode}])`,
        verdict: 'not tested',
      };
    return { target, measured: say(o, p), verdict: ok(o, p) ? 'holds' : 'does not hold' };
  };
  const checks = [
    compare(
      'attention forward T=2048 >= 25% of PyTorch SDPA',
      'attention',
      'causal B4 T=2048 h=8 d=64',
      TORCH,
      (o, p) => p.medianMs / o.medianMs >= 0.25,
      (o, p) => `${ms(o)} vs ${ms(p)}: ${((100 * p.medianMs) / o.medianMs).toFixed(1)}%`,
    ),
    compare(
      'softmax 4096^2 at least TF.js webgpu',
      'softmax',
      'softmax 4096x4096',
      TFJS,
      (o, p) => o.medianMs <= p.medianMs,
      (o, p) => `${ms(o)} vs ${ms(p)}`,
    ),
    compare(
      'matmul f32 4096 >= 70% of PyTorch f32',
      'matmul',
      'f32 4096x4096x4096',
      TORCH,
      (o, p) => o.value >= 0.7 * p.value,
      (o, p) =>
        `${(o.value / 1e3).toFixed(1)} vs ${(p.value / 1e3).toFixed(1)} TFLOP/s: ${((100 * o.value) / p.value).toFixed(0)}%`,
    ),
    compare(
      'GPT step 6 layers d512 within 3x of PyTorch eager',
      'gpt',
      'step L6 d512 T256 b16',
      TORCH,
      (o, p) => o.medianMs <= 3 * p.medianMs,
      (o, p) => `${ms(o)} vs ${ms(p)}: ${(o.medianMs / p.medianMs).toFixed(2)}x`,
    ),
  ];
  const f16 = rows.find(
    (r) => r.suite === 'matmul' && /^f16 (packed|native) 4096\^3$/.test(r.case) && OURS.test(r.impl),
  );
  const f16Failure = failures.find((f) => f.startsWith('matmul f16'));
  checks.push({
    target: 'f16 matmul running (4096)',
    measured: f16 ? `${f16.case}: ${(f16.value / 1e3).toFixed(1)} TFLOP/s [${f16.mode}]` : (f16Failure ?? 'no row'),
    verdict: f16 ? 'holds' : f16Failure ? 'does not hold' : 'not tested',
  });
  return checks;
}

export function targetTable(checks: TargetCheck[]): string {
  return [
    '| target (issue 11, H200) | measured | verdict |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.verdict} |`),
  ].join('\n');
}
