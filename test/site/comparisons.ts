// For the pages whose live numbers can be recomputed in Node: the same computation (the page's own compute
// module) runs here on Dawn, and the browser's numbers must agree with it. Each check throws on disagreement.
import * as assert from 'uvu/assert';
import { autogradExample, type AutogradResult } from '../../site/pages/autograd.compute.js';
import { runMatmul, type MatmulResult } from '../../site/pages/matmul.compute.js';
import { runAttention, type AttentionResult } from '../../site/pages/attention.compute.js';
import type { TinyGptResult } from '../../site/pages/gpt.compute.js';
import { linearShares, type LinearShareResult } from '../../site/pages/linearisation.compute.js';
import { groupRobustTraces, type GroupRobustResult } from '../../site/pages/grpo.compute.js';

/** |a - b| <= tol * max(1, |b|) elementwise, naming the first disagreement. */
export function assertAgree(what: string, browser: number[], node: number[], tol: number): void {
  assert.is(browser.length, node.length, `${what}: lengths`);
  browser.forEach((b, i) => {
    const n = node[i];
    assert.ok(Math.abs(b - n) <= tol * Math.max(1, Math.abs(n)), `${what}[${i}]: browser ${b}, Node ${n}`);
  });
}

export const COMPARISONS: Record<string, (result: unknown) => Promise<void>> = {
  linearisation: async (result) => {
    const page = result as LinearShareResult;
    const node = await linearShares(16);
    for (const [mode, values] of Object.entries(page.rho)) {
      assertAgree(`ρ per layer, ${mode}`, values, node.rho[mode as keyof LinearShareResult['rho']], 1e-4);
    }
    assertAgree('ρ in swaOnly and laFull', [...page.rho.swaOnly, ...page.rho.laFull], [0, 0, 1, 1], 1e-6);
  },
  grpo: async (result) => {
    const page = result as GroupRobustResult;
    const node = await groupRobustTraces(page.iterations);
    const last = (r: GroupRobustResult) => r.traces['GR-DPO'][r.traces['GR-DPO'].length - 1];
    assertAgree('final α', last(page).alpha, last(node).alpha, 1e-9); // both on the cpu backend in float64
    assertAgree('final GR-DPO group losses', last(page).groupLoss, last(node).groupLoss, 1e-9);
    assert.ok(last(page).alpha[0] > 0.5, `α moved toward group 0, the harder one: ${last(page).alpha}`);
  },
  // training is not replayed in Node (the page's steps take a minute on SwiftShader); its own numbers must hold up
  gpt: async (result) => {
    const page = result as TinyGptResult;
    const [first, last] = [page.losses[0][1], page.losses[page.losses.length - 1][1]];
    assert.ok(
      Math.abs(first - Math.log(page.vocab)) < 0.5,
      `the first loss ${first} is near ln(vocab) = ${Math.log(page.vocab)}`,
    );
    assert.ok(last < first - 0.5, `the loss fell: ${first} -> ${last}`);
    assert.ok(
      page.samples.every((s) => s.length > 4),
      `samples: ${page.samples}`,
    );
  },
  autograd: async (result) => {
    const page = result as AutogradResult;
    const node = await autogradExample('webgpu');
    assertAgree('f', [page.value], [node.value], 1e-5);
    assertAgree('df/dx', page.gradX, node.gradX, 1e-5);
    assertAgree('df/dW', page.gradW, node.gradW, 1e-5);
    assert.equal(page.graph, node.graph, 'the same graph');
    assert.ok(page.maxError < 1e-4, `browser gradients match finite differences (${page.maxError})`);
  },
  matmul: async (result) => {
    const page = result as MatmulResult;
    const node = await runMatmul([page.sizes[0]], 1, ['naive', 'tiled64']);
    for (const row of page.rows) {
      assert.ok(row.maxError < 1e-3, `${row.variant} in the browser matches the float64 product (${row.maxError})`);
      assert.ok(
        row.gflops.every((g) => g > 0 && Number.isFinite(g)),
        `${row.variant} was timed: ${row.gflops}`,
      );
      assertAgree(`C by ${row.variant}`, page.samples[row.variant], node.samples.tiled64, 1e-4);
    }
    assertAgree('C by naive in Node', node.samples.naive, node.samples.tiled64, 1e-4);
  },
  attention: async (result) => {
    const page = result as AttentionResult;
    const [, H, T, D] = page.shape;
    const node = await runAttention(H, T, D, 1);
    assertAgree('fused attention output', page.sample, node.sample, 1e-4);
    assert.ok(page.fusedVsUnfused < 1e-4, `fused vs unfused in the browser: ${page.fusedVsUnfused}`);
    assert.ok(page.online.maxDiff < 1e-12, `online vs two-pass softmax: ${page.online.maxDiff}`);
    assert.ok(page.kvStepVsFull < 1e-5, `KV-cache step vs full attention in the browser: ${page.kvStepVsFull}`);
    assertAgree(
      'online softmax running sums',
      page.online.steps.map((s) => s.runningSum),
      node.online.steps.map((s) => s.runningSum),
      1e-9,
    );
  },
};
