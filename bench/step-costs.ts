// What one GPT training step (AdamW) costs the host: compute dispatches and pool buffers per step (counted by
// countDispatches), the time to record the step (the synchronous part: ops, autograd, uniform packing, bind groups,
// submits of full batches) per dispatch, and the step's wall time up to the loss readback. On a real GPU the
// recording time is what makes the step host-bound (issue 11: 30-80 us per dispatch on an H200).
// The bench's gpt suite prints it; `npx tsx bench/step-cost.ts` from the command line.
import { countDispatches, nn, optim, tensor, tidy, type Tensor } from '../index.js';

export interface StepSize {
  label: string;
  layers: number;
  embd: number;
  heads: number;
  block: number;
  batch: number;
}

/** The two sizes of issue 11's table: a small GPT and the 19M-parameter one PyTorch eager runs in 14.7 ms. */
export const STEP_SIZES: StepSize[] = [
  { label: 'L4 d64 T64 b16', layers: 4, embd: 64, heads: 4, block: 64, batch: 16 },
  { label: 'L6 d512 T256 b16 (19M)', layers: 6, embd: 512, heads: 8, block: 256, batch: 16 },
];

export interface StepCost {
  dispatches: number;
  /** pool buffers taken per step (webgpu tensor allocations) */
  buffers: number;
  /** buffers the pool had to create in a warm step (0 when the pool serves every allocation) */
  created: number;
  /** median host time to record a step, ms */
  recordMs: number;
  /** median wall time of a step to its loss on the host, ms */
  wallMs: number;
  /** median process CPU time of a step (all threads: on lavapipe that includes the GPU's work), ms */
  cpuMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Runs `warmup` untimed steps, then `steps` counted and timed ones, of a webgpu GPT of size `s` with AdamW. */
export async function stepCost(s: StepSize, steps: number, warmup = 2): Promise<StepCost> {
  const model = new nn.GPT({
    vocabSize: 256,
    blockSize: s.block,
    nLayer: s.layers,
    nHead: s.heads,
    nEmbd: s.embd,
    seed: 0,
    device: 'webgpu',
  });
  const tokens = (k: number) => Int32Array.from({ length: s.batch * s.block }, (_, i) => (i * k + 3) % 256);
  const x = tensor(tokens(7), { shape: [s.batch, s.block], dtype: 'i32', device: 'webgpu' });
  const y = tensor(tokens(11), { shape: [s.batch, s.block], dtype: 'i32', device: 'webgpu' });
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-4 });
  const step = (): Tensor =>
    tidy(() => {
      opt.zeroGrad();
      const loss = model.loss(x, y);
      loss.backward();
      opt.step();
      return loss;
    });
  const runs: (StepCost & { loss: number })[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const c = countDispatches(step);
    const t1 = performance.now();
    const loss = await c.value.item();
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    c.value.dispose();
    if (!Number.isFinite(loss)) throw new Error(`stepCost: the loss is ${loss}`);
    if (i >= warmup) {
      runs.push({
        dispatches: c.dispatches,
        buffers: c.buffers,
        created: c.created,
        recordMs: t1 - t0,
        wallMs: t2 - t0,
        cpuMs: (cpu.user + cpu.system) / 1e3,
        loss,
      });
    }
  }
  for (const st of opt.state.values()) for (const v of Object.values(st)) if (typeof v !== 'number') v.dispose();
  model.parameters().forEach((p) => {
    p.grad?.dispose();
    p.dispose();
  });
  x.dispose();
  y.dispose();
  const last = runs[runs.length - 1];
  return {
    dispatches: last.dispatches,
    buffers: last.buffers,
    created: last.created,
    recordMs: median(runs.map((r) => r.recordMs)),
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
  };
}

export const describeCost = (c: StepCost): string =>
  `${c.dispatches} dispatches/step, ${c.buffers} buffers/step (${c.created} created), record ${c.recordMs.toFixed(1)} ms ` +
  `= ${((c.recordMs / c.dispatches) * 1e3).toFixed(1)} us/dispatch, wall ${c.wallMs.toFixed(1)} ms, cpu ${c.cpuMs.toFixed(1)} ms`;
