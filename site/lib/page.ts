// What every walkthrough page does around its live part: start WebGPU (navigator.gpu here), say which adapter runs
// the page, run the part, and leave its numbers on `window.tesseraResult` with <body data-state="done"> (the
// browser test waits for that); an error is shown in the page, logged, and sets data-state="error".
import { ready, nn, type GpuInfo } from '../../index.js';

declare global {
  interface Window {
    tesseraResult?: unknown;
  }
}

export const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: no element #${id}`);
  return el;
};

/** A number with `digits` significant digits (exponent form when very large or small). */
export const fmt = (v: number, digits = 4): string =>
  Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(digits - 1)
    : String(Number(v.toPrecision(digits)));

/** An HTML table from a header row and rows of cells (numbers formatted with fmt). */
export function table(head: string[], rows: (string | number)[][]): string {
  const cell = (c: string | number) => (typeof c === 'number' ? fmt(c) : c);
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

/** Draws a line plot (nn.linePlot, the same SVG the experiments write) into #id. */
export function plot(id: string, series: nn.Series[], opts: nn.PlotOptions = {}): void {
  $(id).innerHTML = nn.linePlot(series, { width: 560, height: 320, ...opts });
}

/** Lets the browser paint between steps of a long live part. */
export const nextFrame = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * On SwiftShader (Chromium's CPU Vulkan, what the headless browser test runs on; subgroups of 4 lanes) tessera's
 * subgroup matmul with 8 columns per lane (subgroup4x8g1, the untuned default on software adapters) never finishes
 * and stalls the queue, even for a 2x4 by 4x2 product; with 4 columns per lane (subgroup4x4g1) it runs and is
 * right. Until that is understood, the pages hide the 'subgroups' feature from tessera on SwiftShader, so it uses
 * the tiled kernel. Real GPUs and lavapipe keep the feature.
 */
function hideSubgroupsOnSwiftShader(): void {
  const gpu = navigator.gpu;
  if (!gpu) return;
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (opts?: GPURequestAdapterOptions) => {
    const adapter = await request(opts);
    if (adapter?.info.architecture === 'swiftshader' && adapter.features.has('subgroups')) {
      const features = new Set([...adapter.features].filter((f) => f !== 'subgroups'));
      Object.defineProperty(adapter, 'features', { value: features });
    }
    return adapter;
  };
}

/** Runs the page's live part once WebGPU is up; `main` returns the numbers the browser test checks. */
export function runPage(main: (info: GpuInfo) => Promise<unknown>): void {
  const run = async () => {
    document.body.dataset.state = 'running';
    hideSubgroupsOnSwiftShader();
    const info = await ready();
    const name = [...new Set([info.adapter, info.architecture].filter((s) => s))].join(' ');
    $('adapter').textContent = `WebGPU adapter: ${name}${info.software ? ' (software)' : ''}`;
    window.tesseraResult = await main(info);
    document.body.dataset.state = 'done';
  };
  run().catch((e: unknown) => {
    const message = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    console.error(`page failed: ${message}`);
    const box = document.getElementById('adapter');
    if (box) box.insertAdjacentHTML('afterend', `<p class="error">${message.replace(/</g, '&lt;')}</p>`);
    document.body.dataset.state = 'error';
  });
}
