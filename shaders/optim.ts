// Fused optimiser updates: one thread per parameter element reads the parameter, its gradient and the optimiser
// state (momentum buffer, or Adam's m and v), and writes the new values back in place, so one dispatch replaces
// the dozen elementwise ops an update would otherwise take.
//
// Uniform words: 0 n, 1 parameter offset, 2 gradient offset, 3.. state offsets, 8.. hyperparameters as f32.
// The update body reads `p`, `g` and `s0`, `s1`... (f32 vars) and `h0`, `h1`... and assigns the new p and s*.
import { preamble } from './preamble.js';

export const OW = { n: 0, paramOffset: 1, gradOffset: 2, stateOffsets: 3, hyper: 8 } as const;
export const OPTIM_WG = 256;
export const MAX_HYPER = 16;

export function optimSource(body: string, stateSlots: number): string {
  const slots = Array.from({ length: stateSlots }, (_, k) => k);
  return `${preamble({ uniformBinding: 2 + stateSlots })}
@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
${slots.map((k) => `@group(0) @binding(${2 + k}) var<storage, read_write> S${k}: array<f32>;`).join('\n')}
@compute @workgroup_size(${OPTIM_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, ${OPTIM_WG}u);
  if (i >= uw(${OW.n})) { return; }
  ${Array.from({ length: MAX_HYPER }, (_, j) => `let h${j} = uwf(${OW.hyper + j}u);`).join(' ')}
  var p = P[uw(${OW.paramOffset}) + i];
  let g = G[uw(${OW.gradOffset}) + i];
  ${slots.map((k) => `var s${k} = S${k}[uw(${OW.stateOffsets + k}u) + i];`).join('\n  ')}
  ${body}
  P[uw(${OW.paramOffset}) + i] = p;
  ${slots.map((k) => `S${k}[uw(${OW.stateOffsets + k}u) + i] = s${k};`).join('\n  ')}
}
`;
}
