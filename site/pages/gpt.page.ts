// The tiny-GPT page's live part: fetches the sentences the build extracted from the bundled corpus, trains, and
// redraws the loss curve each time a loss is read back.
import { $, fmt, nextFrame, plot, runPage } from '../lib/page.js';
import { trainTinyGpt } from './gpt.compute.js';

runPage(async (info) => {
  const text = await (await fetch('corpus.txt')).text();
  const o = info.software
    ? { steps: 30, batch: 4, block: 16, layers: 1, width: 32, heads: 2, logEvery: 3 }
    : { steps: 600, batch: 32, block: 64, layers: 4, width: 128, heads: 4, logEvery: 10 };
  $('plan').textContent =
    `${text.length} characters; ${o.layers} layers of width ${o.width}, ${o.heads} heads, ` +
    `context ${o.block}, batch ${o.batch}, ${o.steps} AdamW steps`;
  const points: [number, number][] = [];
  const r = await trainTinyGpt(text, o, async (step, loss) => {
    points.push([step, loss]);
    plot('curve', [{ name: 'training loss', points }], {
      title: 'loss (nats per character)',
      xLabel: 'step',
      yLabel: 'loss',
    });
    $('progress').textContent = `step ${step + 1} / ${o.steps}: loss ${fmt(loss)}`;
    await nextFrame();
  });
  $('progress').textContent =
    `${o.steps} steps in ${r.seconds.toFixed(1)} s (${fmt(o.steps / r.seconds)} steps/s), ` +
    `${r.parameters.toLocaleString()} parameters, vocabulary ${r.vocab}: loss ${fmt(r.losses[0][1])} -> ` +
    `${fmt(r.losses[r.losses.length - 1][1])} (a uniform guess is ln ${r.vocab} = ${fmt(Math.log(r.vocab))})`;
  $('samples').textContent = r.samples.map((s) => JSON.stringify(s)).join('\n');
  return r;
});
