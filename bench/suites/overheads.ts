// Fixed costs: one tiny dispatch + readback round trip, the cost of each extra dispatch recorded in a batch, the
// host's cost of recording one dispatch, the waits alone (sync(), a one-float readback, Dawn's
// onSubmittedWorkDone, with nothing pending), pipeline compile time, first call vs warm, and whether waitGpu helps.
import { tensor, warmup } from '../../index.js';
import { dispatch, sync } from '../../core/executor.js';
import { pipeline } from '../../shaders/pipelines.js';
import { gpu, setWaitThrottle, waitGpu } from '../../core/device.js';
import { elementwiseKernel, elementwiseSource } from '../../shaders/elementwise.js';
import { measure, once, onceTiming as timing, quick, summarise } from '../harness.js';
import { record, values } from '../common.js';

export async function overheadSuite(): Promise<void> {
  const one = tensor([1], { device: 'webgpu' });
  record('overhead', 'dispatch + readback (1 float)', 'tessera', await measure(async () => { const o = one.add(1); await o.data(); o.dispose(); }));
  const batch = 100;
  for (let r = 0; r < 5; r++) { const os = Array.from({ length: batch }, () => one.add(1)); await sync(); os.forEach((o) => o.dispose()); } // JIT warm-up
  const t1 = await measure(async () => { const o = one.add(1); await sync(); o.dispose(); });
  const tN = await measure(async () => { const os = Array.from({ length: batch }, () => one.add(1)); await sync(); os.forEach((o) => o.dispose()); });
  record('overhead', 'dispatch + sync()', 'tessera', t1);
  // the waits alone, nothing pending: sync() (a 4-byte copy and map), reading one float of a tensor, and Dawn's
  // onSubmittedWorkDone (what sync() used before: about 1.3 ms on an H200 against 0.2 ms for the readback)
  record('overhead', 'sync(), nothing pending', 'tessera', await measure(() => sync()));
  record('overhead', 'one-float readback, nothing pending', 'tessera', await measure(() => one.data()));
  const { device } = gpu();
  record('overhead', 'onSubmittedWorkDone, nothing pending', 'Dawn', await measure(() => waitGpu(device.queue.onSubmittedWorkDone())));
  record('overhead', 'per extra dispatch in a batch', 'tessera', timing((tN.medianMs - t1.medianMs) / (batch - 1)));
  // the host side alone: recording a dispatch (op, buffers, uniforms, bind group), the GPU's work not waited for
  const rec: number[] = [];
  for (let r = 0; r < (quick ? 5 : 21); r++) {
    const t0 = performance.now();
    const os = Array.from({ length: batch }, () => one.add(1));
    rec.push((performance.now() - t0) / batch);
    await sync(); os.forEach((o) => o.dispose());
  }
  record('overhead', 'recording one dispatch', 'tessera', summarise(rec, 'host'));
  // the executor's share of that: dispatch() of a compiled kernel on the same buffers (uniform copy, hazard
  // tracking, the bind group, the pass commands), without the op's checks, allocation and uniform packing
  const kernel1 = { expr: 'a + 1.0', resultIsBool: false, operands: [{ dtype: 'f32' as const }], compute: 'f32' as const, out: 'f32' as const, contiguous: true };
  const addOne = pipeline('bench|dispatch-only', () => elementwiseSource(kernel1));
  const out = tensor([0], { device: 'webgpu' });
  const { words } = elementwiseKernel(kernel1).meta().u32('n', 1); // one element, offsets 0
  const exec: number[] = [];
  for (let r = 0; r < (quick ? 5 : 21); r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) dispatch(addOne, [one.storage.buffer!, out.storage.buffer!], words, [1]);
    exec.push((performance.now() - t0) / batch);
    await sync();
  }
  record('overhead', 'executor dispatch() alone', 'tessera', summarise(exec, 'host'));
  out.dispose();

  // A kernel no process has compiled before: a fresh constant changes the SPIR-V, so Mesa's disk cache misses.
  const salt = 1 + (Date.now() % 1e6) * 1e-9;
  const kernel = { expr: `a * ${salt}`, resultIsBool: false, operands: [{ dtype: 'f32' as const }], compute: 'f32' as const, out: 'f32' as const, contiguous: true };
  record('overhead', 'pipeline compile (elementwise)', 'tessera', timing(await once(() => warmup([{ key: `bench|${salt}`, source: () => elementwiseSource(kernel) }]))));

  const n = 1 << 20;
  const x = tensor(values(n, 1), { device: 'webgpu' });
  const first = await once(async () => { const o = x.mul(salt + 1e-7); await sync(); o.dispose(); });
  record('overhead', 'first call (mul 1M, compiles)', 'tessera', timing(first));
  record('overhead', 'warm call (mul 1M)', 'tessera', await measure(async () => { const o = x.mul(salt + 1e-7); await sync(); o.dispose(); }));

  // waitGpu: the same matmul with dawn.node's setImmediate polling throttled (default) and not.
  const m = quick ? 256 : 512;
  const a = tensor(values(m * m, 2), { shape: [m, m], device: 'webgpu' });
  for (const on of [true, false]) {
    setWaitThrottle(on);
    record('overhead', `matmul ${m}, waitGpu throttle ${on ? 'on' : 'off'}`, 'tessera',
      await measure(async () => { const o = a.matmul(a); await o.data(); o.dispose(); }), { flops: 2 * m ** 3 });
  }
  setWaitThrottle(true);
  for (const t of [one, x, a]) t.dispose();
}
