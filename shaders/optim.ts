// Fused optimiser updates: one thread per parameter element reads the parameter, its gradient and the optimiser
// state (momentum buffer, or Adam's m and v), and writes the new values back in place, so one dispatch replaces
// the dozen elementwise ops an update would otherwise take.
//
// The update body reads `p`, `g` and `s0`, `s1`... (f32 vars) and `h0`, `h1`... (the uniform `hyper`) and assigns
// the new p and s*.
import { Kernel } from './kernel.js';

export const OPTIM_WG = 256;
export const MAX_HYPER = 16;

const slotsOf = (stateSlots: number): number[] => Array.from({ length: stateSlots }, (_, k) => k);

/** P the parameter, G its gradient, S0.. the state tensors; each read from its own offset. */
export const optimKernel = (stateSlots: number): Kernel =>
  new Kernel({
    name: 'fusedUpdate',
    buffers: {
      P: { type: 'f32', write: true },
      G: { type: 'f32' },
      ...Object.fromEntries(slotsOf(stateSlots).map((k) => [`S${k}`, { type: 'f32', write: true }])),
    },
    uniforms: {
      n: 1,
      paramOffset: 1,
      gradOffset: 1,
      ...Object.fromEntries(slotsOf(stateSlots).map((k) => [`state${k}Offset`, 1])),
      hyper: MAX_HYPER,
    },
  });

export function optimSource(body: string, stateSlots: number): string {
  const slots = slotsOf(stateSlots);
  return `${optimKernel(stateSlots).header()}
@compute @workgroup_size(${OPTIM_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, ${OPTIM_WG}u);
  if (i >= uw(W_n)) { return; }
  ${Array.from({ length: MAX_HYPER }, (_, j) => `let h${j} = uwf(W_hyper + ${j}u);`).join(' ')}
  var p = P[uw(W_paramOffset) + i];
  let g = G[uw(W_gradOffset) + i];
  ${slots.map((k) => `var s${k} = S${k}[uw(W_state${k}Offset) + i];`).join('\n  ')}
  ${body}
  P[uw(W_paramOffset) + i] = p;
  ${slots.map((k) => `S${k}[uw(W_state${k}Offset) + i] = s${k};`).join('\n  ')}
}
`;
}

/**
 * The same update over `count` parameters in one dispatch (a multi-tensor apply): parameter k's elements are
 * threads [ends[k - 1], ends[k]) and it has its own buffers Pk, Gk, Sk_0.. and offsets; the hyperparameters are
 * shared. One dispatch per parameter made the optimiser about a sixth of a GPT step's dispatches.
 */
export const optimMultiKernel = (stateSlots: number, count: number): Kernel => {
  const params = Array.from({ length: count }, (_, k) => k);
  return new Kernel({
    name: 'fusedUpdateMulti',
    buffers: Object.fromEntries(
      params.flatMap((k) => [
        [`P${k}`, { type: 'f32', write: true }],
        [`G${k}`, { type: 'f32' }],
        ...slotsOf(stateSlots).map((j) => [`S${k}_${j}`, { type: 'f32', write: true }]),
      ]),
    ),
    uniforms: {
      ends: count,
      paramOffset: count,
      gradOffset: count,
      ...Object.fromEntries(slotsOf(stateSlots).map((j) => [`state${j}Offset`, count])),
      hyper: MAX_HYPER,
    },
  });
};

export function optimMultiSource(body: string, stateSlots: number, count: number): string {
  const slots = slotsOf(stateSlots);
  const branch = (k: number) => {
    const at = (what: string) => `uw(W_${what} + ${k}u) + j`;
    return `{
    let j = i - ${k === 0 ? '0u' : `uw(W_ends + ${k - 1}u)`};
    var p = P${k}[${at('paramOffset')}];
    let g = G${k}[${at('gradOffset')}];
    ${slots.map((s) => `var s${s} = S${k}_${s}[${at(`state${s}Offset`)}];`).join('\n    ')}
    ${body}
    P${k}[${at('paramOffset')}] = p;
    ${slots.map((s) => `S${k}_${s}[${at(`state${s}Offset`)}] = s${s};`).join('\n    ')}
  }`;
  };
  const chain = Array.from({ length: count }, (_, k) => `if (i < uw(W_ends + ${k}u)) ${branch(k)}`).join(' else ');
  return `${optimMultiKernel(stateSlots, count).header()}
@compute @workgroup_size(${OPTIM_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, ${OPTIM_WG}u);
  ${Array.from({ length: MAX_HYPER }, (_, j) => `let h${j} = uwf(W_hyper + ${j}u);`).join(' ')}
  ${chain}
}
`;
}
