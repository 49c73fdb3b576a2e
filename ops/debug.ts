// The debug flags' per-op work (see core/flags.ts). Webgpu results are read back asynchronously: the copies are
// recorded right after the op, so what is checked is what the op wrote, even if tensors change later.
import type { Tensor } from '../core/tensor.js';
import { flags } from '../core/flags.js';
import { fmtShape } from '../core/shape.js';
import { isFloat } from '../core/dtype.js';
import type { OpSpec } from './op.js';
import { noGrad } from '../core/autograd.js';

/** How close a webgpu result must be to its cpu reference: |a - b| <= atol + rtol |b| (f32 results). */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Per kernel (OpSpec name): filled from the op registry (ops/registry.ts); other kernels get FALLBACK. */
const tolerances = new Map<string, Tolerance>();
const FALLBACK: Tolerance = { atol: 1e-3, rtol: 1e-3 };
/** 16-bit float results carry their dtype's rounding on both sides, whatever the op's f32 tolerance */
const HALF: Partial<Record<string, Tolerance>> = { f16: { atol: 2e-3, rtol: 4e-3 }, bf16: { atol: 1.6e-2, rtol: 3.2e-2 } };

export function setValidationTolerance(kernel: string, tol: Tolerance): void {
  tolerances.set(kernel, tol);
}

export function validationTolerance(kernel: string, dtype: string): Tolerance {
  const tol = tolerances.get(kernel) ?? FALLBACK;
  const half = HALF[dtype];
  return half ? { atol: Math.max(tol.atol, half.atol), rtol: Math.max(tol.rtol, half.rtol) } : tol;
}

let opCounter = 0;
let firstNanReported = false;
const pendingChecks: Promise<void>[] = [];

/** true while a check records its readbacks: the copies those make (of strided views) are not checked themselves */
let recording = false;

/**
 * Logs and checks one op's output. `reference` re-runs the op on cpu copies of its inputs (passed in by op.ts, so
 * this module does not import it back).
 */
export function debugAfterOp<P>(spec: OpSpec<P>, inputs: Tensor[], params: P, out: Tensor, t0: number,
  reference: (cpuInputs: Tensor[]) => Tensor): void {
  if (recording) return;
  recording = true;
  try {
    check(spec, inputs, out, t0, reference);
  } finally {
    recording = false;
  }
}

function check<P>(spec: OpSpec<P>, inputs: Tensor[], out: Tensor, t0: number, reference: (cpuInputs: Tensor[]) => Tensor): void {
  const seq = ++opCounter;
  if (flags.logOps) {
    const shapes = inputs.map((t) => `${fmtShape(t.shape)}${t.dtype}`).join(', ');
    console.log(`[op ${seq}] ${spec.name}(${shapes}) -> ${fmtShape(out.shape)}${out.dtype} on ${out.device} ` +
      `${(performance.now() - t0).toFixed(3)} ms`);
  }
  if (out.numel === 0) return;
  if (flags.checkNan && isFloat(out.dtype)) {
    pendingChecks.push(out.data().then((values) => {
      if (firstNanReported) return;
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        firstNanReported = true;
        console.error(`tessera: op ${seq} (${spec.name}) produced ${values[bad]} at flat index ${bad} of its ` +
          `${fmtShape(out.shape)} output; it is the first op with a non-finite output`);
      }
    }));
  }
  if (flags.validate && out.device === 'webgpu') {
    const snapshot = Promise.all([out.data(), ...inputs.map((t) => t.to('cpu'))]);
    pendingChecks.push(snapshot.then(([gpuOut, ...cpuInputs]) => {
      const ref = noGrad(() => reference(cpuInputs as Tensor[]));
      const want = ref.storage.cpu!;
      const { atol, rtol } = validationTolerance(spec.name, out.dtype);
      for (let i = 0; i < want.length; i++) {
        const a = Number(gpuOut[i]);
        const b = Number(want[i]);
        const tol = atol + rtol * Math.abs(b);
        if (!(Math.abs(a - b) <= tol) && !(Number.isNaN(a) && Number.isNaN(b)) && a !== b) {
          console.error(`tessera: op ${seq} (${spec.name}) differs from its cpu reference at flat index ${i}: ` +
            `webgpu ${a}, cpu ${b}`);
          break;
        }
      }
      ref.dispose();
      for (const t of cpuInputs as Tensor[]) t.dispose();
    }));
  }
}

/** Waits for the debug checks recorded so far (tests and long runs call this before reading the log). */
export async function debugChecksDone(): Promise<void> {
  await Promise.all(pendingChecks.splice(0));
}
