// The group-robust preference page's live part: the group weights α and the two groups' losses over training,
// for DPO and GR-DPO on the method's bandit.
import { $, fmt, plot, runPage, table } from '../lib/page.js';
import { groupRobustTraces } from './grpo.compute.js';

runPage(async () => {
  const r = await groupRobustTraces(2000);
  const gr = r.traces['GR-DPO'];
  plot(
    'alpha',
    [0, 1].map((g) => ({
      name: `α, group ${g}`,
      points: gr.map((h) => [h.iteration, h.alpha[g]] as [number, number]),
    })),
    { title: 'GR-DPO: the adversary’s group weights', xLabel: 'iteration', yLabel: 'α' },
  );
  plot(
    'losses',
    (['DPO', 'GR-DPO'] as const).flatMap((m) =>
      [0, 1].map((g) => ({
        name: `${m}, group ${g}`,
        points: r.traces[m].map((h) => [h.iteration, h.groupLoss[g]] as [number, number]),
      })),
    ),
    { title: 'training loss per group', xLabel: 'iteration', yLabel: 'loss' },
  );
  const last = (m: 'DPO' | 'GR-DPO') => r.traces[m][r.traces[m].length - 1];
  $('final').innerHTML = table(
    ['method', 'loss, group 0', 'loss, group 1', 'worst group loss', 'α (group 0, 1)'],
    (['DPO', 'GR-DPO'] as const).map((m) => [
      m,
      last(m).groupLoss[0],
      last(m).groupLoss[1],
      Math.max(...last(m).groupLoss),
      m === 'DPO'
        ? '—'
        : last(m)
            .alpha.map((a) => fmt(a))
            .join(', '),
    ]),
  );
  $('plan').textContent = `${r.setting}, seed 0, ${r.iterations} iterations (the paper's setting runs 20000)`;
  return r;
});
