// Issue 11's targets judged from bench rows: each comparison's direction and threshold, the queued mode only, and
// "not tested" (never a pass) when a row is missing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { issue11Targets } from '../../bench/targets.js';
import type { Row } from '../../bench/common.js';

const s = suite('bench/targets');

const row = (suite: string, kase: string, impl: string, medianMs: number, mode = 'queued x10', value = 0): Row => ({
  suite,
  case: kase,
  impl,
  medianMs,
  minMs: medianMs,
  maxMs: medianMs,
  samples: 5,
  rmePct: 0,
  mode,
  value,
  unit: 'ms',
  flops: 0,
  bytes: 0,
});
const verdict = (rows: Row[], target: RegExp, failures: string[] = []) =>
  issue11Targets(rows, failures, 10).find((c) => target.test(c.target))!.verdict;

const TFLOP = 1e3; // values are GFLOP/s
const mm = (impl: string, tflops: number, mode?: string) =>
  row('matmul', 'f32 4096x4096x4096', impl, 1, mode, tflops * TFLOP);

s('matmul f32 4096 holds at 70% of PyTorch, not below', () => {
  assert.is(verdict([mm('tessera (tiled64)', 36), mm('PyTorch CUDA', 50.9)], /matmul/), 'holds');
  assert.is(verdict([mm('tessera (tiled64)', 27.2), mm('PyTorch CUDA', 50.9)], /matmul/), 'does not hold');
  // the baseline kernel kept for the record is not ours for the target
  assert.is(verdict([mm('tessera tiled64', 50), mm('PyTorch CUDA', 50.9)], /matmul/), 'not tested');
});

s('attention T=2048: the fraction of PyTorch SDPA speed is torch time / ours', () => {
  const attn = (ours: number) => [
    row('attention', 'causal B4 T=2048 h=8 d=64', 'tessera', ours),
    row('attention', 'causal B4 T=2048 h=8 d=64', 'PyTorch CUDA', 0.705),
  ];
  assert.is(verdict(attn(2.8), /attention/), 'holds');
  assert.is(verdict(attn(30.1), /attention/), 'does not hold');
});

s('softmax against TF.js, and the GPT step within 3x of PyTorch', () => {
  const sm = (ours: number) => [
    row('softmax', 'softmax 4096x4096', 'tessera', ours),
    row('softmax', 'softmax 4096x4096', 'tfjs webgpu', 0.155),
  ];
  assert.is(verdict(sm(0.15), /softmax/), 'holds');
  assert.is(verdict(sm(5.18), /softmax/), 'does not hold');
  const gpt = (ours: number) => [
    row('gpt', 'step L6 d512 T256 b16', 'tessera', ours),
    row('gpt', 'step L6 d512 T256 b16', 'PyTorch CUDA', 14.7),
  ];
  assert.is(verdict(gpt(44), /GPT/), 'holds');
  assert.is(verdict(gpt(117.7), /GPT/), 'does not hold');
});

s('only the queued rows count, and a missing row is not tested', () => {
  const rows = [mm('tessera (tiled64)', 50, 'latency'), mm('tessera (tiled64)', 20), mm('PyTorch CUDA', 50.9)];
  assert.is(verdict(rows, /matmul/), 'does not hold');
  assert.is(verdict([mm('tessera (tiled64)', 50)], /matmul/), 'not tested');
});

s('f16 matmul: a row holds, a failure does not, neither is not tested', () => {
  assert.is(verdict([row('matmul', 'f16 packed 4096^3', 'tessera (tiled64)', 1, 'latency', 9e3)], /f16/), 'holds');
  assert.is(verdict([], /f16/, ["matmul f16 packed 4096^3: extension 'f16' is not allowed"]), 'does not hold');
  assert.is(verdict([], /f16/), 'not tested');
});

s.run();
