// The attention page's live part: fused kernel against the unfused math, the online softmax of one row step by
// step, and one KV-cache decoding step against the full causal attention.
import { $, fmt, runPage, table } from '../lib/page.js';
import { runAttention } from './attention.compute.js';

runPage(async (info) => {
  const [H, T, D] = info.software ? [2, 64, 32] : [8, 512, 64];
  const r = await runAttention(H, T, D, info.software ? 3 : 10);
  $('compare').innerHTML = table(
    ['', 'median ms', 'max |difference|'],
    [
      ['fused kernel', r.fusedMs, '—'],
      ['unfused math', r.unfusedMs, r.fusedVsUnfused],
    ],
  );
  $('shape').textContent = `q, k, v: [${r.shape}] (batch, heads, positions, head dim), causal`;
  $('online').innerHTML = table(
    ['keys seen', 'running max m', 'running sum l'],
    r.online.steps.map((s) => [s.keysSeen, s.runningMax, s.runningSum]),
  );
  $('online-verdict').textContent = `online softmax vs two-pass softmax: max |difference| ${fmt(r.online.maxDiff)}`;
  $('kv').textContent =
    `one cached decoding step vs the last row of the full causal attention: max |difference| ${fmt(r.kvStepVsFull)}`;
  return r;
});
