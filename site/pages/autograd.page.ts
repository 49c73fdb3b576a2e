// The autograd page's live part: runs autogradExample on the page's WebGPU device and shows the graph and the
// gradients beside their finite-difference estimates.
import { $, runPage, table } from '../lib/page.js';
import { autogradExample } from './autograd.compute.js';

runPage(async () => {
  const r = await autogradExample('webgpu');
  $('graph').textContent = r.graph.join('\n');
  $('value').textContent = `f(x, W) = ${r.value.toFixed(6)}`;
  const rows = [
    ...r.gradX.map((g, i) => [`∂f/∂x[${i}]`, g, r.fdX[i], Math.abs(g - r.fdX[i])]),
    ...r.gradW.map((g, i) => [`∂f/∂W[${Math.floor(i / 3)},${i % 3}]`, g, r.fdW[i], Math.abs(g - r.fdW[i])]),
  ];
  $('grads').innerHTML = table(['', 'backward() (WebGPU, f32)', 'finite differences (cpu, f64)', '|difference|'], rows);
  $('verdict').textContent =
    `largest difference ${r.maxError.toExponential(2)}: ${r.maxError < 1e-4 ? 'they agree' : 'they DISAGREE'} to f32 precision`;
  return r;
});
