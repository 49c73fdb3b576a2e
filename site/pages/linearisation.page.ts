// The linearisation page's live part: ρ per layer of a freshly converted model, in four attention modes.
import { $, fmt, runPage, table } from '../lib/page.js';
import { linearShares } from './linearisation.compute.js';

runPage(async () => {
  const r = await linearShares(16);
  $('rho').innerHTML = table(
    ['mode', ...Array.from({ length: r.layers }, (_, l) => `ρ, layer ${l}`)],
    Object.entries(r.rho).map(([mode, values]) => [mode, ...values]),
  );
  $('gate').textContent =
    `W = ${r.window}; the gate starts at γ = sigmoid(${fmt(Math.log(r.gate / (1 - r.gate)))}) = ${fmt(r.gate)}`;
  return r;
});
